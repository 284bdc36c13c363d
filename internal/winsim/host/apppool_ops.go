package host

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// The apppool.* operations, answered as internal/hostscript/apppool.ps1
// answers them on a real host with New-WebAppPool, Set-ItemProperty on
// IIS:\AppPools\<name>, Start-/Stop-/Remove-WebAppPool.

func poolArgs(args json.RawMessage, v any) error {
	if len(args) == 0 {
		return errf(protocol.InvalidArgument, "arguments are required")
	}
	if err := json.Unmarshal(args, v); err != nil {
		// Identity arguments carry a password: the decoder's message names
		// types and fields only, never values.
		return errf(protocol.InvalidArgument, "arguments are not the expected shape: %v", err)
	}
	return nil
}

// poolUsers lists the applications whose effective pool is name, as
// "Site/path" with the site's root application as "Site/".
func poolUsers(s *State, name string) []hostapi.PoolApplication {
	out := []hostapi.PoolApplication{}
	for _, site := range s.IIS.Sites {
		for _, a := range site.Applications {
			pool := a.ApplicationPool
			if pool == "" {
				pool = s.IIS.DefaultAppPoolForApps
			}
			if !strings.EqualFold(pool, name) {
				continue
			}
			anon := anonView(s, normLocation(site.Name+a.Path))
			out = append(out, hostapi.PoolApplication{
				Site: site.Name,
				Path: a.Path,
				// Anonymous requests run as the pool's identity when the
				// section is on there and names no user (CIS IIS 1.6).
				AnonymousUsesPoolIdentity: anon.Attrs["enabled"] == "true" && anon.Attrs["userName"] == "",
			})
		}
	}
	return out
}

func parseCount(v string) int64 {
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// poolRead is the agent's Read-AppPool: effective values, enums by name.
func poolRead(s *State, p AppPool) hostapi.AppPool {
	e := effective(poolSchema, s.IIS.PoolDefaults, p.Attrs)
	sched := slices.Clone(p.Schedule)
	if sched == nil {
		sched = []string{}
	}
	slices.Sort(sched)
	return hostapi.AppPool{
		Name:                  p.Name,
		State:                 p.State,
		ManagedRuntimeVersion: e["managedRuntimeVersion"],
		ManagedPipelineMode:   e["managedPipelineMode"],
		StartMode:             e["startMode"],
		Enable32BitAppOnWin64: e["enable32BitAppOnWin64"] == "true",
		AutoStart:             e["autoStart"] == "true",
		LoadUserProfile:       e["processModel.loadUserProfile"] == "true",
		IdleTimeout:           e["processModel.idleTimeout"],
		PeriodicRestart: hostapi.PeriodicRestart{
			Time:          e["recycling.periodicRestart.time"],
			Requests:      parseCount(e["recycling.periodicRestart.requests"]),
			Memory:        parseCount(e["recycling.periodicRestart.memory"]),
			PrivateMemory: parseCount(e["recycling.periodicRestart.privateMemory"]),
			Schedule:      sched,
		},
		IdentityType: e["processModel.identityType"],
		UserName:     e["processModel.userName"],
		LogonType:    e["processModel.logonType"],
		Applications: poolUsers(s, p.Name),
	}
}

func opAppPoolList(ctx context.Context, h *Host, _ json.RawMessage) (any, error) {
	out := hostapi.AppPoolList{Pools: []hostapi.AppPool{}}
	err := h.view(ctx, func(s *State) error {
		out.ComputerName = s.System.ComputerName
		for _, p := range s.IIS.Pools {
			out.Pools = append(out.Pools, poolRead(s, p))
		}
		return nil
	})
	return out, err
}

func opAppPoolGet(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AppPoolName
	if err := poolArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.AppPool
	err := h.view(ctx, func(s *State) error {
		i := findPool(s, a.Name)
		if i < 0 {
			return poolNotFound(a.Name)
		}
		out = poolRead(s, s.IIS.Pools[i])
		return nil
	})
	return out, err
}

// newPoolName applies New-WebAppPool's checks: the configuration system's
// invalid characters, DSC's length limit (which the agent enforces too),
// and WebAdministration's refusal of a leading '.'.
func newPoolName(name string) error {
	if strings.HasPrefix(name, ".") {
		return errf(protocol.InvalidArgument, "Parent node has no children of type appPool.")
	}
	if err := validPoolName(name); err != nil {
		return errf(protocol.InvalidArgument, hostapi.MsgAppPoolBadChars)
	}
	return nil
}

func opAppPoolCreate(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AppPoolSettings
	if err := poolArgs(args, &a); err != nil {
		return nil, err
	}
	if err := newPoolName(a.Name); err != nil {
		return nil, err
	}
	var out hostapi.AppPool
	err := h.update(ctx, func(s *State) error {
		if findPool(s, a.Name) >= 0 {
			return errf(protocol.AlreadyExists, hostapi.MsgAppPoolExists)
		}
		p := AppPool{Name: a.Name, Attrs: Attrs{}, State: "Stopped"}
		// WAS starts a new pool when autoStart says so, before the
		// agent's Set-ItemProperty calls change anything.
		if effective(poolSchema, s.IIS.PoolDefaults)["autoStart"] == "true" {
			p.State = "Started"
		}
		if err := applyPoolSettings(&p, a); err != nil {
			return err
		}
		s.IIS.Pools = append(s.IIS.Pools, p)
		out = poolRead(s, p)
		return nil
	})
	return out, err
}

func opAppPoolUpdate(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AppPoolSettings
	if err := poolArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.AppPool
	err := h.update(ctx, func(s *State) error {
		i := findPool(s, a.Name)
		if i < 0 {
			return poolNotFound(a.Name)
		}
		p := &s.IIS.Pools[i]
		if err := applyPoolSettings(p, a); err != nil {
			return err
		}
		out = poolRead(s, *p)
		return nil
	})
	return out, err
}

// applyPoolSettings writes what a sets, as the agent's Set-ItemProperty
// calls do, then the runtime state. The caller's update discards every
// change when one value is refused.
func applyPoolSettings(p *AppPool, a hostapi.AppPoolSettings) error {
	str := func(attr string, v *string) error {
		if v == nil {
			return nil
		}
		c, err := canonical(poolSchema, attr, *v)
		if err != nil {
			return err
		}
		p.Attrs[attr] = c
		return nil
	}
	boolean := func(attr string, v *bool) error {
		if v == nil {
			return nil
		}
		return str(attr, ptr(strconv.FormatBool(*v)))
	}
	count := func(attr string, v *int64) error {
		if v == nil {
			return nil
		}
		return str(attr, ptr(strconv.FormatInt(*v, 10)))
	}
	for _, err := range []error{
		str("managedRuntimeVersion", a.ManagedRuntimeVersion),
		str("managedPipelineMode", a.ManagedPipelineMode),
		str("startMode", a.StartMode),
		boolean("enable32BitAppOnWin64", a.Enable32BitAppOnWin64),
		boolean("autoStart", a.AutoStart),
		boolean("processModel.loadUserProfile", a.LoadUserProfile),
		str("processModel.idleTimeout", a.IdleTimeout),
		str("recycling.periodicRestart.time", a.PeriodicRestartTime),
		count("recycling.periodicRestart.requests", a.PeriodicRestartRequests),
		count("recycling.periodicRestart.memory", a.PeriodicRestartMemory),
		count("recycling.periodicRestart.privateMemory", a.PeriodicRestartPrivateMemory),
	} {
		if err != nil {
			return err
		}
	}
	if a.PeriodicRestartSchedule != nil {
		sched := []string{}
		for _, t := range *a.PeriodicRestartSchedule {
			if !timeOfDayRe.MatchString(t) {
				return errf(protocol.InvalidArgument, "'%s' is not a valid value for attribute 'value'", t)
			}
			// The schedule is a collection keyed by value: a repeat is
			// the same entry.
			if !slices.Contains(sched, t) {
				sched = append(sched, t)
			}
		}
		p.Schedule = sched
	}
	if a.State != nil {
		switch *a.State {
		case "Started", "Stopped":
			p.State = *a.State
		default:
			return errf(protocol.InvalidArgument, "state must be Started or Stopped, not '%s'", *a.State)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func opAppPoolDelete(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AppPoolDelete
	if err := poolArgs(args, &a); err != nil {
		return nil, err
	}
	return nil, h.update(ctx, func(s *State) error {
		i := findPool(s, a.Name)
		if i < 0 {
			return poolNotFound(a.Name)
		}
		if users := poolUsers(s, a.Name); len(users) > 0 && !a.Force {
			paths := make([]string, len(users))
			for j, u := range users {
				paths[j] = u.Site + u.Path
			}
			return &protocol.Error{Kind: protocol.Conflict,
				Message: fmt.Sprintf(hostapi.MsgAppPoolInUse, s.IIS.Pools[i].Name, len(users), strings.Join(paths, ", "))}
		}
		// Applications keep naming the pool, as on a real host, and would
		// answer 503.
		s.IIS.Pools = slices.Delete(s.IIS.Pools, i, i+1)
		return nil
	})
}
