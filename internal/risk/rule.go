package risk

import (
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
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
	case v.action == fwrule.Block:
		return ExposureNone, "block rule: opens nothing and overrides allow rules for " + v.summary() + v.noteText()
	case v.action != fwrule.Allow:
		return ExposureNone, "action " + v.action + ": allows nothing (" + v.summary() + ")" + v.noteText()
	case r.EnforcementStatus != "" && !strings.EqualFold(r.EnforcementStatus, "Full"):
		return ExposureNone, fmt.Sprintf("not enforced (EnforcementStatus %s): %s", r.EnforcementStatus, v.summary()) + v.noteText()
	case v.direction == fwrule.Outbound:
		return v.egress()
	}
	return v.inbound()
}

func (v ruleView) egress() (Exposure, string) {
	b := v.remoteBreadth()
	if b.Scope <= fwrule.ScopePrivate {
		return ExposureEgressLow, fmt.Sprintf("%s: the host can reach only %s", v.summary(), reachPhrase(b, "")) + v.noteText()
	}
	return ExposureEgress, fmt.Sprintf("%s: the host can reach %s", v.summary(), reachPhrase(b, "")) + v.noteText()
}

func (v ruleView) inbound() (Exposure, string) {
	b := v.remoteBreadth()
	public := fwrule.ProfilesIncludePublic(v.profiles)
	ports, allPorts := v.openPorts()
	scoped := v.program != fwrule.Any || v.service != fwrule.Any
	var why []string

	level := ExposureLow
	switch b.Scope {
	case fwrule.ScopePrivate:
		level = ExposureMedium
	case fwrule.ScopePublic:
		level = ExposureHigh
	case fwrule.ScopeAny:
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
		if b.Scope == fwrule.ScopeAny {
			level = ExposureCritical
		}
	}
	if b.Scope == fwrule.ScopeAny && public {
		level = ExposureCritical
		if !fwrule.ProfilesCoverAll(v.profiles) {
			why = append(why, "including Public networks")
		}
	}
	if v.edge != fwrule.Block {
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
	case v.protocol == fwrule.Any:
		return 65535, true
	case !fwrule.IsPortProtocol(v.protocol):
		return 0, false
	case len(v.localPorts) == 1 && v.localPorts[0] == fwrule.Any:
		return 65535, true
	}
	n, err := fwrule.PortCount(fwrule.Local, v.localPorts)
	if err != nil {
		return 65535, true
	}
	return n, false
}

func (v ruleView) remoteBreadth() fwrule.AddressBreadth {
	b, err := fwrule.Breadth(v.remoteAddrs)
	if err != nil {
		// readRule has already replaced unreadable addresses with Any.
		b, _ = fwrule.Breadth(nil)
	}
	return b
}
