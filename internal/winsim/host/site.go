package host

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// The site.* and application.* operations, answered as
// internal/hostscript/site.ps1 answers them on a real host, and the
// LocalMachine certificate stores https bindings draw on.

// Certificate is one certificate in a LocalMachine store.
type Certificate struct {
	Store      string `json:"store"`      // My or WebHosting
	Thumbprint string `json:"thumbprint"` // upper-case hex
	Subject    string `json:"subject"`
}

var thumbprintRe = regexp.MustCompile(`^[0-9A-F]{40}$`)

// normThumbprint writes a thumbprint as the Cert: drive does: upper-case
// hex without spaces (certificate dialogs copy it with spaces, and often
// with an invisible left-to-right mark in front).
func normThumbprint(t string) string {
	t = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u200e' || r == ':' {
			return -1
		}
		return r
	}, t)
	return strings.ToUpper(t)
}

func canonicalStore(store string) (string, bool) {
	for _, s := range hostapi.CertificateStores {
		if strings.EqualFold(s, store) {
			return s, true
		}
	}
	return "", false
}

// AddCertificate puts a certificate into a LocalMachine store, as
// Import-PfxCertificate would.
func (h *Host) AddCertificate(ctx context.Context, store, thumbprint, subject string) error {
	st, ok := canonicalStore(store)
	t := normThumbprint(thumbprint)
	if !ok || !thumbprintRe.MatchString(t) {
		return errf(protocol.InvalidArgument, "store must be one of %s and the thumbprint 40 hex digits", strings.Join(hostapi.CertificateStores, ", "))
	}
	return h.update(ctx, func(s *State) error {
		if !hasCertificate(s, st, t) {
			s.Certificates = append(s.Certificates, Certificate{Store: st, Thumbprint: t, Subject: subject})
		}
		return nil
	})
}

func hasCertificate(s *State, store, thumbprint string) bool {
	return slices.ContainsFunc(s.Certificates, func(c Certificate) bool { return c.Store == store && c.Thumbprint == thumbprint })
}

// bindingInformation is "ip:port:host" as <binding> holds it.
func bindingInformation(b hostapi.Binding) string {
	ip := b.IPAddress
	if ip == "" {
		ip = "*"
	}
	if a, err := netip.ParseAddr(ip); err == nil && a.Is6() {
		ip = "[" + a.String() + "]"
	}
	return ip + ":" + strconv.Itoa(b.Port) + ":" + b.HostName
}

// splitBindingInformation reads "ip:port:host"; the IP part of an IPv6
// binding is bracketed and holds colons itself.
func splitBindingInformation(info string) (ip string, port int, host string) {
	last := strings.LastIndex(info, ":")
	if last < 0 {
		return "*", 0, ""
	}
	host = info[last+1:]
	rest := info[:last]
	mid := strings.LastIndex(rest, ":")
	if mid < 0 {
		return "*", 0, host
	}
	port, _ = strconv.Atoi(rest[mid+1:])
	return strings.Trim(rest[:mid], "[]"), port, host
}

var hostNameRe = regexp.MustCompile(`^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

// checkBinding refuses what New-WebBinding and AddSslCertificate refuse,
// and returns the binding as the host will store it.
func checkBinding(s *State, b hostapi.Binding) (Binding, error) {
	proto := strings.ToLower(b.Protocol)
	if proto != "http" && proto != "https" {
		return Binding{}, errf(protocol.InvalidArgument, "Protocol '%s' is not supported: use http or https.", b.Protocol)
	}
	if b.Port < 1 || b.Port > 65535 {
		return Binding{}, errf(protocol.InvalidArgument, "The port number must be between 1 and 65535.")
	}
	if b.IPAddress != "" && b.IPAddress != "*" {
		if _, err := netip.ParseAddr(b.IPAddress); err != nil {
			return Binding{}, errf(protocol.InvalidArgument, "'%s' is not a valid IP address.", b.IPAddress)
		}
	}
	if b.HostName != "" && (len(b.HostName) > 255 || !hostNameRe.MatchString(b.HostName)) {
		return Binding{}, errf(protocol.InvalidArgument, "'%s' is not a valid host name.", b.HostName)
	}
	out := Binding{Protocol: proto, BindingInformation: bindingInformation(b)}
	if proto == "http" {
		if b.CertificateThumbprint != "" || b.CertificateStore != "" {
			return Binding{}, errf(protocol.InvalidArgument, "A certificate applies to https bindings only.")
		}
		return out, nil
	}
	store, ok := canonicalStore(b.CertificateStore)
	t := normThumbprint(b.CertificateThumbprint)
	if !ok || !thumbprintRe.MatchString(t) {
		return Binding{}, errf(protocol.InvalidArgument, "An https binding needs a certificate: a 40-digit thumbprint and a store (%s).",
			strings.Join(hostapi.CertificateStores, " or "))
	}
	if !hasCertificate(s, store, t) {
		return Binding{}, errf(protocol.NotFound, hostapi.MsgCertificateNotFound, t, store)
	}
	out.CertificateHash, out.CertificateStoreName = t, store
	if b.HostName != "" {
		out.SslFlags = 1
	}
	return out, nil
}

func bindingsToWire(bs []Binding) []hostapi.Binding {
	out := make([]hostapi.Binding, 0, len(bs))
	for _, b := range bs {
		ip, port, host := splitBindingInformation(b.BindingInformation)
		out = append(out, hostapi.Binding{Protocol: b.Protocol, IPAddress: ip, Port: port, HostName: host,
			CertificateThumbprint: b.CertificateHash, CertificateStore: b.CertificateStoreName, SslFlags: b.SslFlags})
	}
	return out
}

// bindingConflict names the started site other than self that already
// answers one of bindings, or "".
func bindingConflict(s *State, self string, bindings []Binding) string {
	for _, other := range s.IIS.Sites {
		if strings.EqualFold(other.Name, self) || other.State != "Started" {
			continue
		}
		for _, a := range other.Bindings {
			for _, b := range bindings {
				if strings.EqualFold(a.BindingInformation, b.BindingInformation) {
					return other.Name
				}
			}
		}
	}
	return ""
}

func rootApp(site *Site) *Application {
	for i := range site.Applications {
		if site.Applications[i].Path == "/" {
			return &site.Applications[i]
		}
	}
	return nil
}

func rootPhysicalPath(a *Application) string {
	if a == nil {
		return ""
	}
	for _, vd := range a.VirtualDirectories {
		if vd.Path == "/" {
			return vd.PhysicalPath
		}
	}
	return ""
}

func setRootPhysicalPath(a *Application, p string) {
	for i := range a.VirtualDirectories {
		if a.VirtualDirectories[i].Path == "/" {
			a.VirtualDirectories[i].PhysicalPath = p
			return
		}
	}
	a.VirtualDirectories = append(a.VirtualDirectories, VirtualDirectory{Path: "/", PhysicalPath: p})
}

// applicationView is the agent's Read-SiteApplication: the application
// with its effective pool, that pool's identity and the anonymous identity
// at its location.
func applicationView(s *State, site Site, app Application) hostapi.Application {
	r := resolveApplication(s, site, app)
	loc := site.Name
	if app.Path != "/" {
		loc += app.Path
	}
	anon := anonView(s, loc)
	return hostapi.Application{
		Site: site.Name, Path: app.Path, PhysicalPath: rootPhysicalPath(&app),
		ApplicationPool: r.Pool, PoolFound: r.PoolFound, IdentityType: r.IdentityType, UserName: r.UserName,
		AnonymousEnabled: anon.Attrs["enabled"] == "true", AnonymousUserName: anon.Attrs["userName"],
	}
}

func siteView(s *State, site Site) hostapi.Site {
	out := hostapi.Site{Name: site.Name, ID: site.ID, State: site.State, Bindings: bindingsToWire(site.Bindings), Applications: []hostapi.Application{}}
	for _, a := range site.Applications {
		v := applicationView(s, site, a)
		if a.Path == "/" {
			out.PhysicalPath, out.ApplicationPool = v.PhysicalPath, v.ApplicationPool
		}
		out.Applications = append(out.Applications, v)
	}
	return out
}

func siteArgs(args json.RawMessage, v any) error {
	if err := json.Unmarshal(args, v); err != nil {
		return errf(protocol.InvalidArgument, "arguments are not the expected shape: %v", err)
	}
	return nil
}

func opSiteList(ctx context.Context, h *Host, _ json.RawMessage) (any, error) {
	var out hostapi.SiteList
	err := h.view(ctx, func(s *State) error {
		out = hostapi.SiteList{ComputerName: s.System.ComputerName, Sites: []hostapi.Site{}}
		for _, site := range s.IIS.Sites {
			out.Sites = append(out.Sites, siteView(s, site))
		}
		return nil
	})
	return out, err
}

func opSiteGet(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.SiteName
	if err := siteArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.Site
	err := h.view(ctx, func(s *State) error {
		i := findSite(s, a.Name)
		if i < 0 {
			return siteNotFound(a.Name)
		}
		out = siteView(s, s.IIS.Sites[i])
		return nil
	})
	return out, err
}

// applySite writes settings onto site, checking bindings and the state
// change as IIS would; the caller has checked the name.
func applySite(s *State, site *Site, a hostapi.SiteSettings) error {
	root := rootApp(site)
	if a.PhysicalPath != nil {
		if strings.TrimSpace(*a.PhysicalPath) == "" {
			return errf(protocol.InvalidArgument, "The physical path of a site cannot be empty.")
		}
		setRootPhysicalPath(root, *a.PhysicalPath)
	}
	if a.ApplicationPool != nil {
		root.ApplicationPool = *a.ApplicationPool
	}
	if a.Bindings != nil {
		if len(*a.Bindings) == 0 {
			return errf(protocol.InvalidArgument, "A site needs at least one binding.")
		}
		var bs []Binding
		for _, b := range *a.Bindings {
			x, err := checkBinding(s, b)
			if err != nil {
				return err
			}
			if slices.ContainsFunc(bs, func(y Binding) bool {
				return strings.EqualFold(y.BindingInformation, x.BindingInformation) && y.Protocol == x.Protocol
			}) {
				return errf(protocol.InvalidArgument, "Cannot add duplicate collection entry of type 'binding' with combined key attributes 'protocol, bindingInformation' respectively set to '%s, %s'", x.Protocol, x.BindingInformation)
			}
			bs = append(bs, x)
		}
		site.Bindings = bs
	}
	if a.State != nil {
		switch {
		case strings.EqualFold(*a.State, "Stopped"):
			site.State = "Stopped"
		case strings.EqualFold(*a.State, "Started"):
			site.State = "Started"
		default:
			return errf(protocol.InvalidArgument, "State '%s' is not Started or Stopped.", *a.State)
		}
	}
	if site.State == "Started" {
		if other := bindingConflict(s, site.Name, site.Bindings); other != "" {
			return errf(protocol.Conflict, "%s Site %q already answers one of these bindings.", hostapi.MsgBindingInUse, other)
		}
	}
	return nil
}

// opSiteCreate is New-Website, New-WebBinding for each further binding,
// AddSslCertificate for https, then Start-Website unless asked not to.
// Everything is checked before anything is written, so a refused site
// leaves nothing behind.
func opSiteCreate(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.SiteSettings
	if err := siteArgs(args, &a); err != nil {
		return nil, err
	}
	if strings.TrimSpace(a.Name) == "" || strings.ContainsAny(a.Name, hostapi.InvalidSiteChars) {
		return nil, errf(protocol.InvalidArgument, hostapi.MsgSiteBadName)
	}
	if a.PhysicalPath == nil || a.Bindings == nil {
		return nil, errf(protocol.InvalidArgument, "A new site needs a physical path and at least one binding.")
	}
	var out hostapi.Site
	err := h.update(ctx, func(s *State) error {
		if findSite(s, a.Name) >= 0 {
			return errf(protocol.AlreadyExists, hostapi.MsgSiteExists, a.Name)
		}
		id := s.Meta.NextSiteID
		for _, x := range s.IIS.Sites {
			id = max(id, x.ID+1)
		}
		site := Site{Name: a.Name, ID: id, ServerAutoStart: true, State: "Started",
			Applications: []Application{{Path: "/", VirtualDirectories: []VirtualDirectory{{Path: "/"}}}}}
		if err := applySite(s, &site, a); err != nil {
			return err
		}
		s.Meta.NextSiteID = id + 1
		s.IIS.Sites = append(s.IIS.Sites, site)
		out = siteView(s, site)
		return nil
	})
	return out, err
}

func opSiteUpdate(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.SiteSettings
	if err := siteArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.Site
	err := h.update(ctx, func(s *State) error {
		i := findSite(s, a.Name)
		if i < 0 {
			return siteNotFound(a.Name)
		}
		if err := applySite(s, &s.IIS.Sites[i], a); err != nil {
			return err
		}
		out = siteView(s, s.IIS.Sites[i])
		return nil
	})
	return out, err
}

func opSiteDelete(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.SiteName
	if err := siteArgs(args, &a); err != nil {
		return nil, err
	}
	return nil, h.RemoveSite(ctx, a.Name)
}

// findApp returns the site and application indexes for key.
func findApp(s *State, key hostapi.ApplicationKey) (int, int, error) {
	si := findSite(s, key.Site)
	if si < 0 {
		return -1, -1, siteNotFound(key.Site)
	}
	path := cleanAppPath(key.Path)
	ai := slices.IndexFunc(s.IIS.Sites[si].Applications, func(a Application) bool { return strings.EqualFold(a.Path, path) })
	if ai < 0 {
		return si, -1, appNotFound(s.IIS.Sites[si].Name, path)
	}
	return si, ai, nil
}

func opApplicationGet(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.ApplicationKey
	if err := siteArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.Application
	err := h.view(ctx, func(s *State) error {
		si, ai, err := findApp(s, a)
		if err != nil {
			return err
		}
		out = applicationView(s, s.IIS.Sites[si], s.IIS.Sites[si].Applications[ai])
		return nil
	})
	return out, err
}

func checkAppPath(p string) (string, error) {
	path := cleanAppPath(p)
	if path == "/" || strings.ContainsAny(path, `?;:@&=+$,|"<>*`) || strings.Contains(path, "//") {
		return "", errf(protocol.InvalidArgument, "Invalid application path '%s'", p)
	}
	return path, nil
}

// opApplicationCreate is New-WebApplication -Site -Name -PhysicalPath
// -ApplicationPool.
func opApplicationCreate(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.ApplicationSettings
	if err := siteArgs(args, &a); err != nil {
		return nil, err
	}
	path, err := checkAppPath(a.Path)
	if err != nil {
		return nil, err
	}
	if a.PhysicalPath == nil || strings.TrimSpace(*a.PhysicalPath) == "" {
		return nil, errf(protocol.InvalidArgument, "A new application needs a physical path.")
	}
	var out hostapi.Application
	err = h.update(ctx, func(s *State) error {
		si := findSite(s, a.Site)
		if si < 0 {
			return siteNotFound(a.Site)
		}
		st := &s.IIS.Sites[si]
		if slices.ContainsFunc(st.Applications, func(x Application) bool { return strings.EqualFold(x.Path, path) }) {
			return errf(protocol.AlreadyExists, hostapi.MsgApplicationExists, path)
		}
		app := Application{Path: path, VirtualDirectories: []VirtualDirectory{{Path: "/", PhysicalPath: *a.PhysicalPath}}}
		if a.ApplicationPool != nil {
			app.ApplicationPool = *a.ApplicationPool
		}
		st.Applications = append(st.Applications, app)
		out = applicationView(s, *st, app)
		return nil
	})
	return out, err
}

func opApplicationUpdate(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.ApplicationSettings
	if err := siteArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.Application
	err := h.update(ctx, func(s *State) error {
		si, ai, err := findApp(s, hostapi.ApplicationKey{Site: a.Site, Path: a.Path})
		if err != nil {
			return err
		}
		app := &s.IIS.Sites[si].Applications[ai]
		if a.PhysicalPath != nil {
			if strings.TrimSpace(*a.PhysicalPath) == "" {
				return errf(protocol.InvalidArgument, "The physical path of an application cannot be empty.")
			}
			setRootPhysicalPath(app, *a.PhysicalPath)
		}
		if a.ApplicationPool != nil {
			app.ApplicationPool = *a.ApplicationPool
		}
		out = applicationView(s, s.IIS.Sites[si], *app)
		return nil
	})
	return out, err
}

func opApplicationDelete(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.ApplicationKey
	if err := siteArgs(args, &a); err != nil {
		return nil, err
	}
	if cleanAppPath(a.Path) == "/" {
		return nil, errf(protocol.InvalidArgument, hostapi.MsgRootApplication)
	}
	return nil, h.RemoveApplication(ctx, a.Site, a.Path)
}

// SetSiteState starts or stops a site out of band, as IIS Manager does;
// starting refuses a binding another started site answers.
func (h *Host) SetSiteState(ctx context.Context, name string, started bool) error {
	state := map[bool]string{true: "Started", false: "Stopped"}[started]
	return h.update(ctx, func(s *State) error {
		i := findSite(s, name)
		if i < 0 {
			return siteNotFound(name)
		}
		return applySite(s, &s.IIS.Sites[i], hostapi.SiteSettings{State: &state})
	})
}

// SetSitePhysicalPath points a site's root at another directory.
func (h *Host) SetSitePhysicalPath(ctx context.Context, name, physicalPath string) error {
	return h.update(ctx, func(s *State) error {
		i := findSite(s, name)
		if i < 0 {
			return siteNotFound(name)
		}
		return applySite(s, &s.IIS.Sites[i], hostapi.SiteSettings{PhysicalPath: &physicalPath})
	})
}

// SetSiteBindings replaces a site's bindings.
func (h *Host) SetSiteBindings(ctx context.Context, name string, bindings []hostapi.Binding) error {
	return h.update(ctx, func(s *State) error {
		i := findSite(s, name)
		if i < 0 {
			return siteNotFound(name)
		}
		return applySite(s, &s.IIS.Sites[i], hostapi.SiteSettings{Bindings: &bindings})
	})
}

// Site reads one site as site.get answers it.
func (h *Host) Site(ctx context.Context, name string) (hostapi.Site, error) {
	raw, err := json.Marshal(hostapi.SiteName{Name: name})
	if err != nil {
		return hostapi.Site{}, fmt.Errorf("encode site name: %w", err)
	}
	v, err := opSiteGet(ctx, h, raw)
	if err != nil {
		return hostapi.Site{}, err
	}
	site, ok := v.(hostapi.Site)
	if !ok {
		return hostapi.Site{}, fmt.Errorf("site.get answered %T, not a site", v)
	}
	return site, nil
}
