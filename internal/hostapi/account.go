package hostapi

// Account operations: what the host knows of a Windows principal, so that
// the privilege of an identity can be judged from its real group
// membership rather than from its name.
const (
	// OpAccountResolve takes AccountName and returns Account. A name the
	// host cannot translate to a SID is not an error: the result says
	// Found false, which the provider reports as "needs review".
	OpAccountResolve = "account.resolve"
)

// Account kinds.
const (
	AccountUser    = "user"    // local SAM user
	AccountGroup   = "group"   // local group
	AccountBuiltin = "builtin" // NT AUTHORITY\..., Everyone: no SAM entry
	AccountVirtual = "virtual" // IIS AppPool\<pool>
	AccountDomain  = "domain"  // a principal of the host's domain
)

// AccountName names a principal as a user would write it: user, .\user,
// HOST\user, DOMAIN\user, user@domain, NT AUTHORITY\NETWORK SERVICE.
type AccountName struct {
	Name string `json:"name"`
}

// Account is a principal as the host resolves it.
type Account struct {
	// Name is the principal's canonical name as Windows writes it
	// (HOST\user for a local user); empty when not found.
	Name  string `json:"name"`
	SID   string `json:"sid"`
	Found bool   `json:"found"`
	Kind  string `json:"kind,omitempty"`
	// Enabled is false for a disabled local user.
	Enabled bool `json:"enabled"`
	// Groups are the groups the principal is a member of, by name.
	Groups []string `json:"groups"`
	// GroupsResolved says Groups is complete: every local group was read,
	// and for a domain account its token groups could be read too.
	GroupsResolved bool `json:"groups_resolved"`
}
