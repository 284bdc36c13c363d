package risk

import (
	"strings"
	"testing"
)

// Every row of reference/windows-host.md section 2, plus the anonymous
// authentication accounts.
func TestClassifyIdentity(t *testing.T) {
	tests := []struct {
		name   string
		id     Identity
		want   Privilege
		reason []string
	}{
		{"application pool identity", Identity{Type: "ApplicationPoolIdentity", Account: `IIS AppPool\shop`, ComputerName: "web01"},
			PrivilegeLeast, []string{`IIS AppPool\shop`, "isolated", "computer account (WEB01$)"}},
		{"identity type by IIS number", Identity{Type: "4"}, PrivilegeLeast, []string{"ApplicationPoolIdentity"}},
		{"local service", Identity{Type: "localservice"}, PrivilegeLow, []string{"anonymous on the network", "SeImpersonatePrivilege"}},
		{"network service", Identity{Type: "NetworkService", ComputerName: "web01"}, PrivilegeMedium, []string{"WEB01$", "computer account"}},
		{"local system", Identity{Type: "LocalSystem"}, PrivilegeFull,
			[]string{"LocalSystem: full control of the host, acts as the computer account on the network"}},
		{"local system by number", Identity{Type: "0"}, PrivilegeFull, []string{"LocalSystem"}},
		{"IUSR", Identity{Account: "IUSR"}, PrivilegeLeast, []string{"anonymous"}},
		{"NT AUTHORITY IUSR", Identity{Type: "SpecificUser", Account: `NT AUTHORITY\IUSR`}, PrivilegeLeast, []string{"no password"}},
		{"virtual account as a user name", Identity{Type: "SpecificUser", Account: `IIS AppPool\shop`}, PrivilegeLeast, []string{"virtual account"}},
		{"SYSTEM as a user name", Identity{Type: "SpecificUser", Account: `NT AUTHORITY\SYSTEM`}, PrivilegeFull, []string{"LocalSystem"}},
		{"NETWORK SERVICE as a user name", Identity{Type: "SpecificUser", Account: `NT AUTHORITY\NETWORK SERVICE`}, PrivilegeMedium, []string{"NetworkService"}},
		{"local administrator member", Identity{Type: "SpecificUser", Account: `WEB01\svc`, ComputerName: "web01",
			Groups: []string{"Users", `BUILTIN\Administrators`}, Resolved: true},
			PrivilegeFull, []string{`WEB01\svc`, `member of BUILTIN\Administrators`, "full control"}},
		{"administrators known even if the list is partial", Identity{Type: "SpecificUser", Account: `CORP\svc`, Groups: []string{"S-1-5-32-544"}},
			PrivilegeFull, []string{"S-1-5-32-544"}},
		{"domain admins", Identity{Type: "SpecificUser", Account: `CORP\svc`, Groups: []string{`CORP\Domain Admins`}, Resolved: true},
			PrivilegeFull, []string{"Domain Admins"}},
		{"domain admins by SID", Identity{Type: "SpecificUser", Account: `CORP\svc`, Groups: []string{"S-1-5-21-1004336348-1177238915-682003330-512"}, Resolved: true},
			PrivilegeFull, []string{"-512"}},
		{"built-in administrator", Identity{Type: "SpecificUser", Account: `.\Administrator`}, PrivilegeFull, []string{"built-in Administrator"}},
		{"backup operators", Identity{Type: "SpecificUser", Account: `CORP\svc`, Groups: []string{"Backup Operators"}, Resolved: true},
			PrivilegeHigh, []string{"Backup Operators"}},
		{"membership unknown", Identity{Type: "SpecificUser", Account: `CORP\svc-web`},
			PrivilegeHigh, []string{`CORP\svc-web: group membership unknown, needs review`}},
		{"local account unknown", Identity{Type: "SpecificUser", Account: `web01\svc`, ComputerName: "WEB01"}, PrivilegeHigh, []string{"needs review"}},
		{"domain account", Identity{Type: "SpecificUser", Account: `CORP\svc-web`, ComputerName: "web01", Groups: []string{`CORP\Web Servers`}, Resolved: true},
			PrivilegeMedium, []string{"domain account", "lateral reach"}},
		{"domain account by UPN", Identity{Type: "SpecificUser", Account: "svc-web@corp.example", Resolved: true},
			PrivilegeMedium, []string{"domain account"}},
		{"local account", Identity{Type: "SpecificUser", Account: `WEB01\svc`, ComputerName: "web01", Groups: []string{"Users", "IIS_IUSRS"}, Resolved: true},
			PrivilegeMedium, []string{"ordinary local account"}},
		{"dot-prefixed local account", Identity{Type: "SpecificUser", Account: `.\svc`, Resolved: true}, PrivilegeMedium, []string{"local account"}},
		{"gMSA", Identity{Type: "SpecificUser", Account: `CORP\web$`}, PrivilegeMedium, []string{"group managed service account", "lateral reach"}},
		{"gMSA in Administrators", Identity{Type: "SpecificUser", Account: `CORP\web$`, Groups: []string{"Administrators"}}, PrivilegeFull, []string{"Administrators"}},
		{"specific user without a name", Identity{Type: "SpecificUser"}, PrivilegeHigh, []string{"without a user name"}},
		{"nothing known", Identity{}, PrivilegeHigh, []string{"needs review"}},
		{"unknown type", Identity{Type: "Superuser"}, PrivilegeHigh, []string{`"Superuser"`, "needs review"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := ClassifyIdentity(tt.id)
			if got != tt.want {
				t.Errorf("privilege = %v, want %v (%s)", got, tt.want, reason)
			}
			for _, r := range tt.reason {
				if !strings.Contains(reason, r) {
					t.Errorf("reason %q lacks %q", reason, r)
				}
			}
			if strings.Contains(reason, "\n") {
				t.Errorf("reason is not one line: %q", reason)
			}
		})
	}
}

func TestPrivilegeOrderAndNames(t *testing.T) {
	order := []Privilege{PrivilegeLeast, PrivilegeLow, PrivilegeMedium, PrivilegeHigh, PrivilegeFull}
	names := []string{"least", "low", "medium", "high", "full"}
	for i, p := range order {
		if p.String() != names[i] {
			t.Errorf("%d.String() = %q, want %q", int(p), p.String(), names[i])
		}
		back, err := ParsePrivilege(strings.ToUpper(names[i]))
		if err != nil || back != p {
			t.Errorf("ParsePrivilege(%q) = %v, %v", names[i], back, err)
		}
		if i > 0 && (!Escalates(order[i-1], p) || Escalates(p, order[i-1])) {
			t.Errorf("Escalates is wrong between %v and %v", order[i-1], p)
		}
	}
	if Escalates(PrivilegeFull, PrivilegeFull) {
		t.Error("staying at full is not an escalation")
	}
	if _, err := ParsePrivilege("root"); err == nil || !strings.Contains(err.Error(), "least, low, medium, high, full") {
		t.Errorf("ParsePrivilege(root) error = %v", err)
	}
}

func TestIdentityEscalationScenario(t *testing.T) {
	// The plan a reviewer must catch: a pool moved from its virtual account
	// to LocalSystem.
	before, _ := ClassifyIdentity(Identity{Type: "ApplicationPoolIdentity"})
	after, reason := ClassifyIdentity(Identity{Type: "LocalSystem"})
	if !Escalates(before, after) || before.String()+" -> "+after.String() != "least -> full" {
		t.Errorf("ApplicationPoolIdentity -> LocalSystem: %v -> %v (%s)", before, after, reason)
	}
}
