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
	loc := normLocation(location)
	var out AnonView
	err := h.view(ctx, func(s *State) error {
		sec := s.IIS.AnonymousAuth
		levels := []Attrs{sec.Server}
		// Shorter paths first, so a deeper location wins over its site.
		var applicable []Location
		for _, l := range sec.Locations {
			if loc != "" && isWithin(loc, l.Path) {
				applicable = append(applicable, l)
			}
		}
		slices.SortStableFunc(applicable, func(a, b Location) int { return len(a.Path) - len(b.Path) })
		for _, l := range applicable {
			levels = append(levels, l.Attrs)
		}
		out = AnonView{Location: loc, Attrs: effective(anonSchema, levels...), Explicit: map[string]bool{}, OverrideModeDefault: sec.OverrideModeDefault}
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
		return nil
	})
	return out, err
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
