package iis

import (
	"context"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// Locations are the sites and applications of a host, each with the pool
// it runs in and that pool's identity: what tells whether a location exists
// and which account anonymous requests there run as under the pool
// identity.
type Locations struct {
	ComputerName string
	Applications []LocationApp
}

// LocationApp is one application with its pool.
type LocationApp struct {
	Site string
	Path string // "/" for the site's root application
	Pool string
	// PoolFound is false when the pool named does not exist; requests to
	// the application then get HTTP 503.
	PoolFound    bool
	IdentityType string // the pool's processModel.identityType
	UserName     string // for SpecificUser
}

// Location is the application's location path: "Site" for a root
// application, "Site/app" otherwise.
func (a LocationApp) Location() string {
	if a.Path == "/" {
		return a.Site
	}
	return a.Site + a.Path
}

// PoolAccount is the account the application's worker process runs as, or
// "" when its pool does not exist.
func (a LocationApp) PoolAccount() string {
	if !a.PoolFound {
		return ""
	}
	return AccountFor(a.Pool, a.IdentityType, a.UserName)
}

// ResolveLocations reads every site and application with its pool.
func ResolveLocations(ctx context.Context, c Caller) (Locations, error) {
	var w hostapi.AnonAuthResolution
	if err := c.Call(ctx, hostapi.OpAnonAuthResolve, nil, &w); err != nil {
		return Locations{}, fmt.Errorf("list sites and applications: %w", err)
	}
	out := Locations{ComputerName: w.ComputerName, Applications: make([]LocationApp, len(w.Applications))}
	for i, a := range w.Applications {
		id := a.IdentityType
		if a.PoolFound {
			id = canonicalEnum(id, IdentityTypes())
		}
		out.Applications[i] = LocationApp{Site: a.Site, Path: a.Path, Pool: a.Pool, PoolFound: a.PoolFound, IdentityType: id, UserName: a.UserName}
	}
	return out, nil
}

// Find returns the location as the host spells it, comparing without
// regard to case as IIS does; ok is false when no site or application has
// that path. The server level ("") always exists.
func (l Locations) Find(location string) (canonical string, ok bool) {
	if location == "" {
		return "", true
	}
	for _, a := range l.Applications {
		if strings.EqualFold(a.Location(), location) {
			return a.Location(), true
		}
	}
	return "", false
}

// Serving returns the applications whose anonymous requests take the pool
// identity from a setting at location: for a site or application, the
// application that serves it (a site's root application); for the server
// level, every application, because a pool identity set there applies to
// each application that inherits it, each with its own pool.
func (l Locations) Serving(location string) []LocationApp {
	if location == "" {
		return l.Applications
	}
	for _, a := range l.Applications {
		if strings.EqualFold(a.Location(), location) {
			return []LocationApp{a}
		}
	}
	return nil
}

// Names lists every location in host order, "" first, for messages that
// say what exists.
func (l Locations) Names() []string {
	out := []string{""}
	for _, a := range l.Applications {
		out = append(out, a.Location())
	}
	return out
}
