package fwrule

import (
	"reflect"
	"strings"
	"testing"
)

func webRule() RuleSpec {
	return RuleSpec{
		Name:            "web-https",
		DisplayName:     "Web HTTPS",
		Enabled:         true,
		Protocol:        "tcp",
		LocalPorts:      []string{"443"},
		RemoteAddresses: []string{"10.1.2.0/24"},
		Profiles:        []string{"Domain"},
	}
}

func TestNormalizeFillsWindowsDefaults(t *testing.T) {
	got, problems := Normalize(webRule())
	if len(problems) != 0 {
		t.Fatalf("problems for a valid rule: %v", problems)
	}
	want := RuleSpec{
		Name: "web-https", DisplayName: "Web HTTPS", Enabled: true,
		Direction: "Inbound", Action: "Allow", Protocol: "TCP",
		LocalPorts: []string{"443"}, RemotePorts: []string{"Any"}, IcmpTypes: []string{"Any"},
		LocalAddresses: []string{"Any"}, RemoteAddresses: []string{"10.1.2.0/255.255.255.0"},
		Profiles: []string{"Domain"}, Program: "Any", Service: "Any",
		EdgeTraversal: "Block", InterfaceTypes: []string{"Any"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Normalize =\n%+v\nwant\n%+v", got, want)
	}
	again, problems := Normalize(got)
	if len(problems) != 0 || !reflect.DeepEqual(again, got) {
		t.Errorf("Normalize is not idempotent: %+v, %v", again, problems)
	}
}

// TestUserAndHostFormsAgree is the perpetual-diff guard: what a user writes
// and what Windows reads back for the same rule normalise to the same spec.
func TestUserAndHostFormsAgree(t *testing.T) {
	user := RuleSpec{
		Name: "rdp", DisplayName: "RDP", Protocol: "6", LocalPorts: []string{"3389"},
		RemoteAddresses: []string{"10.1.2.3/8", "192.0.2.7/32"},
		Profiles:        []string{"public", "domain", "private"},
	}
	host := RuleSpec{
		Name: "rdp", DisplayName: "RDP", Direction: "Inbound", Action: "Allow", Protocol: "TCP",
		LocalPorts: []string{"3389"}, RemotePorts: []string{"Any"}, IcmpTypes: []string{"Any"},
		LocalAddresses: []string{"Any"}, RemoteAddresses: []string{"192.0.2.7", "10.0.0.0/255.0.0.0"},
		Profiles: []string{"Domain, Private, Public"}, Program: "Any", Service: "Any",
		EdgeTraversal: "Block", InterfaceTypes: []string{"Any"},
	}
	u, up := Normalize(user)
	h, hp := Normalize(host)
	if len(up)+len(hp) != 0 {
		t.Fatalf("problems: %v %v", up, hp)
	}
	if !reflect.DeepEqual(u, h) {
		t.Errorf("user and host forms differ:\n%+v\n%+v", u, h)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*RuleSpec)
		attr   string
		phrase []string // every one must appear in the message
	}{
		{"empty name", func(r *RuleSpec) { r.Name = "" }, AttrName, []string{"must not be empty", "1 to 10000 characters"}},
		{"overlong name", func(r *RuleSpec) { r.Name = strings.Repeat("n", 10001) }, AttrName, []string{"invalid length", "10001 characters"}},
		{"display name required", func(r *RuleSpec) { r.DisplayName = " " }, AttrDisplayName, []string{"required"}},
		{"display name All", func(r *RuleSpec) { r.DisplayName = "all" }, AttrDisplayName, []string{"cannot be set to All", `"all"`}},
		{"pipe in display name", func(r *RuleSpec) { r.DisplayName = "a|b" }, AttrDisplayName, []string{`"|"`, `"a|b"`}},
		{"pipe in description", func(r *RuleSpec) { r.Description = "x|y" }, AttrDescription, []string{`"|"`}},
		{"ports with protocol Any", func(r *RuleSpec) { r.Protocol = "" }, AttrLocalPorts,
			[]string{"do not match the protocol", `"443"`, "protocol Any", "TCP or UDP"}},
		{"remote ports with ICMP", func(r *RuleSpec) { r.Protocol = "ICMPv4"; r.LocalPorts = nil; r.RemotePorts = []string{"53"} },
			AttrRemotePorts, []string{"do not match the protocol", "ICMPv4"}},
		{"PlayToDiscovery with TCP", func(r *RuleSpec) { r.LocalPorts = []string{"PlayToDiscovery"} }, AttrLocalPorts,
			[]string{"One of the port keywords is invalid.", `"PlayToDiscovery"`, "protocol UDP"}},
		{"Teredo with TCP", func(r *RuleSpec) { r.LocalPorts = []string{"Teredo"} }, AttrLocalPorts, []string{"port keywords is invalid", "UDP"}},
		{"RPC with UDP", func(r *RuleSpec) { r.Protocol = "UDP"; r.LocalPorts = []string{"RPC"} }, AttrLocalPorts, []string{"port keywords is invalid", "TCP"}},
		{"IPHTTPS with UDP", func(r *RuleSpec) { r.Protocol = "UDP"; r.LocalPorts = nil; r.RemotePorts = []string{"IPHTTPS"} },
			AttrRemotePorts, []string{"port keywords is invalid"}},
		{"port zero", func(r *RuleSpec) { r.LocalPorts = []string{"0"} }, AttrLocalPorts, []string{"0 was used as a port number", `"0"`, "1-65535"}},
		{"Any not alone", func(r *RuleSpec) { r.RemoteAddresses = []string{"Any", "10.0.0.1"} }, AttrRemoteAddresses, []string{"stand alone"}},
		{"local address keyword", func(r *RuleSpec) { r.LocalAddresses = []string{"LocalSubnet"} }, AttrLocalAddresses,
			[]string{"only valid on the remote address", `"LocalSubnet"`}},
		{"bad remote address", func(r *RuleSpec) { r.RemoteAddresses = []string{"web01"} }, AttrRemoteAddresses, []string{"The address is invalid.", `"web01"`}},
		{"icmp types with TCP", func(r *RuleSpec) { r.IcmpTypes = []string{"8"} }, AttrIcmpTypes, []string{"do not match the protocol", "ICMPv4 or ICMPv6"}},
		{"edge traversal outbound", func(r *RuleSpec) { r.Direction = "Outbound"; r.EdgeTraversal = "Allow" }, AttrEdgeTraversal,
			[]string{"only when the direction is Inbound", `"Allow"`}},
		{"defer to user without program", func(r *RuleSpec) { r.EdgeTraversal = "DeferToUser" }, AttrEdgeTraversal, []string{"program path"}},
		{"bad direction", func(r *RuleSpec) { r.Direction = "sideways" }, AttrDirection, []string{`"sideways"`, "Inbound, Outbound"}},
		{"bad action", func(r *RuleSpec) { r.Action = "Deny" }, AttrAction, []string{"Allow, Block, NotConfigured"}},
		{"bad profile", func(r *RuleSpec) { r.Profiles = []string{"Home"} }, AttrProfiles, []string{"profile type is invalid", `"Home"`}},
		{"bad protocol", func(r *RuleSpec) { r.Protocol = "ICMP" }, AttrProtocol, []string{`"ICMP"`, "ICMPv4"}},
		{"bad interface type", func(r *RuleSpec) { r.InterfaceTypes = []string{"Ethernet"} }, AttrInterfaceTypes, []string{"Wired"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := webRule()
			tt.edit(&r)
			problems := Validate(r)
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(problems), problems)
			}
			p := problems[0]
			if p.Attribute != tt.attr {
				t.Errorf("attribute = %q, want %q (%s)", p.Attribute, tt.attr, p.Message)
			}
			for _, phrase := range tt.phrase {
				if !strings.Contains(p.Message, phrase) {
					t.Errorf("message %q lacks %q", p.Message, phrase)
				}
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(*RuleSpec)
	}{
		{"PlayToDiscovery with UDP", func(r *RuleSpec) { r.Protocol = "UDP"; r.LocalPorts = []string{"PlayToDiscovery"} }},
		{"RPC endpoint mapper", func(r *RuleSpec) { r.LocalPorts = []string{"RPCEPMap"}; r.RemotePorts = []string{"RPC"} }},
		{"ICMP echo", func(r *RuleSpec) { r.Protocol = "ICMPv4"; r.LocalPorts = nil; r.IcmpTypes = []string{"8", "3:4"} }},
		{"GRE without ports", func(r *RuleSpec) { r.Protocol = "47"; r.LocalPorts = nil }},
		{"outbound keeps edge traversal Block", func(r *RuleSpec) { r.Direction = "Outbound"; r.EdgeTraversal = "Block" }},
		{"edge traversal inbound", func(r *RuleSpec) { r.EdgeTraversal = "Allow" }},
		{"defer to user with program", func(r *RuleSpec) { r.EdgeTraversal = "DeferToUser"; r.Program = `C:\app\app.exe` }},
		{"wildcards in the name are allowed", func(r *RuleSpec) { r.Name = "web [*]?" }},
		{"pipe in the group", func(r *RuleSpec) { r.Group = "a|b" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := webRule()
			tt.edit(&r)
			if problems := Validate(r); len(problems) != 0 {
				t.Errorf("valid rule refused: %v", problems)
			}
		})
	}
}

func TestValidateReportsEveryAttribute(t *testing.T) {
	problems := Validate(RuleSpec{Protocol: "bogus", LocalPorts: []string{"x"}, Profiles: []string{"Home"}})
	attrs := map[string]bool{}
	for _, p := range problems {
		attrs[p.Attribute] = true
	}
	for _, want := range []string{AttrName, AttrDisplayName, AttrProtocol, AttrLocalPorts, AttrProfiles} {
		if !attrs[want] {
			t.Errorf("no problem reported for %s: %v", want, problems)
		}
	}
}
