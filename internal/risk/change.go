package risk

import (
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
)

// RuleChange describes what changed between two versions of a rule, one
// line per changed attribute, in a fixed order (state, action, direction,
// traffic, addresses, profiles, program, edge traversal). Values are
// compared in canonical form, so respellings (10.1.2.0/24 versus
// 10.1.2.0/255.255.255.0, tcp versus 6) are not changes. It returns nil when
// nothing that affects exposure changed.
func RuleChange(before, after Rule) []string {
	b, a := readRule(before, false), readRule(after, false)
	var out []string
	scalar := func(label, x, y string) {
		if x != y {
			out = append(out, fmt.Sprintf("%s: %s -> %s", label, x, y))
		}
	}
	scalar("enabled", fmt.Sprint(before.Enabled), fmt.Sprint(after.Enabled))
	scalar("action", b.action, a.action)
	scalar("direction", b.direction, a.direction)
	scalar("protocol", b.protocol, a.protocol)
	if line := listChange("local ports", b.localPorts, a.localPorts); line != "" {
		out = append(out, line+portCountChange(fwrule.Local, b, a, b.localPorts, a.localPorts))
	}
	if line := listChange("remote ports", b.remotePorts, a.remotePorts); line != "" {
		out = append(out, line+portCountChange(fwrule.Remote, b, a, b.remotePorts, a.remotePorts))
	}
	for _, l := range []struct {
		label string
		x, y  []string
	}{
		{"ICMP types", b.icmp, a.icmp},
		{"local addresses", b.localAddrs, a.localAddrs},
		{"remote addresses", b.remoteAddrs, a.remoteAddrs},
		{"profiles", b.profiles, a.profiles},
	} {
		if line := listChange(l.label, l.x, l.y); line != "" {
			out = append(out, line)
		}
	}
	scalar("program", b.program, a.program)
	scalar("service", b.service, a.service)
	scalar("edge traversal", b.edge, a.edge)
	scalar("enforcement", orFull(before.EnforcementStatus), orFull(after.EnforcementStatus))
	return out
}

// listChange says which items were added and removed:
// "remote addresses: added Any; removed 10.0.0.0/255.0.0.0".
func listChange(label string, before, after []string) string {
	added, removed := diff(after, before), diff(before, after)
	if len(added) == 0 && len(removed) == 0 {
		return ""
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+shortList(added))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+shortList(removed))
	}
	return label + ": " + strings.Join(parts, "; ")
}

// portCountChange adds the number of ports on each side when both versions
// carry ports, because "added 1024-65535" hides how much that is.
func portCountChange(side fwrule.Side, b, a ruleView, before, after []string) string {
	if !fwrule.IsPortProtocol(b.protocol) || !fwrule.IsPortProtocol(a.protocol) {
		return ""
	}
	x, err1 := fwrule.PortCount(side, before)
	y, err2 := fwrule.PortCount(side, after)
	if err1 != nil || err2 != nil || x == y {
		return ""
	}
	return fmt.Sprintf(" (%d -> %d ports)", x, y)
}

func diff(from, minus []string) []string {
	skip := map[string]bool{}
	for _, s := range minus {
		skip[s] = true
	}
	var out []string
	for _, s := range from {
		if !skip[s] {
			out = append(out, s)
			skip[s] = true
		}
	}
	return out
}

func orFull(status string) string {
	if status == "" {
		return "Full"
	}
	return status
}
