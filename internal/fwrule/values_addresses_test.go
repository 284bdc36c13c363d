package fwrule

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseAddresses(t *testing.T) {
	tests := []struct {
		name string
		side Side
		in   []string
		want []string
	}{
		{"unset is Any", Remote, nil, []string{"Any"}},
		{"any", Remote, []string{"ANY"}, []string{"Any"}},
		{"cidr reads as masked network and dotted mask", Remote, []string{"10.1.2.3/8"}, []string{"10.0.0.0/255.0.0.0"}},
		{"/24 and dotted mask compare equal", Remote, []string{"10.1.2.0/24", "10.1.2.0/255.255.255.0"}, []string{"10.1.2.0/255.255.255.0"}},
		{"/32 is the bare address", Remote, []string{"192.0.2.7/32"}, []string{"192.0.2.7"}},
		{"/255.255.255.255 is the bare address", Remote, []string{"192.0.2.7/255.255.255.255"}, []string{"192.0.2.7"}},
		{"/0", Remote, []string{"0.0.0.0/0"}, []string{"0.0.0.0/0.0.0.0"}},
		{"ipv6 lower-cased and compressed", Remote, []string{"FE80:0:0:0:0:0:0:1"}, []string{"fe80::1"}},
		{"ipv6 prefix kept unmasked", Remote, []string{"2001:DB8::1/48"}, []string{"2001:db8::1/48"}},
		{"ipv6 /128 is the bare address", Remote, []string{"2001:db8::5/128"}, []string{"2001:db8::5"}},
		{"ranges", Remote, []string{"10.0.0.9-10.0.0.20", "fe80::1-FE80::9"}, []string{"10.0.0.9-10.0.0.20", "fe80::1-fe80::9"}},
		{"one-address range", Remote, []string{"10.0.0.9-10.0.0.9"}, []string{"10.0.0.9"}},
		{"keywords canonical and first", Remote, []string{"10.0.0.1", "localsubnet", "dns6", "INTERNET4"},
			[]string{"DNS6", "Internet4", "LocalSubnet", "10.0.0.1"}},
		{"sorted by address, v4 before v6, duplicates dropped", Remote,
			[]string{"2001:db8::1", "192.168.1.1", "10.0.0.2", "10.0.0.10", "10.0.0.2"},
			[]string{"10.0.0.2", "10.0.0.10", "192.168.1.1", "2001:db8::1"}},
		{"host comma string", Remote, []string{"10.0.0.1, 10.0.0.2"}, []string{"10.0.0.1", "10.0.0.2"}},
		{"local side accepts addresses", Local, []string{"10.1.2.3/24"}, []string{"10.1.2.0/255.255.255.0"}},
		{"ipv4 loopback is accepted", Remote, []string{"127.0.0.1"}, []string{"127.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAddresses(tt.side, tt.in)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseAddresses(%v, %q) = %q, %v; want %q", tt.side, tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseAddressesRejects(t *testing.T) {
	tests := []struct {
		name   string
		side   Side
		in     string
		reason string
	}{
		{"hostname", Remote, "web01.example.com", "The address is invalid."},
		{"bad octet", Remote, "10.0.0.256", "The address is invalid."},
		{"mixed-family range", Remote, "10.0.0.1-fe80::1", "The address is invalid."},
		{"reversed range", Remote, "10.0.0.9-10.0.0.1", "The end address is less than the beginning address."},
		{"non-contiguous mask", Remote, "10.0.0.0/255.0.255.0", "One or more of the subnet masks is invalid."},
		{"prefix too long", Remote, "10.0.0.0/33", "One or more of the address prefixes is invalid."},
		{"dotted mask on ipv6", Remote, "fe80::/255.255.0.0", "One or more of the address prefixes is invalid."},
		{"ipv6 loopback", Remote, "::1", "loopback IPv6 address"},
		{"ipv6 loopback as /128", Remote, "::1/128", "loopback IPv6 address"},
		{"ipv6 multicast", Remote, "ff02::1", "multicast"},
		{"zone", Remote, "fe80::1%12", "The address is invalid."},
		{"star is not Any", Remote, "*", "The address is invalid."},
		{"keyword on local side", Local, "LocalSubnet", "only valid on the remote address"},
		{"bad keyword suffix", Remote, "LocalSubnet5", "The address is invalid."},
		{"any with others", Remote, "Any,10.0.0.1", "must stand alone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAddresses(tt.side, []string{tt.in})
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("ParseAddresses(%q) error = %v; want a ValueError", tt.in, err)
			}
			if !strings.Contains(ve.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", ve.Reason, tt.reason)
			}
			if !strings.Contains(ve.Accepted, "10.1.2.0/24") {
				t.Errorf("accepted forms %q do not show examples", ve.Accepted)
			}
		})
	}
}

func TestBreadth(t *testing.T) {
	tests := []struct {
		name      string
		in        []string
		scope     AddressScope
		widest    string
		addresses string
	}{
		{"any", []string{"Any"}, ScopeAny, "Any", "0"},
		{"unset is any", nil, ScopeAny, "Any", "0"},
		{"internet keyword", []string{"Internet6"}, ScopeAny, "Internet6", "0"},
		{"whole ipv4 space", []string{"0.0.0.0/0"}, ScopeAny, "0.0.0.0/0.0.0.0", "4294967296"},
		{"whole ipv6 space", []string{"::/0"}, ScopeAny, "::/0", "340282366920938463463374607431768211456"},
		{"single host", []string{"203.0.113.9"}, ScopeHosts, "203.0.113.9", "1"},
		{"a /24 is still hosts", []string{"10.1.2.0/24"}, ScopeHosts, "10.1.2.0/255.255.255.0", "256"},
		{"local subnet", []string{"LocalSubnet"}, ScopeLocal, "LocalSubnet", "0"},
		{"gateway and dns", []string{"DefaultGateway", "DNS"}, ScopeLocal, "DNS", "0"},
		{"intranet", []string{"Intranet"}, ScopePrivate, "Intranet", "0"},
		{"rfc1918 /16", []string{"192.168.0.0/16"}, ScopePrivate, "192.168.0.0/255.255.0.0", "65536"},
		{"ula /48", []string{"fd00::/48"}, ScopePrivate, "fd00::/48", "1208925819614629174706176"},
		{"public /16", []string{"198.51.0.0/16"}, ScopePublic, "198.51.0.0/255.255.0.0", "65536"},
		{"range spanning private and public", []string{"10.255.255.0-11.0.0.255"}, ScopePublic, "10.255.255.0-11.0.0.255", "512"},
		{"widest entry wins", []string{"10.0.0.1", "172.16.0.0/12", "LocalSubnet"}, ScopePrivate, "172.16.0.0/255.240.0.0", "1048577"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Breadth(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if b.Scope != tt.scope || b.Widest != tt.widest || b.Addresses.String() != tt.addresses {
				t.Errorf("Breadth(%q) = {%v %q %v}; want {%v %q %s}", tt.in, b.Scope, b.Widest, b.Addresses, tt.scope, tt.widest, tt.addresses)
			}
		})
	}
	if _, err := Breadth([]string{"not-an-address"}); err == nil {
		t.Error("Breadth accepted an invalid address")
	}
}
