package iis

import (
	"context"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// PoolIdentity is a pool's processModel identity as the host holds it.
type PoolIdentity struct {
	Pool string
	// ComputerName is the host's NetBIOS name.
	ComputerName string
	Identity
	// PasswordSet says a password is stored (for SpecificUser, or left over
	// from it on a host where nobody cleared it).
	PasswordSet bool
	// Proof is the digest of the stored password under the salt the
	// request carried; empty without one or when no password is stored.
	Proof PasswordProof
}

// IdentitySettings is the identity to give a pool. Password, when not nil,
// travels to the host as request data only.
type IdentitySettings struct {
	Pool      string
	Type      string
	UserName  string
	Password  *string
	LogonType string
}

func identityFromWire(w hostapi.AppPoolIdentity, check *hostapi.PasswordCheck) PoolIdentity {
	id := PoolIdentity{
		Pool:         w.Name,
		ComputerName: w.ComputerName,
		Identity: Identity{
			Type:      canonicalEnum(w.IdentityType, IdentityTypes()),
			UserName:  w.UserName,
			LogonType: canonicalEnum(w.LogonType, LogonTypes()),
		},
		PasswordSet: w.PasswordSet,
	}
	id.Proof = proofFromWire(check, w.PasswordDigest)
	return id
}

// GetPoolIdentity reads a pool's identity. With a proof it also asks for
// the digest of the stored password under that proof's salt, so the caller
// can compare it with proof.Matches.
func GetPoolIdentity(ctx context.Context, c Caller, pool string, proof PasswordProof) (PoolIdentity, error) {
	check := proof.Check()
	var w hostapi.AppPoolIdentity
	if err := c.Call(ctx, hostapi.OpAppPoolIdentityGet, hostapi.AppPoolIdentityQuery{Name: pool, Check: check}, &w); err != nil {
		return PoolIdentity{}, fmt.Errorf("read the identity of application pool %q: %w", pool, err)
	}
	return identityFromWire(w, check), nil
}

// CheckIdentity says what is wrong with an identity before a host sees it.
func CheckIdentity(s IdentitySettings) error {
	typ := canonicalEnum(s.Type, IdentityTypes())
	switch {
	case !contains(IdentityTypes(), typ):
		return fmt.Errorf("identity type %q is not one of %s", s.Type, quoteList(IdentityTypes()))
	case s.LogonType != "" && !contains(LogonTypes(), s.LogonType):
		return fmt.Errorf("logon type %q is not one of %s", s.LogonType, quoteList(LogonTypes()))
	case typ == hostapi.IdentitySpecificUser && strings.TrimSpace(s.UserName) == "":
		return fmt.Errorf("identity type SpecificUser needs a user name")
	case typ == hostapi.IdentitySpecificUser && s.Password == nil && !IsManagedServiceAccount(s.UserName):
		return fmt.Errorf("user %q needs a password; only group managed service accounts (DOMAIN\\name$) do without", s.UserName)
	case typ == hostapi.IdentitySpecificUser && s.Password != nil && IsManagedServiceAccount(s.UserName):
		return fmt.Errorf("%q is a group managed service account, whose password Windows fetches from Active Directory; give no password", s.UserName)
	case typ != hostapi.IdentitySpecificUser && (s.UserName != "" || s.Password != nil):
		return fmt.Errorf("a user name and password apply only to identity type SpecificUser, not %s", typ)
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// SetPoolIdentity gives a pool its identity in one change, which recycles
// the pool. Leaving SpecificUser clears the user name and password on the
// host. The returned identity carries a fresh proof of the password the
// host now stores, when it stores one.
func SetPoolIdentity(ctx context.Context, c Caller, s IdentitySettings) (PoolIdentity, error) {
	if err := CheckIdentity(s); err != nil {
		return PoolIdentity{}, fmt.Errorf("set the identity of application pool %q: %w", s.Pool, err)
	}
	check, err := NewPasswordCheck(DefaultProofIterations)
	if err != nil {
		return PoolIdentity{}, err
	}
	args := hostapi.AppPoolIdentitySettings{
		Name:         s.Pool,
		IdentityType: canonicalEnum(s.Type, IdentityTypes()),
		LogonType:    s.LogonType,
		Check:        check,
	}
	if args.IdentityType == hostapi.IdentitySpecificUser {
		args.UserName = s.UserName
		args.Password = s.Password
	}
	var w hostapi.AppPoolIdentity
	if err := c.Call(ctx, hostapi.OpAppPoolIdentitySet, args, &w); err != nil {
		return PoolIdentity{}, fmt.Errorf("set the identity of application pool %q: %w", s.Pool, err)
	}
	return identityFromWire(w, check), nil
}

// IsManagedServiceAccount reports whether a user name is a (group) managed
// service account, DOMAIN\name$, whose password Active Directory manages.
func IsManagedServiceAccount(user string) bool {
	d, u, ok := strings.Cut(user, `\`)
	return ok && d != "" && d != "." && len(u) > 1 && strings.HasSuffix(u, "$")
}

// Well-known accounts the identity types run as.
const (
	AccountLocalSystem    = `NT AUTHORITY\SYSTEM`
	AccountLocalService   = `NT AUTHORITY\LOCAL SERVICE`
	AccountNetworkService = `NT AUTHORITY\NETWORK SERVICE`
)

// AccountFor is the Windows account a pool's worker process runs as: the
// per-pool virtual account IIS AppPool\<pool>, a service account, or the
// user. It is pure, so plans can show it before anything is applied.
func AccountFor(pool, identityType, userName string) string {
	switch canonicalEnum(identityType, IdentityTypes()) {
	case hostapi.IdentityAppPool:
		return `IIS AppPool\` + pool
	case hostapi.IdentityLocalService:
		return AccountLocalService
	case hostapi.IdentityNetworkService:
		return AccountNetworkService
	case hostapi.IdentityLocalSystem:
		return AccountLocalSystem
	}
	return userName
}

// Account is what the host knows of a principal.
type Account struct {
	Name           string // canonical, as Windows writes it
	SID            string
	Found          bool
	Kind           string // hostapi.Account* kinds
	Enabled        bool
	Groups         []string
	GroupsResolved bool
}

// ResolveAccount asks the host who a principal is and which groups it is
// in. A name the host cannot resolve is not an error: Found is false.
func ResolveAccount(ctx context.Context, c Caller, name string) (Account, error) {
	var w hostapi.Account
	if err := c.Call(ctx, hostapi.OpAccountResolve, hostapi.AccountName{Name: name}, &w); err != nil {
		return Account{}, fmt.Errorf("resolve account %q: %w", name, err)
	}
	a := Account(w)
	if a.Groups == nil {
		a.Groups = []string{}
	}
	return a, nil
}
