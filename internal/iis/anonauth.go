package iis

import (
	"context"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// Anonymous authentication identities, as the provider names them. On the
// host they are the section's userName: "IUSR", "" (the application pool
// identity), or an account.
const (
	AnonIUSR         = "iusr"
	AnonAppPool      = "app_pool"
	AnonSpecificUser = "specific_user"
)

// AnonIdentities lists the identities in the order documentation shows.
func AnonIdentities() []string { return []string{AnonIUSR, AnonAppPool, AnonSpecificUser} }

// AccountIUSR is the built-in anonymous account (S-1-5-17), which the
// section names "IUSR".
const AccountIUSR = `NT AUTHORITY\IUSR`

// InvalidSiteNameChars are refused in IIS site names; '/' among them is what
// lets a location's first '/' end the site name.
const InvalidSiteNameChars = `\/?;:@&=+$,|"<>*`

// AnonymousAuth is the section as requests at one location get it.
type AnonymousAuth struct {
	// Location as the host spells it; "" is the server level.
	Location string
	// Configured says applicationHost.config holds settings for this
	// location itself (always true at the server level); without them the
	// location inherits.
	Configured bool
	Enabled    bool
	// Identity is AnonIUSR, AnonAppPool or AnonSpecificUser; UserName is
	// the account for AnonSpecificUser and empty otherwise.
	Identity    string
	UserName    string
	PasswordSet bool
	LogonMethod string
	// Proof is the digest of the stored password under the salt the
	// request carried; empty without one or when no password is stored.
	Proof PasswordProof
}

// AnonSettings are what SetAnonymousAuth writes at a location. Password is
// sent as data only; it is ignored unless Identity is AnonSpecificUser.
type AnonSettings struct {
	Location string
	Enabled  bool
	Identity string
	UserName string
	Password string
}

// IdentityFromUserName reads the section's userName: "IUSR" (or its
// qualified name) is the built-in account, "" the pool identity, anything
// else a specific user.
func IdentityFromUserName(userName string) (identity, user string) {
	switch {
	case userName == "":
		return AnonAppPool, ""
	case strings.EqualFold(userName, "IUSR"), strings.EqualFold(userName, AccountIUSR):
		return AnonIUSR, ""
	}
	return AnonSpecificUser, userName
}

// UserNameFor is the section's userName for an identity.
func UserNameFor(identity, user string) string {
	switch identity {
	case AnonIUSR:
		return "IUSR"
	case AnonAppPool:
		return ""
	}
	return user
}

// ValidateLocation checks the form of a location: "" for the server level,
// a site name, or a site name and an application path separated by '/',
// with no leading, trailing or doubled '/'. Whether it exists is for the
// host to say (ResolveLocations).
func ValidateLocation(loc string) error {
	if loc == "" {
		return nil
	}
	if strings.HasPrefix(loc, "/") || strings.HasSuffix(loc, "/") || strings.Contains(loc, "//") {
		return fmt.Errorf("location %q must not start or end with '/' or contain '//': write \"\" for the server level, "+
			"\"Site\" for a site or \"Site/app\" for an application", loc)
	}
	if strings.ContainsAny(loc, `\|`) {
		return fmt.Errorf("location %q contains '\\' or '|': separate the site and the application path with '/', as in \"Default Web Site/shop\"", loc)
	}
	site, _, _ := strings.Cut(loc, "/")
	if strings.TrimSpace(site) != site {
		return fmt.Errorf("site name %q in location %q starts or ends with white space", site, loc)
	}
	if i := strings.IndexAny(site, InvalidSiteNameChars); i >= 0 {
		return fmt.Errorf("site name %q in location %q contains %q, which IIS does not allow in site names", site, loc, site[i:i+1])
	}
	for _, r := range loc {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("location %q contains a control character", loc)
		}
	}
	return nil
}

func anonFromWire(w hostapi.AnonAuth, check *hostapi.PasswordCheck) AnonymousAuth {
	id, user := IdentityFromUserName(w.UserName)
	return AnonymousAuth{
		Location: w.Location, Configured: w.Configured, Enabled: w.Enabled,
		Identity: id, UserName: user, PasswordSet: w.PasswordSet, LogonMethod: w.LogonMethod,
		Proof: proofFromWire(check, w.PasswordDigest),
	}
}

// GetAnonymousAuth reads the section at a location. With a proof it also
// asks for the digest of the stored password under that proof's salt, so
// the caller can compare it with proof.Matches. A location with no site or
// application is an error for which IsNotFound is true.
func GetAnonymousAuth(ctx context.Context, c Caller, location string, proof PasswordProof) (AnonymousAuth, error) {
	check := proof.Check()
	var w hostapi.AnonAuth
	if err := c.Call(ctx, hostapi.OpAnonAuthGet, hostapi.AnonAuthLocation{Location: location, Check: check}, &w); err != nil {
		return AnonymousAuth{}, fmt.Errorf("read anonymous authentication at %s: %w", describeLocation(location), err)
	}
	return anonFromWire(w, check), nil
}

// SetAnonymousAuth writes enabled, the identity and its password at the
// location, in applicationHost.config, and returns the section as read
// back. For the built-in account and the pool identity the password is
// cleared, so no stale credential stays behind. The result carries a fresh
// proof of the password the host now stores, when it stores one.
func SetAnonymousAuth(ctx context.Context, c Caller, s AnonSettings) (AnonymousAuth, error) {
	if err := checkAnonSettings(s); err != nil {
		return AnonymousAuth{}, err
	}
	check, err := NewPasswordCheck(DefaultProofIterations)
	if err != nil {
		return AnonymousAuth{}, err
	}
	args := hostapi.AnonAuthSettings{Location: s.Location, Enabled: s.Enabled, UserName: UserNameFor(s.Identity, s.UserName), Check: check}
	if s.Identity == AnonSpecificUser {
		args.Password = s.Password
	}
	var w hostapi.AnonAuth
	if err := c.Call(ctx, hostapi.OpAnonAuthSet, args, &w); err != nil {
		return AnonymousAuth{}, fmt.Errorf("set anonymous authentication at %s: %w", describeLocation(s.Location), err)
	}
	return anonFromWire(w, check), nil
}

func checkAnonSettings(s AnonSettings) error {
	if err := ValidateLocation(s.Location); err != nil {
		return err
	}
	switch s.Identity {
	case AnonIUSR, AnonAppPool:
		if s.UserName != "" {
			return fmt.Errorf("identity %s takes no user name", s.Identity)
		}
	case AnonSpecificUser:
		if id, _ := IdentityFromUserName(s.UserName); id != AnonSpecificUser {
			return fmt.Errorf("identity %s needs the user name of an account other than IUSR", s.Identity)
		}
	default:
		return fmt.Errorf("identity %q is not one of %s", s.Identity, strings.Join(AnonIdentities(), ", "))
	}
	return nil
}

// ClearAnonymousAuth removes the location's own settings, so it inherits
// again, and returns what it inherits. At the server level it restores the
// stock settings (enabled, IUSR).
func ClearAnonymousAuth(ctx context.Context, c Caller, location string) (AnonymousAuth, error) {
	var w hostapi.AnonAuth
	if err := c.Call(ctx, hostapi.OpAnonAuthClear, hostapi.AnonAuthLocation{Location: location}, &w); err != nil {
		return AnonymousAuth{}, fmt.Errorf("clear anonymous authentication at %s: %w", describeLocation(location), err)
	}
	return anonFromWire(w, nil), nil
}

func describeLocation(loc string) string {
	if loc == "" {
		return "the server level"
	}
	return fmt.Sprintf("location %q", loc)
}
