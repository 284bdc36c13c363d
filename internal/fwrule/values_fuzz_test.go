package fwrule

import (
	"reflect"
	"strings"
	"testing"
)

// The parsers read untrusted text from users and from the host. These fuzz
// tests hold two properties: they never panic, and canonical form is a
// fixed point (canonicalising it again changes nothing), which is what
// keeps a plan free of perpetual diffs.

func FuzzParseAddresses(f *testing.F) {
	for _, seed := range []string{
		"Any", "10.1.2.3/8", "10.1.2.0/255.255.255.0", "192.0.2.7/32", "0.0.0.0/0",
		"fe80::1", "2001:DB8::1/48", "::/0", "::ffff:10.0.0.1", "::ffff:10.0.0.1/120",
		"10.0.0.1-10.0.0.9", "fe80::1-fe80::9", "LocalSubnet4", "intranet,dns6",
		"10.0.0.1, 10.0.0.1", "::1", "::1/128", "ff02::1", "10.0.0.0/255.0.255.0", "1.2.3.4-",
		"fe80::1%eth0", "-", "/", "1.2.3.4/", "/24",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, in string, remote bool) {
		side := Local
		if remote {
			side = Remote
		}
		canon, err := ParseAddresses(side, strings.Split(in, ";"))
		if err != nil {
			return
		}
		again, err := ParseAddresses(side, canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, in, err)
		}
		if !reflect.DeepEqual(again, canon) {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, canon, again)
		}
		if _, err := Breadth(canon); err != nil {
			t.Fatalf("Breadth refused canonical %q: %v", canon, err)
		}
	})
}

func FuzzParsePorts(f *testing.F) {
	for _, seed := range []string{
		"Any", "80", "80,443", "5000-5020", "1-65535", "0", "65536", "80-80", "90-80",
		"RPC", "rpcepmap", "RPC-EPMap", "Teredo", "IPHTTPS", "PlayToDiscovery", "80,,81",
		"1,2,3-5,4-9", " 443 ", "-1", "1-", "00080",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, in string, remote bool) {
		side := Local
		if remote {
			side = Remote
		}
		canon, err := ParsePorts(side, strings.Split(in, ";"))
		if err != nil {
			return
		}
		again, err := ParsePorts(side, canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, in, err)
		}
		if !reflect.DeepEqual(again, canon) {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, canon, again)
		}
		n, err := PortCount(side, canon)
		if err != nil || n < 1 || n > 65535+dynamicRPCPorts+6 {
			t.Fatalf("PortCount(%q) = %d, %v", canon, n, err)
		}
	})
}
