package host

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestFirewallAdminCommands(t *testing.T) {
	h := New(Options{})
	ctx := context.Background()
	var out bytes.Buffer
	if err := RunAdmin(h, []string{"add-rule", "dns-in", "DNS in", "protocol=UDP", "local-ports=53", "remote-addresses=10.1.2.3/24"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := RunAdmin(h, []string{"set-rule", "dns-in", "remote-addresses=Any", "local-ports=1024-65535", "profiles=Domain,Public"}, &out); err != nil {
		t.Fatal(err)
	}
	r, err := h.FirewallRule(ctx, "dns-in")
	if err != nil {
		t.Fatal(err)
	}
	w := ruleToWire(r)
	if w.RemoteAddress[0] != "Any" || w.LocalPort[0] != "1024-65535" || w.Profile != "Domain, Public" || w.Protocol != "UDP" {
		t.Fatalf("after set-rule: %+v", w)
	}
	if err := RunAdmin(h, []string{"set-rule", "dns-in", "port=80"}, &out); err == nil || !strings.Contains(err.Error(), "FIELD=VALUE") {
		t.Fatalf("unknown field: %v", err)
	}
	if err := RunAdmin(h, []string{"set-rule", "dns-in", "protocol=ICMPv4"}, &out); err == nil || !strings.Contains(err.Error(), msgProtocolOptions) {
		t.Fatalf("ICMP on a rule with ports: %v", err)
	}
	if err := RunAdmin(h, []string{"set-rule", "dns-in", "group=Other"}, &out); err == nil {
		t.Fatal("set-rule changed the group")
	}
	if !strings.Contains(AdminUsage, "set-rule NAME FIELD=VALUE") {
		t.Error("usage does not document set-rule")
	}
}
