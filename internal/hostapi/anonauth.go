package hostapi

// Anonymous authentication operations, on the section
// system.webServer/security/authentication/anonymousAuthentication
// (reference/windows-host.md section 3). Every write goes to
// applicationHost.config (MACHINE/WEBROOT/APPHOST, with a <location> element
// below the server level), which works while the section is locked for
// web.config files, as it is on a stock host.
//
// A location is "" for the server level, a site name ("Default Web Site"),
// or a site name and an application path ("Default Web Site/shop"), always
// without leading or trailing slashes. Operations that take a location fail
// with not_found when no site or application of that path exists: IIS
// itself would write a <location> element for any path.
const (
	// OpAnonAuthGet takes AnonAuthLocation and returns AnonAuth.
	OpAnonAuthGet = "anonauth.get"
	// OpAnonAuthSet takes AnonAuthSettings, writes enabled, userName and
	// password at the location in one go, and returns AnonAuth as read
	// back.
	OpAnonAuthSet = "anonauth.set"
	// OpAnonAuthClear takes AnonAuthLocation and returns AnonAuth as read
	// back. Below the server level it removes the location's own settings
	// (Clear-WebConfiguration), so the location inherits again; clearing a
	// location that has none succeeds. At the server level it restores the
	// stock element, <anonymousAuthentication enabled="true"
	// userName="IUSR" />, because clearing there would leave the schema
	// defaults, which disable anonymous access for every site.
	OpAnonAuthClear = "anonauth.clear"
	// OpAnonAuthResolve takes no arguments and returns AnonAuthResolution:
	// every site and application with the pool it runs in and that pool's
	// identity, from which the provider tells whether a location exists
	// and who anonymous requests there would run as.
	OpAnonAuthResolve = "anonauth.resolve"
)

// AnonAuthLocation names one location. Check, when present, asks
// OpAnonAuthGet for the digest of the stored password (PasswordDigest).
type AnonAuthLocation struct {
	Location string         `json:"location"`
	Check    *PasswordCheck `json:"check,omitempty"`
}

// AnonAuth is the section as read at one location: the effective values
// (what requests there get, inheritance included), and whether the location
// has its own settings.
type AnonAuth struct {
	// Location is spelled as the host spells the site and application
	// ("Default Web Site/Shop" for a request that said "default web
	// site/shop").
	Location string `json:"location"`
	// Configured is true when applicationHost.config holds the section
	// for this location itself (IsLocallyStored); always true at the
	// server level.
	Configured bool `json:"configured"`
	Enabled    bool `json:"enabled"`
	// UserName is "IUSR" for the built-in anonymous account, "" for the
	// application pool identity, else the account.
	UserName string `json:"user_name"`
	// PasswordSet says a password is stored. The password itself never
	// travels back: an administrator's read would show it in clear text.
	PasswordSet bool `json:"password_set"`
	// LogonMethod is Interactive, Batch, Network or ClearText.
	LogonMethod string `json:"logon_method"`
	// PasswordDigest answers a PasswordCheck; empty without one or when
	// no password is stored.
	PasswordDigest string `json:"password_digest,omitempty"`
}

// AnonAuthSettings are the values OpAnonAuthSet writes. Password is written
// as given ("" clears it); it is data, never part of a message. Check, when
// present, asks for the digest of the password as written; a bad one is
// refused before anything is written.
type AnonAuthSettings struct {
	Location string         `json:"location"`
	Enabled  bool           `json:"enabled"`
	UserName string         `json:"user_name"`
	Password string         `json:"password"`
	Check    *PasswordCheck `json:"check,omitempty"`
}

// AnonAuthResolution is every application on the host with its pool and
// that pool's identity: what the provider needs, before any change, to tell
// which account anonymous requests at a location would run as. The group
// membership of an account comes from OpAccountResolve.
type AnonAuthResolution struct {
	ComputerName string `json:"computer_name"`
	// Applications in configuration order: sites in order, each site's
	// applications in order, the root application ("/") first.
	Applications []AnonAuthApplication `json:"applications"`
}

// AnonAuthApplication is one application and the pool it runs in.
type AnonAuthApplication struct {
	Site string `json:"site"`
	// Path is the application path, "/" for the site's root application.
	Path string `json:"path"`
	// Pool is the effective applicationPool (applicationDefaults' when the
	// application names none).
	Pool string `json:"pool"`
	// PoolFound is false when the pool does not exist (requests get 503).
	PoolFound bool `json:"pool_found"`
	// IdentityType is the pool's effective processModel.identityType
	// (LocalSystem, LocalService, NetworkService, SpecificUser or
	// ApplicationPoolIdentity); empty when the pool does not exist.
	IdentityType string `json:"identity_type"`
	// UserName is processModel.userName when IdentityType is SpecificUser.
	UserName string `json:"user_name"`
}
