package fwrule

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseProtocol(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"TCP", "TCP"}, {"tcp", "TCP"}, {" Udp ", "UDP"},
		{"icmpv4", "ICMPv4"}, {"ICMPV6", "ICMPv6"},
		{"6", "TCP"}, {"17", "UDP"}, {"1", "ICMPv4"}, {"58", "ICMPv6"},
		{"47", "47"}, {"0", "0"}, {"255", "255"}, {"047", "47"},
		{"any", "Any"}, {"", "Any"},
	}
	for _, tt := range tests {
		got, err := ParseProtocol(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseProtocol(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"256", "-1", "ICMP", "tcp6", "+6", "0x06", "6.0"} {
		_, err := ParseProtocol(bad)
		var ve *ValueError
		if !errors.As(err, &ve) || !strings.Contains(ve.Accepted, "TCP, UDP, ICMPv4, ICMPv6, Any") {
			t.Errorf("ParseProtocol(%q) error = %v; want a ValueError listing the accepted forms", bad, err)
		}
	}
}

func TestParsePorts(t *testing.T) {
	tests := []struct {
		name string
		side Side
		in   []string
		want []string
	}{
		{"unset is Any", Local, nil, []string{"Any"}},
		{"any keyword", Local, []string{"any"}, []string{"Any"}},
		{"single", Local, []string{"80"}, []string{"80"}},
		{"comma string from a user", Local, []string{"443, 80"}, []string{"80", "443"}},
		{"host string array", Local, []string{"80", "5000-5020"}, []string{"80", "5000-5020"}},
		{"duplicates dropped", Local, []string{"80", "80", "080"}, []string{"80"}},
		{"adjacent merged", Local, []string{"80", "81", "82-90"}, []string{"80-90"}},
		{"overlap merged", Local, []string{"1000-2000", "1500-2500", "1"}, []string{"1", "1000-2500"}},
		{"one-port range is the port", Local, []string{"8080-8080"}, []string{"8080"}},
		{"full range", Local, []string{"1-65535"}, []string{"1-65535"}},
		{"local keywords canonical", Local, []string{"rpcepmap", "RPC", "teredo"}, []string{"RPC", "RPCEPMap", "Teredo"}},
		{"keywords before numbers", Local, []string{"443", "IPHTTPSIn"}, []string{"IPHTTPSIn", "443"}},
		{"remote keyword spelling", Remote, []string{"rpc-epmap", "iphttps"}, []string{"IPHTTPS", "RPC-EPMap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePorts(tt.side, tt.in)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParsePorts(%v, %q) = %q, %v; want %q", tt.side, tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParsePortsRejects(t *testing.T) {
	tests := []struct {
		name   string
		side   Side
		in     []string
		reason string
	}{
		{"port zero", Local, []string{"0"}, "0 was used as a port number"},
		{"range from zero", Local, []string{"0-65535"}, "0 was used as a port number"},
		{"reversed range", Local, []string{"5020-5000"}, "An invalid port range was specified"},
		{"too high", Local, []string{"65536"}, "The port is invalid"},
		{"not a number", Local, []string{"http"}, "The port is invalid"},
		{"signed", Local, []string{"+80"}, "The port is invalid"},
		{"open range", Local, []string{"5000-"}, "The port is invalid"},
		{"empty item", Local, []string{"80,,443"}, "empty value"},
		{"any with others", Local, []string{"Any", "80"}, "must stand alone"},
		{"remote spelling on local side", Local, []string{"RPC-EPMap"}, "One of the port keywords is invalid"},
		{"local spelling on remote side", Remote, []string{"RPCEPMap"}, "One of the port keywords is invalid"},
		{"local-only keyword on remote side", Remote, []string{"Teredo"}, "One of the port keywords is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePorts(tt.side, tt.in)
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("ParsePorts(%q) error = %v; want a ValueError", tt.in, err)
			}
			if !strings.Contains(ve.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", ve.Reason, tt.reason)
			}
			if !strings.Contains(ve.Accepted, "1-65535") || !strings.Contains(err.Error(), ve.Value) {
				t.Errorf("error %q does not name the value and the accepted forms", err)
			}
		})
	}
}

func TestPortCount(t *testing.T) {
	tests := []struct {
		side Side
		in   []string
		want int
	}{
		{Local, []string{"1024-65535"}, 64512},
		{Local, []string{"80", "443"}, 2},
		{Local, []string{"80-90", "85-95"}, 16},
		{Local, nil, 65535},
		{Local, []string{"Any"}, 65535},
		{Local, []string{"RPC"}, 16384},
		{Local, []string{"RPCEPMap", "135"}, 2},
		{Remote, []string{"IPHTTPS"}, 1},
	}
	for _, tt := range tests {
		got, err := PortCount(tt.side, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("PortCount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := PortCount(Local, []string{"0"}); err == nil {
		t.Error("PortCount accepted port 0")
	}
}

func TestParseProfiles(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
	}{
		{nil, []string{"Any"}},
		{[]string{"any"}, []string{"Any"}},
		{[]string{"Domain, Private, Public"}, []string{"Domain", "Private", "Public"}},
		{[]string{"public", "DOMAIN"}, []string{"Domain", "Public"}},
		{[]string{"Private,Private"}, []string{"Private"}},
		{[]string{"NotApplicable"}, []string{"NotApplicable"}},
	}
	for _, tt := range tests {
		got, err := ParseProfiles(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseProfiles(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range [][]string{{"Home"}, {"Any", "Public"}, {"Domain,"}, {"NotApplicable", "Domain"}} {
		if _, err := ParseProfiles(bad); err == nil {
			t.Errorf("ParseProfiles(%q) accepted", bad)
		}
	}
}

func TestProfileCoverage(t *testing.T) {
	all := []string{"Domain", "Private", "Public"}
	if !ProfilesCoverAll([]string{"Any"}) || !ProfilesCoverAll(all) {
		t.Error("Any and all three profiles must both cover every network")
	}
	if ProfilesCoverAll([]string{"Domain", "Private"}) {
		t.Error("Domain and Private do not cover Public networks")
	}
	if !ProfilesIncludePublic([]string{"Any"}) || !ProfilesIncludePublic([]string{"Public"}) || ProfilesIncludePublic([]string{"Domain"}) {
		t.Error("ProfilesIncludePublic is wrong")
	}
}

func TestParseIcmpTypes(t *testing.T) {
	got, err := ParseIcmpTypes([]string{"8", "3:4", "0", "3", "3:1", "8"})
	want := []string{"0", "3", "3:1", "3:4", "8"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseIcmpTypes = %q, %v; want %q", got, err, want)
	}
	if got, _ := ParseIcmpTypes(nil); !reflect.DeepEqual(got, []string{"Any"}) {
		t.Errorf("unset ICMP types = %q; want [Any]", got)
	}
	for _, bad := range []string{"256", "3:256", "echo", "3:", "Any,8"} {
		if _, err := ParseIcmpTypes([]string{bad}); err == nil {
			t.Errorf("ParseIcmpTypes(%q) accepted", bad)
		}
	}
	_, err = ParseIcmpTypes([]string{"3:300"})
	if err == nil || !strings.Contains(err.Error(), "Invalid ICMP code specified.") {
		t.Errorf("bad code error = %v; want Windows' text", err)
	}
}

func TestEnums(t *testing.T) {
	check := func(name string, parse func(string) (string, error), in, want string) {
		t.Helper()
		got, err := parse(in)
		if err != nil || got != want {
			t.Errorf("%s(%q) = %q, %v; want %q", name, in, got, err, want)
		}
	}
	check("ParseDirection", ParseDirection, "", "Inbound")
	check("ParseDirection", ParseDirection, "outbound", "Outbound")
	check("ParseAction", ParseAction, "", "Allow")
	check("ParseAction", ParseAction, "BLOCK", "Block")
	check("ParseAction", ParseAction, "notconfigured", "NotConfigured")
	check("ParseEdgeTraversal", ParseEdgeTraversal, "", "Block")
	check("ParseEdgeTraversal", ParseEdgeTraversal, "defertoapp", "DeferToApp")
	for _, bad := range []struct {
		parse func(string) (string, error)
		in    string
	}{{ParseDirection, "In"}, {ParseAction, "Deny"}, {ParseEdgeTraversal, "Yes"}} {
		_, err := bad.parse(bad.in)
		if err == nil || !strings.Contains(err.Error(), bad.in) {
			t.Errorf("parsing %q: error %v should name the value", bad.in, err)
		}
	}
	if on, err := ParseEnabled("True"); err != nil || !on {
		t.Error(`ParseEnabled("True") is not true`)
	}
	if on, err := ParseEnabled("false"); err != nil || on {
		t.Error(`ParseEnabled("false") is not false`)
	}
	if _, err := ParseEnabled("yes"); err == nil {
		t.Error(`ParseEnabled("yes") accepted`)
	}
	types, err := ParseInterfaceTypes([]string{"RemoteAccess, wired"})
	if err != nil || !reflect.DeepEqual(types, []string{"Wired", "RemoteAccess"}) {
		t.Errorf("ParseInterfaceTypes = %q, %v", types, err)
	}
	if _, err := ParseInterfaceTypes([]string{"Any", "Wired"}); err == nil {
		t.Error("ParseInterfaceTypes accepted Any with Wired")
	}
}
