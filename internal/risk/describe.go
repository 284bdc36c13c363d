package risk

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
)

// ruleView is a Rule in canonical form, with notes on values that could
// not be read.
type ruleView struct {
	direction, action, protocol, edge, program, service string
	localPorts, remotePorts, localAddrs, remoteAddrs    []string
	profiles, icmp                                      []string
	notes                                               []string
}

// readRule canonicalises a rule. A value that does not parse is replaced by
// its most open reading when worstCase is set (for classification, so an
// unreadable value never lowers the level), or kept as given otherwise (for
// change descriptions, so a change between two unreadable values still
// shows).
func readRule(r Rule, worstCase bool) ruleView {
	v := ruleView{program: orAny(r.Program), service: orAny(r.Service)}
	one := func(label, in, worst string, parse func(string) (string, error)) string {
		out, err := parse(in)
		if err == nil {
			return out
		}
		if !worstCase {
			return strings.TrimSpace(in)
		}
		v.notes = append(v.notes, fmt.Sprintf("unreadable %s %q taken as %s", label, in, worst))
		return worst
	}
	list := func(label string, in []string, parse func([]string) ([]string, error)) []string {
		out, err := parse(in)
		if err == nil {
			return out
		}
		if !worstCase {
			return in
		}
		v.notes = append(v.notes, fmt.Sprintf("unreadable %s %q taken as Any", label, strings.Join(in, ",")))
		return []string{fwrule.Any}
	}
	side := func(s fwrule.Side, parse func(fwrule.Side, []string) ([]string, error)) func([]string) ([]string, error) {
		return func(in []string) ([]string, error) { return parse(s, in) }
	}
	v.direction = one("direction", r.Direction, fwrule.Inbound, fwrule.ParseDirection)
	v.action = one("action", r.Action, fwrule.Allow, fwrule.ParseAction)
	v.protocol = one("protocol", r.Protocol, fwrule.Any, fwrule.ParseProtocol)
	v.edge = one("edge traversal", r.EdgeTraversal, fwrule.Allow, fwrule.ParseEdgeTraversal)
	v.localPorts = list("local ports", r.LocalPorts, side(fwrule.Local, fwrule.ParsePorts))
	v.remotePorts = list("remote ports", r.RemotePorts, side(fwrule.Remote, fwrule.ParsePorts))
	v.localAddrs = list("local addresses", r.LocalAddresses, side(fwrule.Local, fwrule.ParseAddresses))
	v.remoteAddrs = list("remote addresses", r.RemoteAddresses, side(fwrule.Remote, fwrule.ParseAddresses))
	v.profiles = list("profiles", r.Profiles, fwrule.ParseProfiles)
	v.icmp = list("ICMP types", r.IcmpTypes, fwrule.ParseIcmpTypes)
	return v
}

func orAny(s string) string {
	if t := strings.TrimSpace(s); t != "" && !strings.EqualFold(t, fwrule.Any) {
		return t
	}
	return fwrule.Any
}

// summary names the rule's traffic in one phrase:
// "inbound TCP 443 from 10.1.2.0/255.255.255.0 on Domain".
func (v ruleView) summary() string {
	dir, from := "inbound", "from"
	if v.direction == fwrule.Outbound {
		dir, from = "outbound", "to"
	}
	s := fmt.Sprintf("%s %s %s %s on %s", dir, v.traffic(), from, shortList(v.remoteAddrs), v.profileText())
	if v.program != fwrule.Any || v.service != fwrule.Any {
		s += " for " + v.target()
	}
	return s
}

// traffic is the protocol with its ports or ICMP types: "TCP 80, 443",
// "UDP any port", "ICMPv4 types 8", "any protocol", "protocol 47".
func (v ruleView) traffic() string {
	switch {
	case v.protocol == fwrule.Any:
		return "any protocol"
	case fwrule.IsPortProtocol(v.protocol):
		ports := v.localPorts
		if v.direction == fwrule.Outbound {
			ports = v.remotePorts
		}
		if isAnyList(ports) {
			return v.protocol + " any port"
		}
		return v.protocol + " " + shortList(ports)
	case fwrule.IsICMPProtocol(v.protocol):
		if isAnyList(v.icmp) {
			return v.protocol
		}
		return v.protocol + " types " + shortList(v.icmp)
	}
	return "protocol " + v.protocol
}

func (v ruleView) profileText() string {
	if fwrule.ProfilesCoverAll(v.profiles) {
		return "all profiles"
	}
	return strings.Join(v.profiles, ", ")
}

func (v ruleView) target() string {
	var parts []string
	if v.program != fwrule.Any {
		parts = append(parts, "program "+v.program)
	}
	if v.service != fwrule.Any {
		parts = append(parts, "service "+v.service)
	}
	return strings.Join(parts, " and ")
}

func (v ruleView) targetKind() string {
	switch {
	case v.program != fwrule.Any && v.service != fwrule.Any:
		return "program and service"
	case v.service != fwrule.Any:
		return "service"
	}
	return "program"
}

// portsPhrase says what is open: "1 port", "64512 ports", "every port",
// "every protocol", or the protocol itself for port-less protocols.
func (v ruleView) portsPhrase(count int, all bool) string {
	switch {
	case v.protocol == fwrule.Any:
		return "every protocol and port"
	case all:
		return "every " + v.protocol + " port"
	case !fwrule.IsPortProtocol(v.protocol):
		return v.traffic()
	case count == 1:
		return "1 port"
	}
	return fmt.Sprintf("%d ports", count)
}

// reachPhrase says who can connect (or, outbound, what can be reached):
// "from the internet", "from 256 addresses", "from the local subnet".
func reachPhrase(b fwrule.AddressBreadth, from string) string {
	switch {
	case b.Scope == fwrule.ScopeAny:
		if from == "" {
			return "any destination, including the internet"
		}
		return "from the internet"
	case !strings.ContainsAny(b.Widest, ".:"): // a keyword
		return from + keywordPhrase(b.Widest)
	}
	kind := ""
	switch b.Scope {
	case fwrule.ScopePrivate:
		kind = "private "
	case fwrule.ScopePublic:
		kind = "public "
	}
	return from + countText(b.Addresses, kind+"address")
}

var keywordPhrases = map[string]string{
	"LocalSubnet":          "the local subnet",
	"DefaultGateway":       "the default gateway",
	"DNS":                  "the DNS servers",
	"DHCP":                 "the DHCP servers",
	"WINS":                 "the WINS servers",
	"Intranet":             "the intranet",
	"IntranetRemoteAccess": "the intranet and remote-access clients",
	"PlayToDevice":         "Play To devices",
	"CaptivePortal":        "the captive portal",
	"Internet":             "the internet",
}

func keywordPhrase(kw string) string {
	base := strings.TrimRight(kw, "46")
	phrase, ok := keywordPhrases[base]
	if !ok {
		return kw
	}
	if suffix := kw[len(base):]; suffix != "" {
		phrase += " (IPv" + suffix + ")"
	}
	return phrase
}

func countText(n *big.Int, noun string) string {
	if n.Cmp(big.NewInt(1)) == 0 {
		return "1 " + noun
	}
	return n.String() + " " + noun + "es"
}

func (v ruleView) noteText() string {
	if len(v.notes) == 0 {
		return ""
	}
	return "; " + strings.Join(v.notes, "; ")
}

// shortList joins a list, naming at most four items so the reason stays on
// one readable line.
func shortList(list []string) string {
	const show = 4
	if len(list) <= show {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:show], ", "), len(list)-show)
}

func isAnyList(list []string) bool { return len(list) == 1 && list[0] == fwrule.Any }
