package risk

import (
	"fmt"
	"strings"
)

// Content access: what granting an account read, modify or full control on
// a directory exposes. The seed's advice is that the anonymous account
// reads exactly the content it should see and that each site runs under an
// identity of its own, so the level rises with what the grant lets an
// attacker who controls that account do, and with how many sites share it.
//
//	least   read of content the account's own sites serve
//	low     read that crosses a site boundary: the account runs code in a
//	        site the directory does not belong to
//	medium  modify outside every web root (an upload or data folder)
//	high    modify inside a web root: code running as the account can
//	        change what is served, or drop a script that the site runs
//	full    full control: the account can also rewrite the directory's
//	        permissions and take ownership

// Access levels of a content grant.
const (
	AccessRead   = "read"
	AccessModify = "modify"
	AccessFull   = "full"
)

// ContentGrant is what is known of one grant: the account, the level and
// the directory, and what the host's sites say about both.
type ContentGrant struct {
	Account string
	Access  string
	Path    string
	// WebRootOf names the sites and applications whose content the
	// directory is (their physical path is the directory or above it).
	WebRootOf []string
	// RunsCodeIn names the sites and applications whose worker process
	// or anonymous requests run as Account.
	RunsCodeIn []string
	// ServesAnonymous names the locations where anonymous requests are
	// answered by code running as Account (its pool serves them, or it is
	// the anonymous identity there).
	ServesAnonymous []string
}

// ContentRisk is a grant's level, the one-line exposure
// ("IIS APPPOOL\shop can modify D:\sites\shop: writable web root") and the
// reason with everything that raised or explains the level.
type ContentRisk struct {
	Privilege Privilege
	Exposure  string
	Reason    string
	// Crossed names the sites the account runs code in that the directory
	// does not belong to: the boundaries the grant removes.
	Crossed []string
}

// ClassifyContent scores a grant. An access level it does not know is
// taken as full, so an unreadable value never lowers the level.
func ClassifyContent(g ContentGrant) ContentRisk {
	webRoot := len(g.WebRootOf) > 0
	var r ContentRisk
	var verb, tag string
	switch g.Access {
	case AccessRead:
		verb, r.Privilege = "read", PrivilegeLeast
		tag = "read-only, outside every web root"
		if webRoot {
			tag = "read-only web content"
		}
	case AccessModify:
		verb = "modify"
		r.Privilege, tag = PrivilegeMedium, "writable, outside every web root"
		if webRoot {
			r.Privilege, tag = PrivilegeHigh, "writable web root"
		}
	case AccessFull:
		verb, r.Privilege = "take full control of", PrivilegeFull
		tag = "can change its permissions and take ownership"
		if webRoot {
			tag = "full control of a web root, permissions and ownership included"
		}
	default:
		// Rights no grant writes (an entry changed outside Terraform):
		// scored as full control until someone has looked at them.
		r.Privilege = PrivilegeFull
		r.Exposure = fmt.Sprintf("%s holds %s on %s: rights this provider does not grant, taken as full control: needs review", g.Account, g.Access, g.Path)
	}
	if r.Exposure == "" {
		r.Exposure = fmt.Sprintf("%s can %s %s: %s", g.Account, verb, g.Path, tag)
	}

	var notes []string
	if webRoot {
		notes = append(notes, "it is the content of "+strings.Join(g.WebRootOf, ", "))
		for _, site := range g.RunsCodeIn {
			if !containsFold(g.WebRootOf, site) {
				r.Crossed = append(r.Crossed, site)
			}
		}
	}
	if len(r.Crossed) > 0 {
		notes = append(notes, fmt.Sprintf("%s also runs code in %s, which this directory does not belong to: the boundary between them is gone",
			g.Account, strings.Join(r.Crossed, ", ")))
		if r.Privilege < PrivilegeLow {
			r.Privilege = PrivilegeLow
		}
	}
	if len(g.ServesAnonymous) > 0 {
		notes = append(notes, fmt.Sprintf("%s serves anonymous requests at %s", g.Account, strings.Join(g.ServesAnonymous, ", ")))
	}
	r.Reason = r.Exposure
	if len(notes) > 0 {
		r.Reason += "; " + strings.Join(notes, "; ")
	}
	return r
}

// WritesForAnonymous reports whether the grant lets code that answers
// anonymous requests write: modify or full control for an account that
// serves them.
func (g ContentGrant) WritesForAnonymous() bool {
	return g.Access != AccessRead && len(g.ServesAnonymous) > 0
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Runner is a site or application and the accounts that run code in it.
type Runner struct {
	Name     string
	Accounts []string
}

// Shared is an account that runs code in more than one site or
// application.
type Shared struct {
	Account string
	With    []string
}

// SharedAccounts lists, for each of self's accounts, the others that run
// code as the same account: where the boundary between self and them is
// gone. Accounts compare without regard to case, "IUSR" equal to
// "NT AUTHORITY\IUSR".
func SharedAccounts(self Runner, others []Runner) []Shared {
	var out []Shared
	for _, acct := range self.Accounts {
		var with []string
		for _, o := range others {
			if strings.EqualFold(o.Name, self.Name) {
				continue
			}
			for _, oa := range o.Accounts {
				if sameAccount(oa, acct) && !containsFold(with, o.Name) {
					with = append(with, o.Name)
				}
			}
		}
		if len(with) > 0 {
			out = append(out, Shared{Account: acct, With: with})
		}
	}
	return out
}

func sameAccount(a, b string) bool {
	norm := func(s string) string {
		if d, u, ok := strings.Cut(strings.TrimSpace(s), `\`); ok && strings.EqualFold(d, "NT AUTHORITY") {
			return strings.ToLower(u)
		}
		return strings.ToLower(strings.TrimSpace(s))
	}
	return norm(a) == norm(b)
}
