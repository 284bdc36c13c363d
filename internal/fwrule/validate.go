package fwrule

import (
	"errors"
	"fmt"
	"strings"
)

// RuleSpec is a firewall rule as a user writes it or as the host reads it
// back, with every list as strings. Normalize turns it into canonical form.
//
// Group can only be set when a rule is created (Windows derives
// DisplayGroup from it); changing it means deleting and recreating the rule.
// That is the provider's job (RequiresReplace); nothing here enforces it.
type RuleSpec struct {
	Name        string // the unique rule ID (-Name); Windows makes up a GUID if it is empty, the provider never does
	DisplayName string
	Description string
	Group       string

	Direction       string // Inbound (default) or Outbound
	Action          string // Allow (default), Block or NotConfigured
	Enabled         bool
	Protocol        string
	LocalPorts      []string
	RemotePorts     []string
	IcmpTypes       []string
	LocalAddresses  []string
	RemoteAddresses []string
	Profiles        []string
	Program         string // full path, or Any
	Service         string // short service name, or Any

	EdgeTraversal  string
	InterfaceTypes []string
}

// Attribute names used in Problem.Attribute: the provider's schema names.
const (
	AttrName            = "name"
	AttrDisplayName     = "display_name"
	AttrDescription     = "description"
	AttrDirection       = "direction"
	AttrAction          = "action"
	AttrProtocol        = "protocol"
	AttrLocalPorts      = "local_ports"
	AttrRemotePorts     = "remote_ports"
	AttrIcmpTypes       = "icmp_types"
	AttrLocalAddresses  = "local_addresses"
	AttrRemoteAddresses = "remote_addresses"
	AttrProfiles        = "profiles"
	AttrProgram         = "program"
	AttrEdgeTraversal   = "edge_traversal"
	AttrInterfaceTypes  = "interface_types"
)

// Problem is one reason Windows would refuse a rule, tied to the attribute
// that causes it. Message says what was given and what is accepted.
type Problem struct {
	Attribute string
	Message   string
}

func (p Problem) String() string { return p.Attribute + ": " + p.Message }

// maxTextLen is the longest rule ID, display name or description the
// firewall service takes: its RPC interface declares these strings
// range(1,10001), which counts the terminating NUL.
const maxTextLen = 10000

// Validate reports every reason Windows would refuse to create the rule,
// or nil if it would accept it.
func Validate(spec RuleSpec) []Problem {
	_, problems := Normalize(spec)
	return problems
}

// Normalize returns the rule in canonical form, unset values filled with the
// values Windows reads back for them (Any, Inbound, Allow, Block edge
// traversal), together with the problems Validate reports. Fields that have
// a problem are left as given.
func Normalize(spec RuleSpec) (RuleSpec, []Problem) {
	v := &validation{out: spec}
	v.texts(spec)
	v.enum(AttrDirection, &v.out.Direction, ParseDirection)
	v.enum(AttrAction, &v.out.Action, ParseAction)
	v.enum(AttrEdgeTraversal, &v.out.EdgeTraversal, ParseEdgeTraversal)
	protoOK := v.enum(AttrProtocol, &v.out.Protocol, ParseProtocol)
	localOK := v.list(AttrLocalPorts, &v.out.LocalPorts, func(s []string) ([]string, error) { return ParsePorts(Local, s) })
	remoteOK := v.list(AttrRemotePorts, &v.out.RemotePorts, func(s []string) ([]string, error) { return ParsePorts(Remote, s) })
	icmpOK := v.list(AttrIcmpTypes, &v.out.IcmpTypes, ParseIcmpTypes)
	v.list(AttrLocalAddresses, &v.out.LocalAddresses, func(s []string) ([]string, error) { return ParseAddresses(Local, s) })
	v.list(AttrRemoteAddresses, &v.out.RemoteAddresses, func(s []string) ([]string, error) { return ParseAddresses(Remote, s) })
	v.list(AttrProfiles, &v.out.Profiles, ParseProfiles)
	v.list(AttrInterfaceTypes, &v.out.InterfaceTypes, ParseInterfaceTypes)
	v.out.Program = orAny(v.out.Program)
	v.out.Service = orAny(v.out.Service)

	if protoOK {
		if localOK {
			v.portsFitProtocol(AttrLocalPorts, Local, v.out.LocalPorts)
		}
		if remoteOK {
			v.portsFitProtocol(AttrRemotePorts, Remote, v.out.RemotePorts)
		}
		if icmpOK && !IsICMPProtocol(v.out.Protocol) && !isAny(v.out.IcmpTypes) {
			v.add(AttrIcmpTypes, fmt.Sprintf("The protocol-specific options do not match the protocol that was chosen. "+
				"ICMP types %s were given with protocol %s; set protocol to ICMPv4 or ICMPv6, or leave icmp_types unset (Any).",
				quoteList(v.out.IcmpTypes), v.out.Protocol))
		}
	}
	v.edgeTraversal(protoOK)
	return v.out, v.problems
}

type validation struct {
	out      RuleSpec
	problems []Problem
}

func (v *validation) add(attr, msg string) {
	v.problems = append(v.problems, Problem{Attribute: attr, Message: msg})
}

func (v *validation) addErr(attr string, err error) {
	var ve *ValueError
	if errors.As(err, &ve) {
		v.add(attr, fmt.Sprintf("%s Given: %q. Accepted: %s", ve.Reason, ve.Value, ve.Accepted))
		return
	}
	v.add(attr, err.Error())
}

func (v *validation) enum(attr string, field *string, parse func(string) (string, error)) bool {
	canon, err := parse(*field)
	if err != nil {
		v.addErr(attr, err)
		return false
	}
	*field = canon
	return true
}

func (v *validation) list(attr string, field *[]string, parse func([]string) ([]string, error)) bool {
	canon, err := parse(*field)
	if err != nil {
		v.addErr(attr, err)
		return false
	}
	*field = canon
	return true
}

// texts checks the name, display name and description. The COM API
// documents that the display name (INetFwRule.Name) and the description
// must not contain "|", because the store keeps a rule as a "|"-separated
// string; New-NetFirewallRule says DisplayName is required and cannot be
// "All".
func (v *validation) texts(spec RuleSpec) {
	switch {
	case strings.TrimSpace(spec.Name) == "":
		v.add(AttrName, `The rule ID must not be empty: Windows would make up a random GUID, and the rule could not be found again. `+
			`Give a stable name of 1 to 10000 characters, unique in the policy store.`)
	case len([]rune(spec.Name)) > maxTextLen:
		v.add(AttrName, fmt.Sprintf("The rule ID contains invalid characters, or is an invalid length. Given: a name of %d characters. "+
			"Accepted: 1 to 10000 characters, unique in the policy store.", len([]rune(spec.Name))))
	}
	switch {
	case strings.TrimSpace(spec.DisplayName) == "":
		v.add(AttrDisplayName, `A display name is required when creating a rule. Given: an empty display name. `+
			`Accepted: any text of 1 to 10000 characters without "|", other than "All"; it need not be unique.`)
	case strings.EqualFold(strings.TrimSpace(spec.DisplayName), "All"):
		v.add(AttrDisplayName, fmt.Sprintf(`This parameter cannot be set to All. Given: %q. `+
			`Accepted: any other text of 1 to 10000 characters without "|".`, spec.DisplayName))
	default:
		v.plainText(AttrDisplayName, "display name", spec.DisplayName)
	}
	v.plainText(AttrDescription, "description", spec.Description)
}

func (v *validation) plainText(attr, what, s string) {
	if strings.Contains(s, "|") {
		v.add(attr, fmt.Sprintf(`The %s must not contain the "|" character. Given: %q. Accepted: text of up to 10000 characters without "|".`, what, s))
	} else if n := len([]rune(s)); n > maxTextLen {
		v.add(attr, fmt.Sprintf(`The %s contains invalid characters, or is an invalid length. Given: %d characters. Accepted: text of up to 10000 characters without "|".`, what, n))
	}
}

// portsFitProtocol applies Windows' rule that ports need TCP or UDP and
// that each port keyword works with one protocol only.
func (v *validation) portsFitProtocol(attr string, side Side, ports []string) {
	if isAny(ports) {
		return
	}
	proto := v.out.Protocol
	if !IsPortProtocol(proto) {
		v.add(attr, fmt.Sprintf("The protocol-specific options do not match the protocol that was chosen. "+
			"%s ports %s were given with protocol %s; ports need protocol TCP or UDP. "+
			"Set protocol to TCP or UDP, or leave %s unset (Any).", side, quoteList(ports), proto, attr))
		return
	}
	for _, p := range ports {
		if need := PortKeywordProtocol(side, p); need != "" && need != proto {
			v.add(attr, fmt.Sprintf("One of the port keywords is invalid. Given: %q with protocol %s. "+
				"Accepted: %s works only with protocol %s.", p, proto, p, need))
		}
	}
}

// edgeTraversal applies two rules: edge traversal is an inbound setting
// (New-NetFirewallRule help), and DeferToUser needs a program path and TCP
// or UDP (FW_RULE_STATUS_SEMANTIC_ERROR_DEFER_USER_INVALID_RULE).
func (v *validation) edgeTraversal(protoOK bool) {
	edge := v.out.EdgeTraversal
	if edge == Block || !isEnum(edge, Allow, DeferToUser, DeferToApp) {
		return
	}
	if v.out.Direction == Outbound {
		v.add(AttrEdgeTraversal, fmt.Sprintf("Edge traversal is valid only when the direction is Inbound. Given: %q on an Outbound rule. "+
			"Accepted: Block (or unset) on Outbound rules; Block, Allow, DeferToUser or DeferToApp on Inbound rules.", edge))
		return
	}
	if edge == DeferToUser && (v.out.Program == Any || (protoOK && !IsPortProtocol(v.out.Protocol))) {
		v.add(AttrEdgeTraversal, fmt.Sprintf("The 'Defer to user' setting can only be used in a firewall rule where program path and TCP/UDP protocol are specified. "+
			"Given: DeferToUser with program %q and protocol %q. Accepted: set program to the application's full path and protocol to TCP or UDP, "+
			"or use DeferToApp, Allow or Block.", v.out.Program, v.out.Protocol))
	}
}

func isEnum(s string, names ...string) bool {
	for _, n := range names {
		if s == n {
			return true
		}
	}
	return false
}

func isAny(list []string) bool { return len(list) == 1 && list[0] == Any }

func orAny(s string) string {
	if t := strings.TrimSpace(s); t == "" || strings.EqualFold(t, Any) {
		return Any
	}
	return s
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
