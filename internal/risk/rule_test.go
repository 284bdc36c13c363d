package risk

import (
	"encoding/json"
	"strings"
	"testing"
)

// allow returns an enabled inbound TCP allow rule, edited by f.
func allow(f func(*Rule)) Rule {
	r := Rule{Enabled: true, Direction: "Inbound", Action: "Allow", Protocol: "TCP",
		LocalPorts: []string{"443"}, RemoteAddresses: []string{"10.1.2.0/24"}, Profiles: []string{"Domain"}}
	if f != nil {
		f(&r)
	}
	return r
}

// Every row of reference/windows-host.md section 5.
func TestClassifyRule(t *testing.T) {
	tests := []struct {
		name   string
		rule   Rule
		want   Exposure
		reason []string
	}{
		// none
		{"block", allow(func(r *Rule) { r.Action = "Block"; r.RemoteAddresses = nil; r.Profiles = nil }), ExposureNone, []string{"block rule"}},
		{"disabled", allow(func(r *Rule) { r.Enabled = false; r.RemoteAddresses = []string{"Any"} }), ExposureNone, []string{"disabled"}},
		{"not configured", allow(func(r *Rule) { r.Action = "NotConfigured" }), ExposureNone, []string{"NotConfigured"}},
		{"not enforced", allow(func(r *Rule) { r.RemoteAddresses = nil; r.EnforcementStatus = "ProfileInactive" }), ExposureNone,
			[]string{"EnforcementStatus ProfileInactive"}},

		// egress
		{"outbound to anywhere", allow(func(r *Rule) {
			r.Direction = "Outbound"
			r.LocalPorts = nil
			r.RemotePorts = []string{"443"}
			r.RemoteAddresses = nil
		}),
			ExposureEgress, []string{"outbound TCP 443 to Any", "any destination"}},
		{"outbound to one host", allow(func(r *Rule) { r.Direction = "Outbound"; r.RemoteAddresses = []string{"10.0.0.5"} }),
			ExposureEgressLow, []string{"only 1 address"}},
		{"outbound block", allow(func(r *Rule) { r.Direction = "Outbound"; r.Action = "Block" }), ExposureNone, []string{"block rule"}},

		// low
		{"subnet /24 to TCP 443 on Domain", allow(nil), ExposureLow,
			[]string{"inbound TCP 443 from 10.1.2.0/255.255.255.0 on Domain: 1 port reachable from 256 addresses"}},
		{"one host", allow(func(r *Rule) { r.RemoteAddresses = []string{"203.0.113.9"} }), ExposureLow, []string{"1 address"}},
		{"local subnet", allow(func(r *Rule) { r.RemoteAddresses = []string{"LocalSubnet"}; r.Profiles = []string{"Domain", "Private"} }),
			ExposureLow, []string{"the local subnet"}},
		{"default gateway", allow(func(r *Rule) { r.RemoteAddresses = []string{"DefaultGateway"} }), ExposureLow, []string{"default gateway"}},
		{"dns dhcp wins", allow(func(r *Rule) { r.RemoteAddresses = []string{"DNS", "DHCP", "WINS4"} }), ExposureLow, nil},
		{"ICMP echo from the subnet", allow(func(r *Rule) { r.Protocol = "ICMPv4"; r.LocalPorts = nil; r.IcmpTypes = []string{"8"} }),
			ExposureLow, []string{"ICMPv4 types 8"}},

		// medium
		{"intranet", allow(func(r *Rule) { r.RemoteAddresses = []string{"Intranet"} }), ExposureMedium, []string{"from the intranet"}},
		{"intranet remote access", allow(func(r *Rule) { r.RemoteAddresses = []string{"IntranetRemoteAccess"} }), ExposureMedium, nil},
		{"RFC1918 /16", allow(func(r *Rule) { r.RemoteAddresses = []string{"192.168.0.0/16"} }), ExposureMedium, []string{"65536 private addresses"}},
		{"any, but one program on specific ports off Public", allow(func(r *Rule) {
			r.RemoteAddresses = nil
			r.Program = `C:\apps\shop.exe`
		}), ExposureMedium, []string{`for program C:\apps\shop.exe`, "limited to that program"}},
		{"any, but one service", allow(func(r *Rule) {
			r.RemoteAddresses = []string{"Any"}
			r.Service = "W3SVC"
			r.Profiles = []string{"Private"}
		}),
			ExposureMedium, []string{"for service W3SVC", "limited to that service"}},
		{"specific hosts on Public", allow(func(r *Rule) { r.Profiles = []string{"Public"} }), ExposureMedium, []string{"applies on Public networks"}},

		// high
		{"any to a specific port off Public", allow(func(r *Rule) { r.RemoteAddresses = []string{"Any"}; r.Profiles = []string{"Domain", "Private"} }),
			ExposureHigh, []string{"1 port reachable from the internet"}},
		{"internet keyword", allow(func(r *Rule) { r.RemoteAddresses = []string{"Internet"} }), ExposureHigh, []string{"from the internet"}},
		{"public /16", allow(func(r *Rule) { r.RemoteAddresses = []string{"198.51.0.0/16"} }), ExposureHigh, []string{"65536 public addresses"}},
		{"port range wider than 100 from a /24", allow(func(r *Rule) { r.LocalPorts = []string{"1000-2000"} }), ExposureHigh,
			[]string{"1001 ports", "more than 100 ports"}},
		{"UDP high ports from the subnet", allow(func(r *Rule) { r.Protocol = "UDP"; r.LocalPorts = []string{"1024-65535"} }), ExposureHigh,
			[]string{"64512 ports"}},
		{"local port Any from one host", allow(func(r *Rule) { r.LocalPorts = nil; r.RemoteAddresses = []string{"10.0.0.5"} }), ExposureHigh,
			[]string{"TCP any port", "every TCP port"}},
		{"protocol Any from one host", allow(func(r *Rule) { r.Protocol = "Any"; r.LocalPorts = nil; r.RemoteAddresses = []string{"10.0.0.5"} }),
			ExposureHigh, []string{"every protocol and port"}},
		{"program on any but over 100 ports", allow(func(r *Rule) { r.RemoteAddresses = nil; r.Program = `C:\a.exe`; r.LocalPorts = []string{"1-200"} }),
			ExposureHigh, []string{"200 ports"}},
		{"100 ports is not wide", allow(func(r *Rule) { r.LocalPorts = []string{"5001-5100"} }), ExposureLow, []string{"100 ports"}},

		// critical
		{"UDP 1024-65535 from Any on all profiles", allow(func(r *Rule) {
			r.Protocol = "UDP"
			r.LocalPorts = []string{"1024-65535"}
			r.RemoteAddresses = []string{"Any"}
			r.Profiles = []string{"Any"}
		}), ExposureCritical, []string{"inbound UDP 1024-65535 from Any on all profiles: 64512 ports reachable from the internet"}},
		{"any with every port", allow(func(r *Rule) { r.RemoteAddresses = nil; r.LocalPorts = nil; r.Profiles = []string{"Domain"} }),
			ExposureCritical, []string{"every TCP port reachable from the internet"}},
		{"protocol Any from Any", allow(func(r *Rule) {
			r.Protocol = "Any"
			r.LocalPorts = nil
			r.RemoteAddresses = nil
			r.Profiles = []string{"Private"}
		}),
			ExposureCritical, []string{"any protocol", "every protocol and port"}},
		{"edge traversal allow", allow(func(r *Rule) { r.EdgeTraversal = "Allow" }), ExposureCritical, []string{"edge traversal Allow", "NAT"}},
		{"edge traversal defer to app", allow(func(r *Rule) { r.EdgeTraversal = "DeferToApp" }), ExposureCritical, []string{"DeferToApp"}},
		{"Public with Any remote", allow(func(r *Rule) { r.RemoteAddresses = []string{"Any"}; r.Profiles = []string{"Public"} }),
			ExposureCritical, []string{"including Public networks"}},
		{"all three profiles with Any remote", allow(func(r *Rule) { r.RemoteAddresses = nil; r.Profiles = []string{"Domain, Private, Public"} }),
			ExposureCritical, []string{"on all profiles"}},
		{"program scoping does not help on Public", allow(func(r *Rule) { r.RemoteAddresses = nil; r.Program = `C:\a.exe`; r.Profiles = nil }),
			ExposureCritical, nil},
		{"whole IPv4 space is Any", allow(func(r *Rule) { r.RemoteAddresses = []string{"0.0.0.0/0"}; r.Profiles = []string{"Public"} }),
			ExposureCritical, []string{"from the internet"}},

		// unreadable values are taken as open as possible
		{"unreadable remote address", allow(func(r *Rule) { r.RemoteAddresses = []string{"web01.example.com"}; r.Profiles = nil }),
			ExposureCritical, []string{`unreadable remote addresses "web01.example.com" taken as Any`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := ClassifyRule(tt.rule)
			if got != tt.want {
				t.Errorf("exposure = %v, want %v (%s)", got, tt.want, reason)
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

func TestPortCountsInReasons(t *testing.T) {
	tests := []struct {
		ports []string
		want  string
	}{
		{[]string{"80", "443", "8080-8089"}, "12 ports"},
		{[]string{"80", "80", "79-81"}, "3 ports"},
		{[]string{"1-65535"}, "65535 ports"},
	}
	for _, tt := range tests {
		_, reason := ClassifyRule(allow(func(r *Rule) { r.LocalPorts = tt.ports }))
		if !strings.Contains(reason, tt.want) {
			t.Errorf("ports %q: reason %q lacks %q", tt.ports, reason, tt.want)
		}
	}
}

func TestExposureComparisons(t *testing.T) {
	inbound := []Exposure{ExposureNone, ExposureLow, ExposureMedium, ExposureHigh, ExposureCritical}
	for i := 1; i < len(inbound); i++ {
		if !Widens(inbound[i-1], inbound[i]) || Widens(inbound[i], inbound[i-1]) {
			t.Errorf("Widens wrong between %v and %v", inbound[i-1], inbound[i])
		}
	}
	cases := []struct {
		before, after Exposure
		want          bool
	}{
		{ExposureNone, ExposureEgressLow, true},
		{ExposureEgressLow, ExposureEgress, true},
		{ExposureEgress, ExposureEgressLow, false},
		{ExposureEgress, ExposureNone, false},
		{ExposureCritical, ExposureEgressLow, true}, // a new kind of exposure
		{ExposureEgress, ExposureLow, true},
		{ExposureHigh, ExposureHigh, false},
	}
	for _, c := range cases {
		if got := Widens(c.before, c.after); got != c.want {
			t.Errorf("Widens(%v, %v) = %v, want %v", c.before, c.after, got, c.want)
		}
	}
	for i, name := range []string{"none", "low", "medium", "high", "critical", "egress-low", "egress"} {
		e := Exposure(i)
		if e.String() != name {
			t.Errorf("%d.String() = %q, want %q", i, e.String(), name)
		}
		if back, err := ParseExposure(name); err != nil || back != e {
			t.Errorf("ParseExposure(%q) = %v, %v", name, back, err)
		}
	}
	if _, err := ParseExposure("severe"); err == nil {
		t.Error("ParseExposure accepted an unknown level")
	}
}

func TestLevelsInJSON(t *testing.T) {
	type report struct {
		Privilege Privilege `json:"privilege"`
		Exposure  Exposure  `json:"exposure"`
	}
	b, err := json.Marshal(report{PrivilegeFull, ExposureEgressLow})
	if err != nil || string(b) != `{"privilege":"full","exposure":"egress-low"}` {
		t.Fatalf("json = %s, %v", b, err)
	}
	var back report
	if err := json.Unmarshal(b, &back); err != nil || back != (report{PrivilegeFull, ExposureEgressLow}) {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"privilege":"root"}`), &back); err == nil {
		t.Error("an unknown level was accepted")
	}
}
