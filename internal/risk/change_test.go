package risk

import (
	"reflect"
	"testing"
)

func TestRuleChange(t *testing.T) {
	base := allow(nil)
	tests := []struct {
		name  string
		after Rule
		want  []string
	}{
		{"no change", base, nil},
		{"respelling is not a change", allow(func(r *Rule) {
			r.Protocol = "6"
			r.RemoteAddresses = []string{"10.1.2.0/255.255.255.0"}
			r.Profiles = []string{"domain"}
		}), nil},
		{"action", allow(func(r *Rule) { r.Action = "Block" }), []string{"action: Allow -> Block"}},
		{"enabled", allow(func(r *Rule) { r.Enabled = false }), []string{"enabled: true -> false"}},
		{"ports widened", allow(func(r *Rule) { r.LocalPorts = []string{"443", "1024-65535"} }),
			[]string{"local ports: added 1024-65535 (1 -> 64513 ports)"}},
		{"addresses opened", allow(func(r *Rule) { r.RemoteAddresses = []string{"Any"} }),
			[]string{"remote addresses: added Any; removed 10.1.2.0/255.255.255.0"}},
		{"profiles", allow(func(r *Rule) { r.Profiles = []string{"Domain", "Public"} }), []string{"profiles: added Public"}},
		{"several, in a fixed order", allow(func(r *Rule) {
			r.EdgeTraversal = "Allow"
			r.Protocol = "UDP"
			r.Program = `C:\a.exe`
		}), []string{"protocol: TCP -> UDP", `program: Any -> C:\a.exe`, "edge traversal: Block -> Allow"}},
		{"unreadable values still show", allow(func(r *Rule) { r.RemoteAddresses = []string{"web01"} }),
			[]string{"remote addresses: added web01; removed 10.1.2.0/255.255.255.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RuleChange(base, tt.after)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RuleChange =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
