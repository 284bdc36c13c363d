package host

// State is the inner state of one simulated Windows host: what a real
// machine keeps in its registry, SAM, applicationHost.config and firewall
// store. It is the JSON document Open persists. Its types are the model, not
// the wire: hostapi shapes are built from it by the operation handlers.
type State struct {
	// Version lets a future layout migrate an old state file.
	Version int `json:"version"`

	System   System    `json:"system"`
	Accounts Accounts  `json:"accounts"`
	IIS      IISConfig `json:"iis"`
	Firewall []FWRule  `json:"firewall"`
	Meta     StateMeta `json:"meta"`
	// Files and Certificates are the file system's directories with their
	// ACLs, and the LocalMachine certificate stores (filesystem.go,
	// site.go). A state file written before they existed reads them as
	// the stock ones.
	Files        *FileSystem   `json:"files,omitempty"`
	Certificates []Certificate `json:"certificates,omitempty"`
}

// StateMeta is bookkeeping the host needs across processes.
type StateMeta struct {
	// NextRID is the relative id the next local user or group gets, as
	// the SAM hands them out from 1000 upwards.
	NextRID int `json:"next_rid"`
	// NextSiteID is the id the next site gets.
	NextSiteID int64 `json:"next_site_id"`
}

// System is what Win32_OperatingSystem, Win32_ComputerSystem, the InetStp
// registry key and $PSVersionTable report.
type System struct {
	ComputerName string `json:"computer_name"`
	OSCaption    string `json:"os_caption"`
	OSVersion    string `json:"os_version"`
	IISMajor     int    `json:"iis_major"`
	IISMinor     int    `json:"iis_minor"`
	PSVersion    string `json:"ps_version"`
	// Domain is "WORKGROUP" (or another workgroup name) unless joined.
	Domain       string `json:"domain"`
	DomainJoined bool   `json:"domain_joined"`
	// MachineSID prefixes the SIDs of local accounts.
	MachineSID string `json:"machine_sid"`
	// LanguageMode is what $ExecutionContext.SessionState.LanguageMode
	// reports in a powershell.exe a WinRM user starts: "" (FullLanguage,
	// the default) or ConstrainedLanguage, which WDAC or AppLocker script
	// enforcement imposes (learn.microsoft.com about_Language_Modes).
	LanguageMode string `json:"language_mode,omitempty"`
}

// Accounts holds the local SAM (users and groups). Built-in principals
// such as NT AUTHORITY\IUSR are not SAM accounts and live in wellKnown.
type Accounts struct {
	Users  []User  `json:"users"`
	Groups []Group `json:"groups"`
}

// User is a local SAM user.
type User struct {
	Name        string `json:"name"`
	SID         string `json:"sid"`
	FullName    string `json:"full_name,omitempty"`
	Description string `json:"description,omitempty"`
	Disabled    bool   `json:"disabled,omitempty"`
	// Password is held in the simulator's stand-in for protected storage
	// (see sealSecret); empty when the account has no password.
	Password string `json:"password,omitempty"`
}

// Group is a local group. Members are principal names as Windows lists
// them: local users by name, others qualified ("NT AUTHORITY\IUSR",
// "CONTOSO\alice").
type Group struct {
	Name        string   `json:"name"`
	SID         string   `json:"sid"`
	Description string   `json:"description,omitempty"`
	Members     []string `json:"members"`
}

// IISConfig is the part of applicationHost.config the provider manages.
// Attributes are kept as applicationHost.config keeps them: only the ones
// set at a level are present, and reads layer schema default, then the
// defaults element, then the element itself (see schema.go).
type IISConfig struct {
	// PoolDefaults is <applicationPoolDefaults>, keyed like pool attributes.
	PoolDefaults Attrs     `json:"pool_defaults"`
	Pools        []AppPool `json:"pools"`
	// DefaultAppPoolForApps is <applicationDefaults applicationPool=...>:
	// the pool of every application that names none.
	DefaultAppPoolForApps string  `json:"application_defaults_pool"`
	Sites                 []Site  `json:"sites"`
	AnonymousAuth         Section `json:"anonymous_authentication"`
}

// Attrs are the attributes set on one configuration element, keyed by
// their path below it ("managedRuntimeVersion", "processModel.identityType").
// Values are canonical strings; encrypted attributes hold sealed text.
type Attrs map[string]string

// AppPool is one <add> under <applicationPools>.
type AppPool struct {
	Name  string `json:"name"`
	Attrs Attrs  `json:"attrs"`
	// State is runtime state, not configuration: Started or Stopped.
	State string `json:"state"`
	// Schedule is recycling/periodicRestart/schedule: times of day
	// ("03:00:00"), in the order they were added.
	Schedule []string `json:"schedule,omitempty"`
	// Recycles counts the worker process recycles WAS has made for this
	// pool, such as the one every identity change causes. Runtime state.
	Recycles int64 `json:"recycles,omitempty"`
}

// Site is one <site>.
type Site struct {
	Name            string        `json:"name"`
	ID              int64         `json:"id"`
	ServerAutoStart bool          `json:"server_auto_start"`
	Bindings        []Binding     `json:"bindings"`
	Applications    []Application `json:"applications"`
	// State is runtime state: Started or Stopped.
	State string `json:"state"`
}

// Binding is one <binding>.
type Binding struct {
	Protocol           string `json:"protocol"`
	BindingInformation string `json:"binding_information"`
	// CertificateHash and CertificateStoreName are what
	// AddSslCertificate registers with HTTP.sys for an https binding;
	// SslFlags 1 is SNI.
	CertificateHash      string `json:"certificate_hash,omitempty"`
	CertificateStoreName string `json:"certificate_store_name,omitempty"`
	SslFlags             int    `json:"ssl_flags,omitempty"`
}

// Application is one <application> of a site.
type Application struct {
	Path string `json:"path"`
	// ApplicationPool is empty when the element names no pool and the
	// application runs in IISConfig.DefaultAppPoolForApps.
	ApplicationPool    string             `json:"application_pool,omitempty"`
	VirtualDirectories []VirtualDirectory `json:"virtual_directories"`
}

// VirtualDirectory is one <virtualDirectory> of an application.
type VirtualDirectory struct {
	Path         string `json:"path"`
	PhysicalPath string `json:"physical_path"`
}

// Section is a configuration section that can be set at server level and
// in <location> elements of applicationHost.config.
type Section struct {
	// OverrideModeDefault is the <section> declaration's attribute: Deny
	// means web.config files may not set it, only applicationHost.config.
	OverrideModeDefault string     `json:"override_mode_default"`
	Server              Attrs      `json:"server"`
	Locations           []Location `json:"locations"`
	// WebConfig holds copies of the section in sites' and applications'
	// web.config files, keyed by location path. Only an unlocked section
	// (OverrideModeDefault Allow) can get one.
	WebConfig []Location `json:"web_config,omitempty"`
}

// Location is a <location path="Site/app"> element's copy of a section.
type Location struct {
	Path  string `json:"path"`
	Attrs Attrs  `json:"attrs"`
}

// FWRule is a rule in the PersistentStore with its filters folded in, as
// MSFT_NetFirewallRule and its associated filter objects describe it.
// Empty lists and empty strings mean "Any".
type FWRule struct {
	Name                string   `json:"name"`
	DisplayName         string   `json:"display_name"`
	Description         string   `json:"description,omitempty"`
	Group               string   `json:"group,omitempty"`
	DisplayGroup        string   `json:"display_group,omitempty"`
	Enabled             bool     `json:"enabled"`
	Direction           string   `json:"direction"`
	Action              string   `json:"action"`
	Profiles            []string `json:"profiles,omitempty"`
	EdgeTraversalPolicy string   `json:"edge_traversal_policy"`
	Protocol            string   `json:"protocol,omitempty"`
	LocalPorts          []string `json:"local_ports,omitempty"`
	RemotePorts         []string `json:"remote_ports,omitempty"`
	IcmpTypes           []string `json:"icmp_types,omitempty"`
	LocalAddresses      []string `json:"local_addresses,omitempty"`
	RemoteAddresses     []string `json:"remote_addresses,omitempty"`
	Program             string   `json:"program,omitempty"`
	Service             string   `json:"service,omitempty"`
	InterfaceTypes      []string `json:"interface_types,omitempty"`
}
