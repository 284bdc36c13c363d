package hostapi

// IIS application pool operations, through the WebAdministration module
// (New-WebAppPool, Get-Item / Set-ItemProperty on IIS:\AppPools\<name>,
// Start-/Stop-/Remove-WebAppPool), as reference/windows-host.md section 6
// recommends. Pool names are compared case-insensitively, as IIS keys them.
const (
	// OpAppPoolList takes no arguments and returns AppPoolList: every pool
	// with its settings, identity (never its password) and the
	// applications that run in it.
	OpAppPoolList = "apppool.list"
	// OpAppPoolGet takes AppPoolName and returns AppPool, or fails with
	// not_found ("Cannot find path 'IIS:\AppPools\X' because it does not
	// exist.").
	OpAppPoolGet = "apppool.get"
	// OpAppPoolCreate takes AppPoolSettings and returns the pool as read
	// back. Settings left out come from applicationPoolDefaults, as for
	// New-WebAppPool. It fails with already_exists when the name is taken
	// and with invalid_argument for a name IIS or WebAdministration refuses
	// (a leading '.' among them: "Parent node has no children of type
	// appPool.").
	OpAppPoolCreate = "apppool.create"
	// OpAppPoolUpdate takes AppPoolSettings, sets only the settings present,
	// and returns the pool as read back; not_found when it is gone.
	OpAppPoolUpdate = "apppool.update"
	// OpAppPoolDelete takes AppPoolDelete and returns nothing. Unless Force
	// is set it fails with conflict, naming the applications that still run
	// in the pool: IIS itself would remove the pool and leave them answering
	// 503. A started pool is stopped first.
	OpAppPoolDelete = "apppool.delete"
	// OpAppPoolIdentityGet takes AppPoolIdentityQuery and returns
	// AppPoolIdentity. With a salt it also returns the digest of the stored
	// password (see PasswordDigest), never the password itself.
	OpAppPoolIdentityGet = "apppool.identity.get"
	// OpAppPoolIdentitySet takes AppPoolIdentitySettings, writes
	// processModel's identityType, userName, password and logonType in one
	// change (which recycles the pool, as any identity change does), and
	// returns AppPoolIdentity with the digest of the password now stored.
	// Leaving SpecificUser clears userName and password.
	OpAppPoolIdentitySet = "apppool.identity.set"
)

// Pool identity types (processModel.identityType), by the names
// Get-ItemProperty returns.
const (
	IdentityAppPool        = "ApplicationPoolIdentity"
	IdentityLocalService   = "LocalService"
	IdentityNetworkService = "NetworkService"
	IdentitySpecificUser   = "SpecificUser"
	IdentityLocalSystem    = "LocalSystem"
)

// PasswordDigest describes how the host proves it still holds the password
// set at the last apply without sending it: PBKDF2 (RFC 2898) with
// HMAC-SHA1, as .NET Framework's Rfc2898DeriveBytes(string, byte[], int)
// computes it on every supported Windows Server, over the UTF-8 password,
// with the salt and iteration count the caller sends, 32 bytes, base64.
// The iterations make the digest, which the provider keeps in state,
// expensive to test guesses against.
const (
	PasswordDigestBytes         = 32
	PasswordDigestMinSaltBytes  = 16
	PasswordDigestMinIterations = 1000
	PasswordDigestMaxIterations = 1000000
)

// Messages the agent writes itself, because the cmdlets have none for the
// case; the simulator writes the same. Arguments in order.
const (
	// MsgAppPoolInUse refuses to delete a pool applications still run in:
	// the pool's name, how many applications, and their paths joined with
	// ", " ("Default Web Site/shop").
	MsgAppPoolInUse = "Application pool '%s' is still used by %d application(s): %s. " +
		"Applications cannot run without their pool (requests get 503); move them to another pool first."
	// MsgAppPoolExists is New-WebAppPool's refusal of a name in use.
	MsgAppPoolExists = `Destination element already exists, please use "force" parameter to override.`
	// MsgAppPoolBadChars refuses a name with a character of
	// ApplicationPoolCollection.InvalidApplicationPoolNameCharacters.
	MsgAppPoolBadChars = "Invalid application pool name"
)

// AppPoolName selects one pool.
type AppPoolName struct {
	Name string `json:"name"`
}

// AppPoolList is the result of a list, in configuration order.
type AppPoolList struct {
	// ComputerName is the host's NetBIOS name, which the pools' network
	// identity (the computer account, NAME$) is named after.
	ComputerName string    `json:"computer_name"`
	Pools        []AppPool `json:"pools"`
}

// AppPool is a pool as the host reads it: effective values (the pool's
// own, else applicationPoolDefaults', else the schema's), enums by name,
// TimeSpans in .NET's invariant "c" form ("00:20:00", "1.05:00:00").
type AppPool struct {
	Name string `json:"name"`
	// State is the runtime state: Started, Stopped, Starting or Stopping.
	State                 string `json:"state"`
	ManagedRuntimeVersion string `json:"managed_runtime_version"` // "", v1.1, v2.0, v4.0
	ManagedPipelineMode   string `json:"managed_pipeline_mode"`   // Integrated or Classic
	StartMode             string `json:"start_mode"`              // OnDemand or AlwaysRunning
	Enable32BitAppOnWin64 bool   `json:"enable_32bit_app_on_win64"`
	AutoStart             bool   `json:"auto_start"`
	LoadUserProfile       bool   `json:"load_user_profile"`
	IdleTimeout           string `json:"idle_timeout"`

	PeriodicRestart PeriodicRestart `json:"periodic_restart"`

	IdentityType string `json:"identity_type"`
	UserName     string `json:"user_name"`
	LogonType    string `json:"logon_type"` // LogonBatch or LogonService

	// Applications run in this pool, in site order.
	Applications []PoolApplication `json:"applications"`
}

// PeriodicRestart is recycling.periodicRestart. Zero counts are off.
type PeriodicRestart struct {
	Time          string   `json:"time"`
	Requests      int64    `json:"requests"`
	Memory        int64    `json:"memory"`         // KB of virtual memory
	PrivateMemory int64    `json:"private_memory"` // KB of private bytes
	Schedule      []string `json:"schedule"`       // times of day, "hh:mm:ss", sorted
}

// PoolApplication is an application that runs in a pool, with whether
// anonymous requests to it run as the pool's identity (anonymous
// authentication enabled there with userName "").
type PoolApplication struct {
	Site                      string `json:"site"`
	Path                      string `json:"path"`
	AnonymousUsesPoolIdentity bool   `json:"anonymous_uses_pool_identity"`
}

// AppPoolSettings are the settings to write. Absent (nil) fields are left
// as they are (on create: as the defaults give them). A present empty
// Schedule clears the schedule.
type AppPoolSettings struct {
	Name                  string  `json:"name"`
	ManagedRuntimeVersion *string `json:"managed_runtime_version,omitempty"`
	ManagedPipelineMode   *string `json:"managed_pipeline_mode,omitempty"`
	StartMode             *string `json:"start_mode,omitempty"`
	Enable32BitAppOnWin64 *bool   `json:"enable_32bit_app_on_win64,omitempty"`
	AutoStart             *bool   `json:"auto_start,omitempty"`
	LoadUserProfile       *bool   `json:"load_user_profile,omitempty"`
	IdleTimeout           *string `json:"idle_timeout,omitempty"`

	PeriodicRestartTime          *string   `json:"periodic_restart_time,omitempty"`
	PeriodicRestartRequests      *int64    `json:"periodic_restart_requests,omitempty"`
	PeriodicRestartMemory        *int64    `json:"periodic_restart_memory,omitempty"`
	PeriodicRestartPrivateMemory *int64    `json:"periodic_restart_private_memory,omitempty"`
	PeriodicRestartSchedule      *[]string `json:"periodic_restart_schedule,omitempty"`

	// State, Started or Stopped, is applied after the settings.
	State *string `json:"state,omitempty"`
}

// AppPoolDelete selects the pool to delete.
type AppPoolDelete struct {
	Name string `json:"name"`
	// Force deletes the pool even while applications run in it.
	Force bool `json:"force,omitempty"`
}

// PasswordCheck asks the host for the digest of the stored password.
type PasswordCheck struct {
	Salt       string `json:"salt"` // base64, at least PasswordDigestMinSaltBytes
	Iterations int    `json:"iterations"`
}

// AppPoolIdentityQuery selects a pool's identity; Check, when present,
// asks for the password digest.
type AppPoolIdentityQuery struct {
	Name  string         `json:"name"`
	Check *PasswordCheck `json:"check,omitempty"`
}

// AppPoolIdentitySettings is processModel's identity as one unit. Password
// is data sent once, never echoed back: not in results, not in errors.
// Without a password (nil) a SpecificUser pool keeps the one it has, which
// is how a group managed service account, whose password Windows fetches
// from Active Directory, is configured.
type AppPoolIdentitySettings struct {
	Name         string         `json:"name"`
	IdentityType string         `json:"identity_type"`
	UserName     string         `json:"user_name,omitempty"`
	Password     *string        `json:"password,omitempty"`
	LogonType    string         `json:"logon_type,omitempty"`
	Check        *PasswordCheck `json:"check,omitempty"`
}

// AppPoolIdentity is processModel's identity as the host holds it.
type AppPoolIdentity struct {
	Name string `json:"name"`
	// ComputerName is the host's NetBIOS name: on the network, every
	// identity but a specific user acts as the computer account, NAME$.
	ComputerName string `json:"computer_name"`
	IdentityType string `json:"identity_type"`
	UserName     string `json:"user_name"`
	LogonType    string `json:"logon_type"`
	// PasswordSet says processModel.password is not empty.
	PasswordSet bool `json:"password_set"`
	// PasswordDigest answers a PasswordCheck; empty without one or when
	// no password is stored.
	PasswordDigest string `json:"password_digest,omitempty"`
}
