package risk

import (
	"strings"
	"testing"
)

// Any account name a user or a host can write (DOMAIN\user, user@domain,
// .\user, built-ins, hostile text) gets a valid level and a reason, and
// the reason never carries more than the name itself.
func FuzzClassifyAccountName(f *testing.F) {
	for _, s := range []string{`CORP\svc-web`, `svc@corp.example.com`, `.\admin`, `NT AUTHORITY\NETWORK SERVICE`, `IIS AppPool\shop`,
		"IUSR", `WEB01\Administrator`, "\u2018quoted\u201d$(x)`\\@", "a\\b\\c@d@e", ""} {
		f.Add(s, "SpecificUser", "Administrators")
	}
	f.Fuzz(func(t *testing.T, account, typ, group string) {
		p, reason := ClassifyIdentity(Identity{Type: typ, Account: account, Groups: []string{group}, Resolved: true, ComputerName: "WEB01"})
		if _, err := ParsePrivilege(p.String()); err != nil {
			t.Fatalf("%q as %q: level %v is not a level: %v", account, typ, p, err)
		}
		if strings.TrimSpace(reason) == "" {
			t.Fatalf("%q as %q: no reason", account, typ)
		}
		d, u := splitAccount(account)
		if strings.Contains(d, `\`) && !strings.Contains(account, `\`) || len(d)+len(u) > len(account) {
			t.Fatalf("split %q into %q and %q", account, d, u)
		}
	})
}
