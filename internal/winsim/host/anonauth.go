package host

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// The anonauth.* operations, answered as internal/hostscript/anonauth.ps1
// answers them on a real host: writes go to applicationHost.config with a
// location path, a location must name an existing site or application, and
// the server level is reset to the stock element rather than cleared.

// anonWritable are the attributes anonauth.set writes, in the order the
// agent writes them.
var anonWritable = []string{"enabled", "userName", "password"}

func anonArgs(args json.RawMessage, v any) error {
	if len(args) == 0 {
		return nil
	}
	if err := json.Unmarshal(args, v); err != nil {
		// The arguments may carry a password: the decoder's message names
		// types and fields only, never values.
		return errf(protocol.InvalidArgument, "arguments are not the expected shape: %v", err)
	}
	return nil
}

// The IIS: drive's messages when Get-Item finds no site or application,
// which the agent (anonauth.ps1) reproduces word for word.
const (
	msgSiteNotFound = `Cannot find path 'IIS:\Sites\%s' because it does not exist.`
	msgAppNotFound  = `Cannot find path 'IIS:\Sites\%s%s' because it does not exist.`
)

func siteNotFound(site string) error { return errf(protocol.NotFound, msgSiteNotFound, site) }

func appNotFound(site, path string) error {
	return errf(protocol.NotFound, msgAppNotFound, site, strings.ReplaceAll(path, "/", `\`))
}

// canonicalLocation returns location as the host spells it ("" for the
// server level), or not_found when no site or application has that path.
// Site names cannot contain "/", so the first "/" ends the site name.
func canonicalLocation(s *State, location string) (string, error) {
	loc := normLocation(location)
	if loc == "" {
		return "", nil
	}
	siteName, rest, _ := strings.Cut(loc, "/")
	si := slices.IndexFunc(s.IIS.Sites, func(x Site) bool { return strings.EqualFold(x.Name, siteName) })
	if si < 0 {
		return "", siteNotFound(siteName)
	}
	site := s.IIS.Sites[si]
	if rest == "" {
		return site.Name, nil
	}
	appPath := "/" + rest
	ai := slices.IndexFunc(site.Applications, func(a Application) bool { return strings.EqualFold(a.Path, appPath) })
	if ai < 0 {
		return "", appNotFound(site.Name, appPath)
	}
	return site.Name + site.Applications[ai].Path, nil
}

// anonRead is the agent's Read-AnonAuth: effective values at loc and
// whether the location holds the section itself.
func anonRead(s *State, loc string, check *hostapi.PasswordCheck) (hostapi.AnonAuth, error) {
	v := anonView(s, loc)
	out := hostapi.AnonAuth{
		Location:    loc,
		Configured:  loc == "" || len(v.Explicit) > 0,
		Enabled:     v.Attrs["enabled"] == "true",
		UserName:    v.Attrs["userName"],
		PasswordSet: v.Attrs["password"] != "",
		LogonMethod: v.Attrs["logonMethod"],
	}
	if check != nil && out.PasswordSet {
		d, err := passwordDigest(v.Attrs["password"], check)
		if err != nil {
			return out, err
		}
		out.PasswordDigest = d
	}
	return out, nil
}

func opAnonAuthGet(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AnonAuthLocation
	if err := anonArgs(args, &a); err != nil {
		return nil, err
	}
	if _, err := readCheck(a.Check); err != nil {
		return nil, err
	}
	var out hostapi.AnonAuth
	err := h.view(ctx, func(s *State) error {
		loc, err := canonicalLocation(s, a.Location)
		if err != nil {
			return err
		}
		out, err = anonRead(s, loc, a.Check)
		return err
	})
	return out, err
}

// opAnonAuthSet writes the three attributes in one commit, as the agent's
// Set-WebConfigurationProperty calls inside one commit delay do: a failed
// value leaves the location as it was.
func opAnonAuthSet(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AnonAuthSettings
	if err := anonArgs(args, &a); err != nil {
		return nil, err
	}
	if _, err := readCheck(a.Check); err != nil {
		return nil, err
	}
	values := map[string]string{"enabled": "false", "userName": a.UserName, "password": a.Password}
	if a.Enabled {
		values["enabled"] = "true"
	}
	canon := Attrs{}
	for _, attr := range anonWritable {
		v, err := canonical(anonSchema, attr, values[attr])
		if err != nil {
			return nil, err
		}
		canon[attr] = v
	}
	var out hostapi.AnonAuth
	err := h.update(ctx, func(s *State) error {
		loc, err := canonicalLocation(s, a.Location)
		if err != nil {
			return err
		}
		sec := &s.IIS.AnonymousAuth
		if sec.Server == nil {
			sec.Server = Attrs{}
		}
		target := sec.Server
		if loc != "" {
			i := findLocation(sec, loc)
			if i < 0 {
				sec.Locations = append(sec.Locations, Location{Path: loc, Attrs: Attrs{}})
				i = len(sec.Locations) - 1
			}
			target = sec.Locations[i].Attrs
		}
		for k, v := range canon {
			target[k] = v
		}
		out, err = anonRead(s, loc, a.Check)
		return err
	})
	return out, err
}

func opAnonAuthClear(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AnonAuthLocation
	if err := anonArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.AnonAuth
	err := h.update(ctx, func(s *State) error {
		loc, err := canonicalLocation(s, a.Location)
		if err != nil {
			return err
		}
		sec := &s.IIS.AnonymousAuth
		if loc == "" {
			sec.Server = stockIIS().AnonymousAuth.Server
		} else if i := findLocation(sec, loc); i >= 0 {
			sec.Locations = slices.Delete(sec.Locations, i, i+1)
		}
		out, err = anonRead(s, loc, nil)
		return err
	})
	return out, err
}

func opAnonAuthResolve(ctx context.Context, h *Host, _ json.RawMessage) (any, error) {
	var out hostapi.AnonAuthResolution
	err := h.view(ctx, func(s *State) error {
		out = hostapi.AnonAuthResolution{ComputerName: s.System.ComputerName, Applications: []hostapi.AnonAuthApplication{}}
		for _, site := range s.IIS.Sites {
			for _, app := range site.Applications {
				out.Applications = append(out.Applications, resolveApplication(s, site, app))
			}
		}
		return nil
	})
	return out, err
}

// resolveApplication reads an application's effective pool and that pool's
// effective identity, as the agent's Get-AnonApplication does.
func resolveApplication(s *State, site Site, app Application) hostapi.AnonAuthApplication {
	a := hostapi.AnonAuthApplication{Site: site.Name, Path: app.Path, Pool: app.ApplicationPool}
	if a.Pool == "" {
		a.Pool = s.IIS.DefaultAppPoolForApps
	}
	i := findPool(s, a.Pool)
	if i < 0 {
		return a
	}
	p := viewPool(s, s.IIS.Pools[i])
	a.PoolFound = true
	a.IdentityType = p.Attrs["processModel.identityType"]
	if a.IdentityType == "SpecificUser" {
		a.UserName = p.Attrs["processModel.userName"]
	}
	return a
}
