package risk

import (
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/firewall"
)

// Rule is a firewall rule as strings, in the canonical form package
// firewall produces (other spellings it accepts work too). A nil list means
// Any, as on Windows.
type Rule struct {
	Direction       string // Inbound (default) or Outbound
	Action          string // Allow (default), Block or NotConfigured
	Enabled         bool
	Protocol        string
	LocalPorts      []string
	RemotePorts     []string
	LocalAddresses  []string
	RemoteAddresses []string
	Profiles        []string
	Program         string
	Service         string
	EdgeTraversal   string
	IcmpTypes       []string
	// EnforcementStatus is only meaningful for rules read from the
	// ActiveStore; empty means unknown and the rule is taken as enforced.
	EnforcementStatus string
}

// wideRange is the provider's threshold for "a wide port range": more
// ports than this is high exposure whoever may connect. It is a heuristic,
// not an authoritative number (reference/windows-host.md section 5).
const wideRange = 100

// ClassifyRule returns the exposure level of one rule on its own and one
// line a reviewer can act on, following reference/windows-host.md section 5.
// Values that cannot be read are assumed to be as open as possible, and the
// reason says so.
func ClassifyRule(r Rule) (Exposure, string) {
	v := readRule(r, true)
	switch {
	case !r.Enabled:
		return ExposureNone, "disabled: opens nothing until enabled (" + v.summary() + ")" + v.noteText()
	case v.action == firewall.Block:
		return ExposureNone, "block rule: opens nothing and overrides allow rules for " + v.summary() + v.noteText()
	case v.action != firewall.Allow:
		return ExposureNone, "action " + v.action + ": allows nothing (" + v.summary() + ")" + v.noteText()
	case r.EnforcementStatus != "" && !strings.EqualFold(r.EnforcementStatus, "Full"):
		return ExposureNone, fmt.Sprintf("not enforced (EnforcementStatus %s): %s", r.EnforcementStatus, v.summary()) + v.noteText()
	case v.direction == firewall.Outbound:
		return v.egress()
	}
	return v.inbound()
}

func (v ruleView) egress() (Exposure, string) {
	b := v.remoteBreadth()
	if b.Scope <= firewall.ScopePrivate {
		return ExposureEgressLow, fmt.Sprintf("%s: the host can reach only %s", v.summary(), reachPhrase(b, "")) + v.noteText()
	}
	return ExposureEgress, fmt.Sprintf("%s: the host can reach %s", v.summary(), reachPhrase(b, "")) + v.noteText()
}

func (v ruleView) inbound() (Exposure, string) {
	b := v.remoteBreadth()
	public := firewall.ProfilesIncludePublic(v.profiles)
	ports, allPorts := v.openPorts()
	scoped := v.program != firewall.Any || v.service != firewall.Any
	var why []string

	level := ExposureLow
	switch b.Scope {
	case firewall.ScopePrivate:
		level = ExposureMedium
	case firewall.ScopePublic:
		level = ExposureHigh
	case firewall.ScopeAny:
		level = ExposureHigh
		if scoped && !allPorts && ports <= wideRange && !public {
			level = ExposureMedium
		}
	}
	if level == ExposureLow && public {
		level = ExposureMedium
		why = append(why, "applies on Public networks")
	}
	if ports > wideRange && !allPorts {
		level = maxExposure(level, ExposureHigh)
		why = append(why, fmt.Sprintf("more than %d ports", wideRange))
	}
	if allPorts {
		level = maxExposure(level, ExposureHigh)
		if b.Scope == firewall.ScopeAny {
			level = ExposureCritical
		}
	}
	if b.Scope == firewall.ScopeAny && public {
		level = ExposureCritical
		if !firewall.ProfilesCoverAll(v.profiles) {
			why = append(why, "including Public networks")
		}
	}
	if v.edge != firewall.Block {
		level = ExposureCritical
		why = append(why, "edge traversal "+v.edge+" admits unsolicited traffic through NAT and Teredo")
	}
	if scoped {
		why = append(why, "limited to that "+v.targetKind())
	}
	reason := fmt.Sprintf("%s: %s reachable %s", v.summary(), v.portsPhrase(ports, allPorts), reachPhrase(b, "from "))
	if len(why) > 0 {
		reason += "; " + strings.Join(why, "; ")
	}
	return level, reason + v.noteText()
}

func maxExposure(a, b Exposure) Exposure {
	if b > a {
		return b
	}
	return a
}

// openPorts counts the local ports a rule opens. allPorts is true when no
// port condition limits it: LocalPort Any on TCP/UDP, or Protocol Any.
// Other protocols (ICMP, GRE) have no ports and count 0.
func (v ruleView) openPorts() (count int, allPorts bool) {
	switch {
	case v.protocol == firewall.Any:
		return 65535, true
	case !firewall.IsPortProtocol(v.protocol):
		return 0, false
	case len(v.localPorts) == 1 && v.localPorts[0] == firewall.Any:
		return 65535, true
	}
	n, err := firewall.PortCount(firewall.Local, v.localPorts)
	if err != nil {
		return 65535, true
	}
	return n, false
}

func (v ruleView) remoteBreadth() firewall.AddressBreadth {
	b, err := firewall.Breadth(v.remoteAddrs)
	if err != nil {
		// readRule has already replaced unreadable addresses with Any.
		b, _ = firewall.Breadth(nil)
	}
	return b
}
