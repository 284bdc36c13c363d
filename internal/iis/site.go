package iis

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// Site is a site as the host holds it, normalised: protocols in lower
// case, "*" for all unassigned addresses, thumbprints in upper-case hex.
type Site struct {
	Name            string
	ID              int64
	State           string // Started or Stopped
	PhysicalPath    string
	ApplicationPool string
	Bindings        []Binding
	// Applications, the root application ("/") first.
	Applications []Application
}

// Binding is one http or https binding.
type Binding struct {
	Protocol  string
	IPAddress string
	Port      int
	HostName  string
	// CertificateThumbprint and CertificateStore are set for https only.
	CertificateThumbprint string
	CertificateStore      string
}

// Application is one application with what decides who runs code in it.
type Application struct {
	Site            string
	Path            string // "/" for the site's root application
	PhysicalPath    string
	ApplicationPool string
	PoolFound       bool
	IdentityType    string
	UserName        string
	// AnonymousEnabled and AnonymousUserName are the effective
	// anonymousAuthentication there ("IUSR", "" for the pool identity, or
	// an account).
	AnonymousEnabled  bool
	AnonymousUserName string
}

// SiteList is every site of a host.
type SiteList struct {
	ComputerName string
	Sites        []Site
}

// SiteSettings are what CreateSite and UpdateSite write; nil is "leave as
// it is".
type SiteSettings struct {
	Name            string
	PhysicalPath    *string
	ApplicationPool *string
	Bindings        *[]Binding
	State           *string
}

// ApplicationSettings are what CreateApplication and UpdateApplication
// write.
type ApplicationSettings struct {
	Site            string
	Path            string
	PhysicalPath    *string
	ApplicationPool *string
}

// Location is the application's location path, "Site" or "Site/app".
func (a Application) Location() string {
	if a.Path == "/" {
		return a.Site
	}
	return a.Site + a.Path
}

// PoolAccount is the account the application's worker process runs as,
// or "" when its pool does not exist.
func (a Application) PoolAccount() string {
	if !a.PoolFound {
		return ""
	}
	return AccountFor(a.ApplicationPool, a.IdentityType, a.UserName)
}

// AnonymousAccount is the account anonymous requests run as there, or ""
// when anonymous authentication is off (or the pool it would take is
// missing).
func (a Application) AnonymousAccount() string {
	if !a.AnonymousEnabled {
		return ""
	}
	switch id, user := IdentityFromUserName(a.AnonymousUserName); id {
	case AnonIUSR:
		return AccountIUSR
	case AnonAppPool:
		return a.PoolAccount()
	default:
		return user
	}
}

// Identities are the accounts that run code in the application: the
// worker process's, then the anonymous one when it differs.
func (a Application) Identities() []string {
	var out []string
	for _, acct := range []string{a.PoolAccount(), a.AnonymousAccount()} {
		if acct != "" && !slices.ContainsFunc(out, func(x string) bool { return SameAccount(x, acct) }) {
			out = append(out, acct)
		}
	}
	return out
}

// Identities are the accounts that run code anywhere in the site, in
// application order.
func (s Site) Identities() []string {
	var out []string
	for _, a := range s.Applications {
		for _, acct := range a.Identities() {
			if !slices.ContainsFunc(out, func(x string) bool { return SameAccount(x, acct) }) {
				out = append(out, acct)
			}
		}
	}
	return out
}

// SameAccount compares account names as Windows does: without regard to
// case, with the built-in names' short forms ("IUSR") equal to their
// qualified ones ("NT AUTHORITY\IUSR").
func SameAccount(a, b string) bool {
	norm := func(s string) string {
		s = strings.TrimSpace(s)
		if d, u, ok := strings.Cut(s, `\`); ok && strings.EqualFold(d, "NT AUTHORITY") {
			return strings.ToLower(u)
		}
		return strings.ToLower(s)
	}
	return norm(a) == norm(b)
}

var thumbprintRe = regexp.MustCompile(`^[0-9A-F]{40}$`)

// NormalizeThumbprint writes a thumbprint as the Cert: drive does: upper
// case, without the spaces (and the invisible left-to-right mark) that
// certificate dialogs copy with it.
func NormalizeThumbprint(t string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u200e' || r == ':' {
			return -1
		}
		return r
	}, t))
}

var hostNameRe = regexp.MustCompile(`^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

// CheckBinding says what is wrong with a binding before a host sees it.
func CheckBinding(b Binding) error {
	switch {
	case b.Protocol != "http" && b.Protocol != "https":
		return fmt.Errorf("protocol %q is not http or https", b.Protocol)
	case b.Port < 1 || b.Port > 65535:
		return fmt.Errorf("port %d is not between 1 and 65535", b.Port)
	case b.HostName != "" && (len(b.HostName) > 255 || !hostNameRe.MatchString(b.HostName)):
		return fmt.Errorf("host name %q is not a DNS name (letters, digits, '-' and '.', optionally starting with \"*.\")", b.HostName)
	}
	if b.IPAddress != "" && b.IPAddress != "*" {
		if _, err := netip.ParseAddr(b.IPAddress); err != nil {
			return fmt.Errorf("ip address %q is not \"*\" or an IPv4 or IPv6 address", b.IPAddress)
		}
	}
	if b.Protocol == "http" {
		if b.CertificateThumbprint != "" || b.CertificateStore != "" {
			return fmt.Errorf("certificate_thumbprint and certificate_store apply to https bindings only")
		}
		return nil
	}
	if !thumbprintRe.MatchString(NormalizeThumbprint(b.CertificateThumbprint)) {
		return fmt.Errorf("an https binding needs certificate_thumbprint, 40 hex digits (got %q)", b.CertificateThumbprint)
	}
	if !slices.Contains(hostapi.CertificateStores, b.CertificateStore) {
		return fmt.Errorf("certificate_store %q is not one of %s", b.CertificateStore, quoteList(hostapi.CertificateStores))
	}
	return nil
}

// Normalize returns the binding as the host will read it back.
func (b Binding) Normalize() Binding {
	b.Protocol = strings.ToLower(b.Protocol)
	if b.IPAddress == "" {
		b.IPAddress = "*"
	}
	if a, err := netip.ParseAddr(b.IPAddress); err == nil {
		b.IPAddress = a.String()
	}
	b.CertificateThumbprint = NormalizeThumbprint(b.CertificateThumbprint)
	for _, s := range hostapi.CertificateStores {
		if strings.EqualFold(s, b.CertificateStore) {
			b.CertificateStore = s
		}
	}
	return b
}

// Information is the binding's "ip:port:host".
func (b Binding) Information() string {
	return fmt.Sprintf("%s:%d:%s", b.IPAddress, b.Port, b.HostName)
}

func siteFromWire(w hostapi.Site) Site {
	s := Site{Name: w.Name, ID: w.ID, State: w.State, PhysicalPath: w.PhysicalPath, ApplicationPool: w.ApplicationPool,
		Bindings: make([]Binding, 0, len(w.Bindings)), Applications: make([]Application, 0, len(w.Applications))}
	for _, b := range w.Bindings {
		s.Bindings = append(s.Bindings, Binding{Protocol: b.Protocol, IPAddress: b.IPAddress, Port: b.Port, HostName: b.HostName,
			CertificateThumbprint: b.CertificateThumbprint, CertificateStore: b.CertificateStore}.Normalize())
	}
	for _, a := range w.Applications {
		s.Applications = append(s.Applications, appFromWire(a))
	}
	return s
}

func appFromWire(a hostapi.Application) Application {
	id := a.IdentityType
	if a.PoolFound {
		id = canonicalEnum(id, IdentityTypes())
	}
	return Application{Site: a.Site, Path: a.Path, PhysicalPath: a.PhysicalPath, ApplicationPool: a.ApplicationPool,
		PoolFound: a.PoolFound, IdentityType: id, UserName: a.UserName,
		AnonymousEnabled: a.AnonymousEnabled, AnonymousUserName: a.AnonymousUserName}
}

func (s SiteSettings) wire() hostapi.SiteSettings {
	w := hostapi.SiteSettings{Name: s.Name, PhysicalPath: s.PhysicalPath, ApplicationPool: s.ApplicationPool, State: s.State}
	if s.Bindings != nil {
		bs := make([]hostapi.Binding, 0, len(*s.Bindings))
		for _, b := range *s.Bindings {
			b = b.Normalize()
			bs = append(bs, hostapi.Binding{Protocol: b.Protocol, IPAddress: b.IPAddress, Port: b.Port, HostName: b.HostName,
				CertificateThumbprint: b.CertificateThumbprint, CertificateStore: b.CertificateStore})
		}
		w.Bindings = &bs
	}
	return w
}

// ListSites reads every site with its applications, pools' identities and
// anonymous identities, in one round trip.
func ListSites(ctx context.Context, c Caller) (SiteList, error) {
	var w hostapi.SiteList
	if err := c.Call(ctx, hostapi.OpSiteList, nil, &w); err != nil {
		return SiteList{}, fmt.Errorf("list sites: %w", err)
	}
	out := SiteList{ComputerName: w.ComputerName, Sites: make([]Site, 0, len(w.Sites))}
	for _, s := range w.Sites {
		out.Sites = append(out.Sites, siteFromWire(s))
	}
	return out, nil
}

// Find returns the site named name, compared without regard to case.
func (l SiteList) Find(name string) (Site, bool) {
	for _, s := range l.Sites {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Site{}, false
}

// GetSite reads one site.
func GetSite(ctx context.Context, c Caller, name string) (Site, error) {
	var w hostapi.Site
	if err := c.Call(ctx, hostapi.OpSiteGet, hostapi.SiteName{Name: name}, &w); err != nil {
		return Site{}, fmt.Errorf("read site %q: %w", name, err)
	}
	return siteFromWire(w), nil
}

// CreateSite creates a site; nothing is left behind when the host refuses.
func CreateSite(ctx context.Context, c Caller, s SiteSettings) (Site, error) {
	var w hostapi.Site
	if err := c.Call(ctx, hostapi.OpSiteCreate, s.wire(), &w); err != nil {
		return Site{}, fmt.Errorf("create site %q: %w", s.Name, err)
	}
	return siteFromWire(w), nil
}

// UpdateSite writes the settings present.
func UpdateSite(ctx context.Context, c Caller, s SiteSettings) (Site, error) {
	var w hostapi.Site
	if err := c.Call(ctx, hostapi.OpSiteUpdate, s.wire(), &w); err != nil {
		return Site{}, fmt.Errorf("update site %q: %w", s.Name, err)
	}
	return siteFromWire(w), nil
}

// DeleteSite removes a site with its applications.
func DeleteSite(ctx context.Context, c Caller, name string) error {
	if err := c.Call(ctx, hostapi.OpSiteDelete, hostapi.SiteName{Name: name}, nil); err != nil {
		return fmt.Errorf("delete site %q: %w", name, err)
	}
	return nil
}

// CleanAppPath writes an application path as IIS keys it: "/shop" for
// "shop", "/shop/" or `\shop`.
func CleanAppPath(p string) string {
	return "/" + strings.Trim(strings.ReplaceAll(p, `\`, "/"), "/")
}

// GetApplication reads one application.
func GetApplication(ctx context.Context, c Caller, site, path string) (Application, error) {
	var w hostapi.Application
	if err := c.Call(ctx, hostapi.OpApplicationGet, hostapi.ApplicationKey{Site: site, Path: CleanAppPath(path)}, &w); err != nil {
		return Application{}, fmt.Errorf("read application %s%s: %w", site, CleanAppPath(path), err)
	}
	return appFromWire(w), nil
}

func (s ApplicationSettings) wire() hostapi.ApplicationSettings {
	return hostapi.ApplicationSettings{Site: s.Site, Path: CleanAppPath(s.Path), PhysicalPath: s.PhysicalPath, ApplicationPool: s.ApplicationPool}
}

// CreateApplication creates an application below a site.
func CreateApplication(ctx context.Context, c Caller, s ApplicationSettings) (Application, error) {
	var w hostapi.Application
	if err := c.Call(ctx, hostapi.OpApplicationCreate, s.wire(), &w); err != nil {
		return Application{}, fmt.Errorf("create application %s%s: %w", s.Site, CleanAppPath(s.Path), err)
	}
	return appFromWire(w), nil
}

// UpdateApplication writes the settings present.
func UpdateApplication(ctx context.Context, c Caller, s ApplicationSettings) (Application, error) {
	var w hostapi.Application
	if err := c.Call(ctx, hostapi.OpApplicationUpdate, s.wire(), &w); err != nil {
		return Application{}, fmt.Errorf("update application %s%s: %w", s.Site, CleanAppPath(s.Path), err)
	}
	return appFromWire(w), nil
}

// DeleteApplication removes an application (never a site's root).
func DeleteApplication(ctx context.Context, c Caller, site, path string) error {
	if err := c.Call(ctx, hostapi.OpApplicationDelete, hostapi.ApplicationKey{Site: site, Path: CleanAppPath(path)}, nil); err != nil {
		return fmt.Errorf("delete application %s%s: %w", site, CleanAppPath(path), err)
	}
	return nil
}
