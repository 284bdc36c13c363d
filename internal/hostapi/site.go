package hostapi

// Site and application operations, through the WebAdministration module
// as reference/windows-host.md section 6 recommends for pools: New-Website,
// New-WebBinding with the binding's AddSslCertificate, Set-ItemProperty on
// IIS:\Sites\<name>, Start-/Stop-Website, Remove-Website, New-/Remove-
// WebApplication. Site names and application paths are compared
// case-insensitively, as IIS keys them.
const (
	// OpSiteList takes no arguments and returns SiteList: every site with
	// its bindings and applications, each application with its pool's
	// identity and the anonymous identity requests there get. It is all the
	// provider needs to tell which identities run code in which site.
	OpSiteList = "site.list"
	// OpSiteGet takes SiteName and returns Site, or fails with not_found
	// ("Cannot find path 'IIS:\Sites\X' because it does not exist.").
	OpSiteGet = "site.get"
	// OpSiteCreate takes SiteSettings (physical path and at least one
	// binding required) and returns the site as read back. The site gets
	// the next free id and starts unless State says Stopped; a binding
	// another started site already answers leaves it stopped and fails the
	// start with MsgBindingInUse, as IIS does. already_exists when the name
	// is taken.
	OpSiteCreate = "site.create"
	// OpSiteUpdate takes SiteSettings, sets only what is present (bindings
	// replace the whole collection) and returns the site as read back.
	OpSiteUpdate = "site.update"
	// OpSiteDelete takes SiteName and returns nothing. The site's
	// applications go with it; <location> elements that name it stay in
	// applicationHost.config, as Remove-Website leaves them.
	OpSiteDelete = "site.delete"

	// OpApplicationGet takes ApplicationKey and returns Application.
	OpApplicationGet = "application.get"
	// OpApplicationCreate takes ApplicationSettings (physical path
	// required) and returns the application as read back. Like
	// New-WebApplication it does not check that the pool exists: requests
	// would get 503.
	OpApplicationCreate = "application.create"
	// OpApplicationUpdate takes ApplicationSettings and sets what is
	// present.
	OpApplicationUpdate = "application.update"
	// OpApplicationDelete takes ApplicationKey and returns nothing. A
	// site's root application ("/") goes only with its site.
	OpApplicationDelete = "application.delete"
)

// Messages the agent writes itself, because the cmdlets have none or one
// that depends on the host's language; the simulator writes the same.
const (
	// MsgSiteExists refuses a site name in use (the configuration
	// system's text).
	MsgSiteExists = "Cannot add duplicate collection entry of type 'site' with unique key attribute 'name' set to '%s'"
	// MsgApplicationExists refuses an application path in use.
	MsgApplicationExists = "Cannot add duplicate collection entry of type 'application' with unique key attribute 'path' set to '%s'"
	// MsgSiteBadName refuses a site name with one of InvalidSiteChars.
	MsgSiteBadName = "Invalid site name"
	// MsgBindingInUse is IIS's refusal to start a site whose binding a
	// started site already answers (HRESULT 0x800700B7).
	MsgBindingInUse = "Cannot create a file when that file already exists. (Exception from HRESULT: 0x800700B7)"
	// MsgCertificateNotFound: the thumbprint is not in
	// Cert:\LocalMachine\<store>. Arguments: thumbprint, store.
	MsgCertificateNotFound = "Cannot find the certificate with thumbprint %s in Cert:\\LocalMachine\\%s."
	// MsgRootApplication refuses to delete a site's root application.
	MsgRootApplication = "The root application of a site cannot be removed; remove the site instead."
)

// InvalidSiteChars are refused in site names.
const InvalidSiteChars = `\/?;:@&=+$,|"<>*`

// Certificate stores an https binding can use, as AddSslCertificate names
// them.
var CertificateStores = []string{"My", "WebHosting"}

// SiteName selects one site.
type SiteName struct {
	Name string `json:"name"`
}

// SiteList is every site in configuration order.
type SiteList struct {
	ComputerName string `json:"computer_name"`
	Sites        []Site `json:"sites"`
}

// Site is a site as the host reads it.
type Site struct {
	Name string `json:"name"`
	ID   int64  `json:"id"`
	// State is the runtime state: Started or Stopped.
	State string `json:"state"`
	// PhysicalPath is the root virtual directory's, as configured
	// (environment variables such as %SystemDrive% unexpanded).
	PhysicalPath string `json:"physical_path"`
	// ApplicationPool is the root application's effective pool.
	ApplicationPool string        `json:"application_pool"`
	Bindings        []Binding     `json:"bindings"`
	Applications    []Application `json:"applications"`
}

// Binding is one binding. bindingInformation "ip:port:host" is split into
// its parts; the IP address "*" means all unassigned addresses. For https
// the certificate is the one HTTP.sys holds for the binding's endpoint.
type Binding struct {
	Protocol              string `json:"protocol"` // http or https
	IPAddress             string `json:"ip_address"`
	Port                  int    `json:"port"`
	HostName              string `json:"host_name"`
	CertificateThumbprint string `json:"certificate_thumbprint,omitempty"` // upper-case hex
	CertificateStore      string `json:"certificate_store,omitempty"`
	// SslFlags is 1 (SNI) for an https binding with a host name, else 0.
	SslFlags int `json:"ssl_flags"`
}

// ApplicationKey selects one application: the site and the path ("/shop").
type ApplicationKey struct {
	Site string `json:"site"`
	Path string `json:"path"`
}

// Application is an application as the host reads it, with what decides
// who runs code in it: its pool's identity and the anonymous identity at
// its location.
type Application struct {
	Site            string `json:"site"`
	Path            string `json:"path"`
	PhysicalPath    string `json:"physical_path"`
	ApplicationPool string `json:"application_pool"`
	// PoolFound is false when the pool does not exist (requests get 503).
	PoolFound    bool   `json:"pool_found"`
	IdentityType string `json:"identity_type"`
	UserName     string `json:"user_name"` // for SpecificUser
	// AnonymousEnabled and AnonymousUserName are the effective
	// anonymousAuthentication at the application's location: userName
	// "IUSR", "" for the pool identity, or an account.
	AnonymousEnabled  bool   `json:"anonymous_enabled"`
	AnonymousUserName string `json:"anonymous_user_name"`
}

// SiteSettings are what site.create and site.update write; nil fields are
// left as they are.
type SiteSettings struct {
	Name            string     `json:"name"`
	PhysicalPath    *string    `json:"physical_path,omitempty"`
	ApplicationPool *string    `json:"application_pool,omitempty"`
	Bindings        *[]Binding `json:"bindings,omitempty"`
	// State, Started or Stopped, is applied after everything else.
	State *string `json:"state,omitempty"`
}

// ApplicationSettings are what application.create and .update write.
type ApplicationSettings struct {
	Site            string  `json:"site"`
	Path            string  `json:"path"`
	PhysicalPath    *string `json:"physical_path,omitempty"`
	ApplicationPool *string `json:"application_pool,omitempty"`
}
