package risk

import (
	"fmt"
	"strings"
)

// Identity is what is known of the account a worker process (or anonymous
// requests) run as.
type Identity struct {
	// Type is the app pool's processModel.identityType: ApplicationPoolIdentity,
	// LocalService, NetworkService, SpecificUser or LocalSystem, by name
	// (any case) or IIS number (0-4). Empty means Account alone decides, as
	// for anonymous authentication's userName.
	Type string
	// Account is the user name for SpecificUser (DOMAIN\user, HOST\user,
	// .\user, user or user@domain), or a built-in name such as IUSR. For
	// ApplicationPoolIdentity it may name the pool's IIS AppPool\<pool>
	// account, which only improves the reason.
	Account string
	// Groups are the account's known group memberships, as names
	// (Administrators, BUILTIN\Administrators, CORP\Domain Admins) or SIDs.
	Groups []string
	// Resolved says Groups is the complete membership. Without it an
	// account that shows no administrative group is "unknown", not low.
	Resolved bool
	// ComputerName is the host's name, which tells HOST\user (a local
	// account) from DOMAIN\user. If empty, any prefix other than "." or
	// BUILTIN is taken for a domain.
	ComputerName string
}

// IIS numbers identityType 0-4 in this order (processModel schema).
var identityTypes = []string{"LocalSystem", "LocalService", "NetworkService", "SpecificUser", "ApplicationPoolIdentity"}

const systemReason = "full control of the host, acts as the computer account on the network"

// ClassifyIdentity returns the privilege level of an identity and one line
// saying why, following reference/windows-host.md section 2. Passwords are
// never part of Identity, so they cannot reach the reason.
func ClassifyIdentity(id Identity) (Privilege, string) {
	typ := strings.TrimSpace(id.Type)
	for i, name := range identityTypes {
		if strings.EqualFold(typ, name) || typ == fmt.Sprint(i) {
			typ = name
		}
	}
	switch typ {
	case "LocalSystem":
		return PrivilegeFull, "LocalSystem: " + systemReason
	case "LocalService":
		return PrivilegeLow, "LocalService: shared service account with minimal local rights but SeImpersonatePrivilege; anonymous on the network"
	case "NetworkService":
		return PrivilegeMedium, "NetworkService: shared service account; on the network it acts as the computer account " +
			computerAccount(id.ComputerName) + ", so anything granted to the computer (SQL, file shares) is reachable"
	case "ApplicationPoolIdentity":
		name := "IIS AppPool\\<pool>"
		if d, u := splitAccount(id.Account); strings.EqualFold(d, "IIS AppPool") && u != "" {
			name = "IIS AppPool\\" + u
		}
		return PrivilegeLeast, "ApplicationPoolIdentity: per-pool virtual account " + name +
			", isolated from other pools; on the network it acts as the computer account " + computerAccount(id.ComputerName)
	case "SpecificUser", "":
		return classifyAccount(id)
	}
	return PrivilegeHigh, fmt.Sprintf("identity type %q is not one IIS defines (%s): needs review", id.Type, strings.Join(identityTypes, ", "))
}

func classifyAccount(id Identity) (Privilege, string) {
	account := strings.TrimSpace(id.Account)
	if account == "" {
		if id.Type == "" {
			return PrivilegeHigh, "no identity given: needs review"
		}
		return PrivilegeHigh, "SpecificUser without a user name: the pool cannot start as intended; needs review"
	}
	domain, user := splitAccount(account)
	switch {
	case strings.EqualFold(user, "IUSR") && (domain == "" || strings.EqualFold(domain, "NT AUTHORITY")):
		return PrivilegeLeast, account + ": built-in anonymous account (S-1-5-17) with no password; anonymous on the network"
	case strings.EqualFold(domain, "IIS AppPool"):
		return PrivilegeLeast, account + ": per-pool virtual account, isolated from other pools; on the network it acts as the computer account " +
			computerAccount(id.ComputerName)
	case isWellKnown(domain, user, "SYSTEM", "LocalSystem"):
		return PrivilegeFull, account + " (LocalSystem): " + systemReason
	case isWellKnown(domain, user, "LOCAL SERVICE", "LocalService"):
		return ClassifyIdentity(Identity{Type: "LocalService"})
	case isWellKnown(domain, user, "NETWORK SERVICE", "NetworkService"):
		return ClassifyIdentity(Identity{Type: "NetworkService", ComputerName: id.ComputerName})
	}
	if g := findGroup(id.Groups, adminGroups); g != "" {
		return PrivilegeFull, fmt.Sprintf("%s: member of %s: %s", account, g, "full control of the host")
	}
	if strings.EqualFold(user, "Administrator") {
		return PrivilegeFull, account + ": the built-in Administrator account: full control of the host"
	}
	if g := findGroup(id.Groups, operatorGroups); g != "" {
		return PrivilegeHigh, fmt.Sprintf("%s: member of %s, whose rights come close to an administrator's", account, g)
	}
	local := isLocal(domain, id.ComputerName)
	if !local && strings.HasSuffix(user, "$") {
		// A gMSA's password is managed by AD and it cannot log on
		// interactively; what it can reach is its domain rights.
		return PrivilegeMedium, account + ": group managed service account; a domain identity whose rights on other machines give lateral reach"
	}
	if !id.Resolved {
		return PrivilegeHigh, account + ": group membership unknown, needs review"
	}
	if local {
		return PrivilegeMedium, account + ": ordinary local account, in no administrative group"
	}
	return PrivilegeMedium, account + ": domain account in no administrative group; its rights on other machines give lateral reach"
}

// adminGroups make an account as powerful as LocalSystem: Administrators
// locally, and Domain Admins and Enterprise Admins, which domain join puts
// in the local Administrators group.
var adminGroups = []string{"Administrators", "S-1-5-32-544", "Domain Admins", "Enterprise Admins", "-512", "-519"}

// operatorGroups hold privileges (backup, service control, account
// management) that lead to administrator.
var operatorGroups = []string{"Backup Operators", "S-1-5-32-551", "Server Operators", "S-1-5-32-549", "Account Operators", "S-1-5-32-548"}

// findGroup returns the first group that matches one of names by its name
// part (after any DOMAIN\ prefix), or by SID; a name starting with "-"
// matches a domain SID's relative ID.
func findGroup(groups, names []string) string {
	for _, g := range groups {
		_, name := splitAccount(strings.TrimSpace(g))
		for _, want := range names {
			switch {
			case strings.HasPrefix(want, "-"):
				if strings.HasPrefix(strings.ToUpper(name), "S-1-5-21-") && strings.HasSuffix(name, want) {
					return g
				}
			case strings.EqualFold(name, want):
				return g
			}
		}
	}
	return ""
}

// splitAccount splits DOMAIN\user or user@domain; a bare name has no domain.
func splitAccount(account string) (domain, user string) {
	if d, u, ok := strings.Cut(account, `\`); ok {
		return d, u
	}
	if u, d, ok := strings.Cut(account, "@"); ok {
		return d, u
	}
	return "", account
}

func isWellKnown(domain, user, name, alias string) bool {
	if strings.EqualFold(user, alias) && domain == "" {
		return true
	}
	return strings.EqualFold(user, name) && (domain == "" || strings.EqualFold(domain, "NT AUTHORITY"))
}

// isLocal tells a local account (.\user, HOST\user, BUILTIN\x, or a bare
// name, which LogonUser looks up locally first) from a domain account.
func isLocal(domain, computer string) bool {
	switch {
	case domain == "", domain == ".", strings.EqualFold(domain, "BUILTIN"):
		return true
	case computer != "" && strings.EqualFold(domain, computer):
		return true
	}
	return false
}

func computerAccount(computer string) string {
	if computer == "" {
		return "(DOMAIN\\HOST$)"
	}
	return "(" + strings.ToUpper(computer) + "$)"
}
