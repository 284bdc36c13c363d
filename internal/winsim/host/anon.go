package host

import (
	"context"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// AnonView is the anonymousAuthentication section as read at one location
// of MACHINE/WEBROOT/APPHOST: the effective (inherited) values, and which
// of them the location's own <location> element sets.
type AnonView struct {
	Location string
	Attrs    map[string]string
	Explicit map[string]bool
	// OverrideModeDefault is the section's lock: Deny keeps it out of
	// web.config files.
	OverrideModeDefault string
}

// normLocation turns "Default Web Site/app/" or "/" into the form
// <location path> holds; "" is the server level.
func normLocation(p string) string {
	return strings.Trim(strings.ReplaceAll(p, `\`, "/"), "/")
}

// isWithin reports whether location path p is at or below ancestor.
func isWithin(p, ancestor string) bool {
	if ancestor == "" {
		return true
	}
	lp, la := strings.ToLower(p), strings.ToLower(ancestor)
	return lp == la || strings.HasPrefix(lp, la+"/")
}

func findLocation(sec *Section, path string) int {
	return slices.IndexFunc(sec.Locations, func(l Location) bool { return strings.EqualFold(l.Path, path) })
}

// AnonymousAuth reads the section at location ("" for the server level).
func (h *Host) AnonymousAuth(ctx context.Context, location string) (AnonView, error) {
	var out AnonView
	err := h.view(ctx, func(s *State) error {
		out = anonView(s, normLocation(location))
		return nil
	})
	return out, err
}

// AnonymousAuthValue is one effective attribute of the section at
// location, as Get-WebConfigurationProperty reads it ("" when unset).
func (h *Host) AnonymousAuthValue(ctx context.Context, location, attr string) (string, error) {
	v, err := h.AnonymousAuth(ctx, location)
	return v.Attrs[attr], err
}

// anonView layers the section for loc: schema defaults, the server level,
// then for each path from the site down to loc its <location> element in
// applicationHost.config and, while the section is unlocked, that path's
// web.config. A locked section's web.config copies are not merged: IIS
// answers requests there with error 500.19 instead.
func anonView(s *State, loc string) AnonView {
	sec := s.IIS.AnonymousAuth
	levels := []Attrs{sec.Server}
	if loc != "" {
		webConfig := sec.OverrideModeDefault == "Allow"
		type level struct {
			path  string
			order int // apphost before web.config at the same path
			attrs Attrs
		}
		var applicable []level
		for _, l := range sec.Locations {
			if isWithin(loc, l.Path) {
				applicable = append(applicable, level{l.Path, 0, l.Attrs})
			}
		}
		for _, l := range sec.WebConfig {
			if webConfig && isWithin(loc, l.Path) {
				applicable = append(applicable, level{l.Path, 1, l.Attrs})
			}
		}
		// Shorter paths first, so a deeper location wins over its site.
		slices.SortStableFunc(applicable, func(a, b level) int {
			if len(a.path) != len(b.path) {
				return len(a.path) - len(b.path)
			}
			return a.order - b.order
		})
		for _, l := range applicable {
			levels = append(levels, l.attrs)
		}
	}
	out := AnonView{Location: loc, Attrs: effective(anonSchema, levels...), Explicit: map[string]bool{}, OverrideModeDefault: sec.OverrideModeDefault}
	own := sec.Server
	if loc != "" {
		own = nil
		if i := findLocation(&sec, loc); i >= 0 {
			own = sec.Locations[i].Attrs
		}
	}
	for k := range own {
		out.Explicit[k] = true
	}
	return out
}

// SetAnonymousAuth sets one attribute at location, in applicationHost.config
// (a <location> element for anything below the server level), which works
// while the section is locked for web.config.
func (h *Host) SetAnonymousAuth(ctx context.Context, location, attr, value string) error {
	v, err := canonical(anonSchema, attr, value)
	if err != nil {
		return err
	}
	loc := normLocation(location)
	return h.update(ctx, func(s *State) error {
		sec := &s.IIS.AnonymousAuth
		if loc == "" {
			sec.Server[attr] = v
			return nil
		}
		i := findLocation(sec, loc)
		if i < 0 {
			sec.Locations = append(sec.Locations, Location{Path: loc, Attrs: Attrs{}})
			i = len(sec.Locations) - 1
		}
		sec.Locations[i].Attrs[attr] = v
		return nil
	})
}

// ClearAnonymousAuth removes location's own settings, so it inherits again
// (Clear-WebConfiguration at that location). Clearing the server level
// removes its attributes, leaving the schema defaults.
func (h *Host) ClearAnonymousAuth(ctx context.Context, location string) error {
	loc := normLocation(location)
	return h.update(ctx, func(s *State) error {
		sec := &s.IIS.AnonymousAuth
		if loc == "" {
			sec.Server = Attrs{}
			return nil
		}
		i := findLocation(sec, loc)
		if i < 0 {
			return errf(protocol.NotFound, "No anonymousAuthentication settings at location '%s'.", loc)
		}
		sec.Locations = slices.Delete(sec.Locations, i, i+1)
		return nil
	})
}
