package host

import (
	"context"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// Sites and applications, as an administrator adds them with IIS Manager or
// New-Website / New-WebApplication. The provider does not manage them; the
// simulator needs them so that locations other than the stock site exist.

// invalidSiteChars are refused in site names by IIS Manager and the
// configuration system's site name validation.
const invalidSiteChars = `\/?;:@&=+$,|"<>*`

func findSite(s *State, name string) int {
	return slices.IndexFunc(s.IIS.Sites, func(x Site) bool { return strings.EqualFold(x.Name, name) })
}

// AddSite creates a started site whose root application runs in pool (the
// application defaults' pool when empty), bound to port 80 with the site's
// name as host header.
func (h *Host) AddSite(ctx context.Context, name, pool, physicalPath string) error {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, invalidSiteChars) {
		return errf(protocol.InvalidArgument, "Invalid site name")
	}
	if physicalPath == "" {
		physicalPath = `%SystemDrive%\inetpub\` + name
	}
	return h.update(ctx, func(s *State) error {
		if findSite(s, name) >= 0 {
			return errf(protocol.AlreadyExists, "Cannot add duplicate collection entry of type 'site' with unique key attribute 'name' set to '%s'", name)
		}
		id := s.Meta.NextSiteID
		for _, x := range s.IIS.Sites {
			id = max(id, x.ID+1)
		}
		s.Meta.NextSiteID = id + 1
		s.IIS.Sites = append(s.IIS.Sites, Site{
			Name: name, ID: id, ServerAutoStart: true, State: "Started",
			Bindings: []Binding{{Protocol: "http", BindingInformation: "*:80:" + strings.ToLower(name)}},
			Applications: []Application{{
				Path: "/", ApplicationPool: pool,
				VirtualDirectories: []VirtualDirectory{{Path: "/", PhysicalPath: physicalPath}},
			}},
		})
		return nil
	})
}

// RemoveSite deletes a site with its applications. Location elements that
// named it stay in applicationHost.config, as they do on a real host.
func (h *Host) RemoveSite(ctx context.Context, name string) error {
	return h.update(ctx, func(s *State) error {
		i := findSite(s, name)
		if i < 0 {
			return siteNotFound(name)
		}
		s.IIS.Sites = slices.Delete(s.IIS.Sites, i, i+1)
		return nil
	})
}

// cleanAppPath turns "shop", "/shop/" or `\shop` into "/shop".
func cleanAppPath(p string) string {
	return "/" + strings.Trim(strings.ReplaceAll(p, `\`, "/"), "/")
}

// AddApplication creates an application at path below site, running in
// pool (the application defaults' pool when empty). Like New-WebApplication
// it does not check that the pool exists: requests would get 503.
func (h *Host) AddApplication(ctx context.Context, site, path, pool, physicalPath string) error {
	path = cleanAppPath(path)
	if path == "/" || strings.ContainsAny(path, `?;:@&=+$,|"<>*`) {
		return errf(protocol.InvalidArgument, "Invalid application path '%s'", path)
	}
	return h.update(ctx, func(s *State) error {
		si := findSite(s, site)
		if si < 0 {
			return siteNotFound(site)
		}
		st := &s.IIS.Sites[si]
		if slices.ContainsFunc(st.Applications, func(a Application) bool { return strings.EqualFold(a.Path, path) }) {
			return errf(protocol.AlreadyExists, "Cannot add duplicate collection entry of type 'application' with unique key attribute 'path' set to '%s'", path)
		}
		pp := physicalPath
		if pp == "" {
			pp = `%SystemDrive%\inetpub\wwwroot` + strings.ReplaceAll(path, "/", `\`)
		}
		st.Applications = append(st.Applications, Application{
			Path: path, ApplicationPool: pool,
			VirtualDirectories: []VirtualDirectory{{Path: "/", PhysicalPath: pp}},
		})
		return nil
	})
}

// SetApplicationPool moves an application (path "/" for the site's root)
// to another pool.
func (h *Host) SetApplicationPool(ctx context.Context, site, path, pool string) error {
	path = cleanAppPath(path)
	return h.update(ctx, func(s *State) error {
		si := findSite(s, site)
		if si < 0 {
			return siteNotFound(site)
		}
		st := &s.IIS.Sites[si]
		ai := slices.IndexFunc(st.Applications, func(a Application) bool { return strings.EqualFold(a.Path, path) })
		if ai < 0 {
			return appNotFound(st.Name, path)
		}
		st.Applications[ai].ApplicationPool = pool
		return nil
	})
}

// RemoveApplication deletes an application; a site's root application
// goes only with the site.
func (h *Host) RemoveApplication(ctx context.Context, site, path string) error {
	path = cleanAppPath(path)
	if path == "/" {
		return errf(protocol.InvalidArgument, "The root application of a site cannot be removed; remove the site instead.")
	}
	return h.update(ctx, func(s *State) error {
		si := findSite(s, site)
		if si < 0 {
			return siteNotFound(site)
		}
		st := &s.IIS.Sites[si]
		ai := slices.IndexFunc(st.Applications, func(a Application) bool { return strings.EqualFold(a.Path, path) })
		if ai < 0 {
			return appNotFound(st.Name, path)
		}
		st.Applications = slices.Delete(st.Applications, ai, ai+1)
		return nil
	})
}
