// Package fwrule holds the value rules of Windows Defender Firewall rules,
// with no I/O, so that both the provider and the pure risk package can use
// them. The host operations live in internal/firewall.
//
// They parse what a user
// writes and what the host returns (New-NetFirewallRule arguments, the
// Get-NetFirewall*Filter read-back) into one canonical form, so that the
// provider can compare the two without perpetual diffs, and they reproduce
// the checks Windows applies when a rule is created
// (reference/windows-host.md sections 4.1 and 4.2).
//
// Canonical forms, in short:
//   - every list is sorted and deduplicated, and "Any" stands alone;
//   - protocols are TCP, UDP, ICMPv4, ICMPv6, Any, or a decimal number;
//   - IPv4 subnets read as Windows returns them: network/dotted-mask, and a
//     /32 as the bare address;
//   - names of keywords and enum values use Windows' own spelling.
package fwrule

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Any is the keyword Windows uses for "no condition" on every list
// attribute and for the protocol. A filter that was never set reads back as
// Any.
const Any = "Any"

// ValueError says what is wrong with one value a user or the host gave, in
// Windows' own words where they are known, and which forms are accepted.
type ValueError struct {
	Value    string // the offending value as given
	Reason   string // what is wrong with it
	Accepted string // the forms that would be accepted
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("%q: %s Accepted: %s", e.Value, e.Reason, e.Accepted)
}

// Protocol names as Windows spells them, keyed by IANA protocol number.
// New-NetFirewallRule accepts these names or any number 0-255; the read-back
// names these four and gives other numbers as decimal strings.
var protocolNames = map[int]string{
	1:  "ICMPv4",
	6:  "TCP",
	17: "UDP",
	58: "ICMPv6",
}

const protocolAccepted = `TCP, UDP, ICMPv4, ICMPv6, Any, or a protocol number 0-255 (for example 47 for GRE).`

// ParseProtocol returns the canonical form of a protocol: TCP, UDP, ICMPv4
// or ICMPv6 by name (also when given as 6, 17, 1 or 58), Any, or another
// number as a decimal string. Names are case-insensitive. An empty value is
// Any, because that is how Windows reads an unset protocol.
func ParseProtocol(s string) (string, error) {
	v := strings.TrimSpace(s)
	if v == "" || strings.EqualFold(v, Any) {
		return Any, nil
	}
	for _, name := range protocolNames {
		if strings.EqualFold(v, name) {
			return name, nil
		}
	}
	n, ok := parseDecimal(v, 255)
	if !ok {
		reason := "The protocol is not a known name or a number from 0 to 255."
		if strings.EqualFold(v, "ICMP") {
			reason = "Windows names the ICMP versions separately."
		}
		return "", &ValueError{Value: s, Reason: reason, Accepted: protocolAccepted}
	}
	if name, ok := protocolNames[n]; ok {
		return name, nil
	}
	return strconv.Itoa(n), nil
}

// IsPortProtocol reports whether a canonical protocol carries ports: only
// TCP and UDP rules may name local or remote ports.
func IsPortProtocol(protocol string) bool {
	return protocol == "TCP" || protocol == "UDP"
}

// IsICMPProtocol reports whether a canonical protocol carries ICMP types.
func IsICMPProtocol(protocol string) bool {
	return protocol == "ICMPv4" || protocol == "ICMPv6"
}

// Profile names in the order Windows prints them (its flag order:
// Domain=1, Private=2, Public=4).
var profileOrder = []string{"Domain", "Private", "Public"}

// NotApplicable is a profile value some rules in the system stores carry.
// It is accepted alone so that reading such a rule does not fail.
const NotApplicable = "NotApplicable"

const profilesAccepted = `Any alone, NotApplicable alone, or one or more of Domain, Private, Public (as a list or as the host's "Domain, Private, Public" string).`

// ParseProfiles returns the canonical profile list: ["Any"], or a sorted
// subset of Domain, Private, Public. Each value may itself be a
// comma-separated string such as the host's "Domain, Private, Public".
// An empty list is ["Any"], the Windows default.
//
// All three profiles and Any are kept distinct, because Windows reads them
// back as given ("Domain, Private, Public" versus "Any"); they expose a rule
// equally, which ProfilesCoverAll reports.
func ParseProfiles(values []string) ([]string, error) {
	items, err := splitItems(values, profilesAccepted)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return []string{Any}, nil
	}
	seen := map[string]bool{}
	for _, item := range items {
		name, ok := matchFold(item, append([]string{Any, NotApplicable}, profileOrder...))
		if !ok {
			return nil, &ValueError{Value: item, Reason: "The profile type is invalid.", Accepted: profilesAccepted}
		}
		seen[name] = true
	}
	for _, alone := range []string{Any, NotApplicable} {
		if seen[alone] {
			if len(seen) > 1 {
				return nil, standAlone(strings.Join(items, ","), alone, profilesAccepted)
			}
			return []string{alone}, nil
		}
	}
	var out []string
	for _, name := range profileOrder {
		if seen[name] {
			out = append(out, name)
		}
	}
	return out, nil
}

// ProfilesCoverAll reports whether a canonical profile list applies the rule
// on every network: Any, or all of Domain, Private and Public.
func ProfilesCoverAll(profiles []string) bool {
	if len(profiles) == 1 && profiles[0] == Any {
		return true
	}
	return len(profiles) == len(profileOrder) && contains(profiles, "Domain") &&
		contains(profiles, "Private") && contains(profiles, "Public")
}

// ProfilesIncludePublic reports whether a canonical profile list applies the
// rule on Public networks (Any does).
func ProfilesIncludePublic(profiles []string) bool {
	return contains(profiles, Any) || contains(profiles, "Public")
}

// Interface types in Windows' flag order.
var interfaceTypeOrder = []string{"Wired", "Wireless", "RemoteAccess"}

const interfaceTypesAccepted = `Any alone, or one or more of Wired, Wireless, RemoteAccess.`

// ParseInterfaceTypes returns the canonical interface type list: ["Any"] or
// a subset of Wired, Wireless, RemoteAccess in that order. An empty list is
// ["Any"].
func ParseInterfaceTypes(values []string) ([]string, error) {
	items, err := splitItems(values, interfaceTypesAccepted)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return []string{Any}, nil
	}
	seen := map[string]bool{}
	for _, item := range items {
		name, ok := matchFold(item, append([]string{Any}, interfaceTypeOrder...))
		if !ok {
			return nil, &ValueError{Value: item, Reason: "The interface type is invalid.", Accepted: interfaceTypesAccepted}
		}
		seen[name] = true
	}
	if seen[Any] {
		if len(seen) > 1 {
			return nil, standAlone(strings.Join(items, ","), Any, interfaceTypesAccepted)
		}
		return []string{Any}, nil
	}
	var out []string
	for _, name := range interfaceTypeOrder {
		if seen[name] {
			out = append(out, name)
		}
	}
	return out, nil
}

// Enum values, in Windows' spelling.
const (
	Inbound  = "Inbound"
	Outbound = "Outbound"

	Allow         = "Allow"
	Block         = "Block"
	NotConfigured = "NotConfigured"

	DeferToUser = "DeferToUser"
	DeferToApp  = "DeferToApp"
)

// ParseDirection returns Inbound or Outbound. Empty is Inbound, the
// New-NetFirewallRule default.
func ParseDirection(s string) (string, error) {
	return parseEnum(s, Inbound, []string{Inbound, Outbound}, "The direction is invalid.")
}

// ParseAction returns Allow, Block or NotConfigured. Empty is Allow, the
// New-NetFirewallRule default.
func ParseAction(s string) (string, error) {
	return parseEnum(s, Allow, []string{Allow, Block, NotConfigured}, "The action is invalid.")
}

// ParseEdgeTraversal returns Block, Allow, DeferToUser or DeferToApp. Empty
// is Block, which is what Windows reads for a rule that never set it.
func ParseEdgeTraversal(s string) (string, error) {
	return parseEnum(s, Block, []string{Block, Allow, DeferToUser, DeferToApp},
		"The edge traversal policy is invalid.")
}

// ParseEnabled reads the Enabled value, which Windows carries as the strings
// True and False (or the CIM numbers 1 and 2), not as a boolean.
func ParseEnabled(s string) (bool, error) {
	switch v := strings.TrimSpace(s); {
	case strings.EqualFold(v, "True") || v == "1":
		return true, nil
	case strings.EqualFold(v, "False") || v == "2":
		return false, nil
	}
	return false, &ValueError{Value: s, Reason: "Enabled is not a boolean but the string True or False.",
		Accepted: "True or False (the CIM numbers 1 and 2 are read as True and False)."}
}

const icmpAccepted = `Any alone, or ICMP types 0-255 (8) and type:code pairs with codes 0-255 (3:4).`

// ParseIcmpTypes returns the canonical ICMP type list: ["Any"], or types and
// type:code pairs sorted by type, a bare type before its pairs, then by
// code. An empty list is ["Any"].
func ParseIcmpTypes(values []string) ([]string, error) {
	items, err := splitItems(values, icmpAccepted)
	if err != nil {
		return nil, err
	}
	type icmp struct{ typ, code int } // code -1: every code of the type
	var list []icmp
	sawAny := false
	for _, item := range items {
		if strings.EqualFold(item, Any) {
			sawAny = true
			continue
		}
		typText, codeText, hasCode := strings.Cut(item, ":")
		typ, ok := parseDecimal(strings.TrimSpace(typText), 255)
		if !ok {
			return nil, &ValueError{Value: item, Reason: "The ICMP type is not a number from 0 to 255.", Accepted: icmpAccepted}
		}
		code := -1
		if hasCode {
			if code, ok = parseDecimal(strings.TrimSpace(codeText), 255); !ok {
				return nil, &ValueError{Value: item, Reason: "Invalid ICMP code specified.", Accepted: icmpAccepted}
			}
		}
		list = append(list, icmp{typ, code})
	}
	if sawAny {
		if len(list) > 0 {
			return nil, standAlone(strings.Join(items, ","), Any, icmpAccepted)
		}
		return []string{Any}, nil
	}
	if len(list) == 0 {
		return []string{Any}, nil
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].typ != list[j].typ {
			return list[i].typ < list[j].typ
		}
		return list[i].code < list[j].code
	})
	var out []string
	for _, e := range list {
		s := strconv.Itoa(e.typ)
		if e.code >= 0 {
			s += ":" + strconv.Itoa(e.code)
		}
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out, nil
}

// splitItems flattens a list whose elements may themselves be
// comma-separated (the host returns "Domain, Private, Public"; users write
// "80,443"), trims spaces, and rejects empty items.
func splitItems(values []string, accepted string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			item := strings.TrimSpace(part)
			if item == "" {
				return nil, &ValueError{Value: v, Reason: "The list contains an empty value.", Accepted: accepted}
			}
			out = append(out, item)
		}
	}
	return out, nil
}

func standAlone(given, keyword, accepted string) *ValueError {
	return &ValueError{Value: given, Reason: keyword + " means every value and must stand alone in the list.", Accepted: accepted}
}

func parseEnum(s, empty string, names []string, reason string) (string, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return empty, nil
	}
	if name, ok := matchFold(v, names); ok {
		return name, nil
	}
	return "", &ValueError{Value: s, Reason: reason, Accepted: strings.Join(names, ", ") + "."}
}

func matchFold(s string, names []string) (string, bool) {
	for _, name := range names {
		if strings.EqualFold(s, name) {
			return name, true
		}
	}
	return "", false
}

// parseDecimal accepts only plain decimal digits (no sign, no spaces) up to
// max, so that "+80" or "0x50" are not silently taken for ports.
func parseDecimal(s string, max int) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, n <= max
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
