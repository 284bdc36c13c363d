package host

import (
	"context"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// PoolView is an app pool as an administrator reads it: every attribute's
// effective value (schema default, then applicationPoolDefaults, then the
// pool's own), with encrypted ones opened, plus which ones the pool sets.
type PoolView struct {
	Name     string
	State    string
	Attrs    map[string]string
	Explicit map[string]bool
}

// invalidPoolChars are refused in pool names
// (ApplicationPoolCollection.InvalidApplicationPoolNameCharacters).
const invalidPoolChars = `\/"|<>:*?][+=;,@&`

// maxPoolName is WebAdministrationDsc's limit; Microsoft publishes none.
const maxPoolName = 64

func findPool(s *State, name string) int {
	return slices.IndexFunc(s.IIS.Pools, func(p AppPool) bool { return strings.EqualFold(p.Name, name) })
}

func poolNotFound(name string) error {
	return errf(protocol.NotFound, `Cannot find path 'IIS:\AppPools\%s' because it does not exist.`, name)
}

func validPoolName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errf(protocol.InvalidArgument, "Invalid application pool name")
	}
	if strings.ContainsAny(name, invalidPoolChars) || len([]rune(name)) > maxPoolName {
		return errf(protocol.InvalidArgument, "Invalid application pool name")
	}
	return nil
}

func viewPool(s *State, p AppPool) PoolView {
	v := PoolView{Name: p.Name, State: p.State, Attrs: effective(poolSchema, s.IIS.PoolDefaults, p.Attrs), Explicit: map[string]bool{}}
	for k := range p.Attrs {
		v.Explicit[k] = true
	}
	return v
}

// AppPools lists every pool in configuration order.
func (h *Host) AppPools(ctx context.Context) ([]PoolView, error) {
	var out []PoolView
	err := h.view(ctx, func(s *State) error {
		for _, p := range s.IIS.Pools {
			out = append(out, viewPool(s, p))
		}
		return nil
	})
	return out, err
}

// AppPool reads one pool.
func (h *Host) AppPool(ctx context.Context, name string) (PoolView, error) {
	var out PoolView
	err := h.view(ctx, func(s *State) error {
		i := findPool(s, name)
		if i < 0 {
			return poolNotFound(name)
		}
		out = viewPool(s, s.IIS.Pools[i])
		return nil
	})
	return out, err
}

// AddAppPool creates a pool with no attributes of its own: it takes
// everything from applicationPoolDefaults. Like WAS, it starts when
// autoStart says so.
func (h *Host) AddAppPool(ctx context.Context, name string) error {
	if err := validPoolName(name); err != nil {
		return err
	}
	return h.update(ctx, func(s *State) error {
		if findPool(s, name) >= 0 {
			return errf(protocol.AlreadyExists, "Cannot add duplicate collection entry of type 'add' with unique key attribute 'name' set to '%s'", name)
		}
		p := AppPool{Name: name, Attrs: Attrs{}, State: "Stopped"}
		if effective(poolSchema, s.IIS.PoolDefaults)["autoStart"] == "true" {
			p.State = "Started"
		}
		s.IIS.Pools = append(s.IIS.Pools, p)
		return nil
	})
}

// RemoveAppPool deletes a pool. Applications that use it keep naming it,
// as on a real host, and would answer 503.
func (h *Host) RemoveAppPool(ctx context.Context, name string) error {
	return h.update(ctx, func(s *State) error {
		i := findPool(s, name)
		if i < 0 {
			return poolNotFound(name)
		}
		s.IIS.Pools = slices.Delete(s.IIS.Pools, i, i+1)
		return nil
	})
}

// SetAppPoolAttr sets one attribute on a pool. Leftover userName and
// password stay when identityType leaves SpecificUser, as they do on a
// real host.
func (h *Host) SetAppPoolAttr(ctx context.Context, pool, attr, value string) error {
	v, err := canonical(poolSchema, attr, value)
	if err != nil {
		return err
	}
	return h.update(ctx, func(s *State) error {
		i := findPool(s, pool)
		if i < 0 {
			return poolNotFound(pool)
		}
		s.IIS.Pools[i].Attrs[attr] = v
		return nil
	})
}

// ClearAppPoolAttr removes a pool's own value, so the default applies.
func (h *Host) ClearAppPoolAttr(ctx context.Context, pool, attr string) error {
	if _, ok := poolSchema[attr]; !ok {
		return errf(protocol.InvalidArgument, "Unrecognized attribute '%s'", attr)
	}
	return h.update(ctx, func(s *State) error {
		i := findPool(s, pool)
		if i < 0 {
			return poolNotFound(pool)
		}
		delete(s.IIS.Pools[i].Attrs, attr)
		return nil
	})
}

// SetPoolDefault sets an attribute in applicationPoolDefaults, which every
// pool that does not set it inherits.
func (h *Host) SetPoolDefault(ctx context.Context, attr, value string) error {
	v, err := canonical(poolSchema, attr, value)
	if err != nil {
		return err
	}
	return h.update(ctx, func(s *State) error {
		s.IIS.PoolDefaults[attr] = v
		return nil
	})
}

// SetAppPoolState starts or stops a pool (runtime state, not config).
func (h *Host) SetAppPoolState(ctx context.Context, pool string, started bool) error {
	return h.update(ctx, func(s *State) error {
		i := findPool(s, pool)
		if i < 0 {
			return poolNotFound(pool)
		}
		s.IIS.Pools[i].State = map[bool]string{true: "Started", false: "Stopped"}[started]
		return nil
	})
}

// AppView is an application with its effective pool.
type AppView struct {
	Site, Path, ApplicationPool string
	PhysicalPath                string
}

// Applications lists every application of every site with the pool it
// runs in (its own, else applicationDefaults').
func (h *Host) Applications(ctx context.Context) ([]AppView, error) {
	var out []AppView
	err := h.view(ctx, func(s *State) error {
		for _, site := range s.IIS.Sites {
			for _, a := range site.Applications {
				pool := a.ApplicationPool
				if pool == "" {
					pool = s.IIS.DefaultAppPoolForApps
				}
				v := AppView{Site: site.Name, Path: a.Path, ApplicationPool: pool}
				for _, vd := range a.VirtualDirectories {
					if vd.Path == "/" {
						v.PhysicalPath = vd.PhysicalPath
					}
				}
				out = append(out, v)
			}
		}
		return nil
	})
	return out, err
}
