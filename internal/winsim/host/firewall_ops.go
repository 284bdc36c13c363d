package host

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// The firewall.* operations, answered as internal/hostscript/firewall.ps1
// answers them on a real host: the same guards, the same messages, the
// same cmdlet calls against the store (an escaped -Name, never an empty
// selector), and the rule read back in the shape the cmdlets print.

// Messages the agent writes itself (firewall.ps1); a test holds the two
// to the same text.
const (
	msgEmptyName     = "a firewall rule name is required: without one, Remove-NetFirewallRule would delete every rule on the host"
	msgAlreadyExists = "A firewall rule with the name '%s' already exists in the PersistentStore. Rule names are unique; import the rule or choose another name."
	msgGroupFixed    = "The group of firewall rule '%s' is '%s'. Windows sets a rule's group only when the rule is created, so moving it to '%s' means deleting and recreating the rule."
)

// assertRuleName is the agent's Assert-FwRuleName.
func assertRuleName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errf(protocol.InvalidArgument, "%s", msgEmptyName)
	}
	return nil
}

func decodeArgs(args json.RawMessage, v any) error {
	if len(args) == 0 {
		return nil
	}
	if err := json.Unmarshal(args, v); err != nil {
		return errf(protocol.InvalidArgument, "arguments are not the expected shape: %v", err)
	}
	return nil
}

// ruleObject is the agent's Get-FwRuleObject: Get-NetFirewallRule with the
// escaped name, then the exact match.
func ruleObject(s *State, name string) (int, bool) {
	idx, err := getNetFirewallRule(s, escapeWildcard(name))
	if err != nil {
		return -1, false
	}
	for _, i := range idx {
		if strings.EqualFold(s.Firewall[i].Name, name) {
			return i, true
		}
	}
	return -1, false
}

func opFirewallRuleGet(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.FirewallRuleName
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	if err := assertRuleName(a.Name); err != nil {
		return nil, err
	}
	var out hostapi.FirewallRule
	err := h.view(ctx, func(s *State) error {
		i, ok := ruleObject(s, a.Name)
		if !ok {
			return ruleNotFound(a.Name)
		}
		out = ruleToWire(s.Firewall[i])
		return nil
	})
	return out, err
}

func opFirewallRuleList(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var f hostapi.FirewallRuleFilter
	if err := decodeArgs(args, &f); err != nil {
		return nil, err
	}
	out := hostapi.FirewallRuleList{Rules: []hostapi.FirewallRule{}}
	err := h.view(ctx, func(s *State) error {
		for _, r := range s.Firewall {
			w := ruleToWire(r)
			if f.Group != "" && !strings.EqualFold(w.Group, f.Group) && !strings.EqualFold(w.DisplayGroup, f.Group) {
				continue
			}
			if f.Direction != "" && !strings.EqualFold(w.Direction, f.Direction) {
				continue
			}
			if f.Enabled != "" && !strings.EqualFold(w.Enabled, f.Enabled) {
				continue
			}
			out.Rules = append(out.Rules, w)
		}
		return nil
	})
	return out, err
}

func opFirewallRuleCreate(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.FirewallRule
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	if err := assertRuleName(a.Name); err != nil {
		return nil, err
	}
	var out hostapi.FirewallRule
	err := h.update(ctx, func(s *State) error {
		if _, ok := ruleObject(s, a.Name); ok {
			return errf(protocol.AlreadyExists, msgAlreadyExists, a.Name)
		}
		r, err := newNetFirewallRule(s, a.Name, createParams(a))
		if err != nil {
			return err
		}
		out = ruleToWire(r)
		return nil
	})
	return out, err
}

func opFirewallRuleUpdate(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.FirewallRule
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	if err := assertRuleName(a.Name); err != nil {
		return nil, err
	}
	var out hostapi.FirewallRule
	err := h.update(ctx, func(s *State) error {
		i, ok := ruleObject(s, a.Name)
		if !ok {
			return ruleNotFound(a.Name)
		}
		if cur := s.Firewall[i].Group; cur != a.Group {
			return errf(protocol.InvalidArgument, msgGroupFixed, a.Name, cur, a.Group)
		}
		if err := setNetFirewallRule(s, escapeWildcard(a.Name), updateParams(a)); err != nil {
			return err
		}
		out = ruleToWire(s.Firewall[i])
		return nil
	})
	return out, err
}

func opFirewallRuleDelete(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.FirewallRuleName
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	if err := assertRuleName(a.Name); err != nil {
		return nil, err
	}
	return nil, h.update(ctx, func(s *State) error {
		if _, ok := ruleObject(s, a.Name); !ok {
			return ruleNotFound(a.Name)
		}
		literal := escapeWildcard(a.Name)
		if err := assertRuleName(literal); err != nil {
			return err
		}
		return removeNetFirewallRule(s, &literal)
	})
}

// createParams are the agent's New-NetFirewallRule parameters: filters
// left at Any, an Any program or service, and empty texts are not passed.
func createParams(a hostapi.FirewallRule) FWParams {
	p := updateParams(a)
	p.Description, p.Group = nil, nil
	if a.Description != "" {
		p.Description = Str(a.Description)
	}
	if a.Group != "" {
		p.Group = Str(a.Group)
	}
	for _, l := range []*[]string{&p.LocalPort, &p.RemotePort, &p.IcmpType} {
		if isAnyList(*l) {
			*l = nil
		}
	}
	if strings.EqualFold(a.Program, "Any") {
		p.Program = nil
	}
	if strings.EqualFold(a.Service, "Any") {
		p.Service = nil
	}
	return p
}

// updateParams are the agent's Set-NetFirewallRule parameters: every
// attribute but the group, with the agent's defaults for missing values.
func updateParams(a hostapi.FirewallRule) FWParams {
	def := func(s, d string) *string {
		if s == "" {
			return Str(d)
		}
		return Str(s)
	}
	list := func(l []string) []string {
		if len(l) == 0 {
			return []string{"Any"}
		}
		return l
	}
	return FWParams{
		DisplayName:         Str(a.DisplayName),
		Description:         Str(a.Description),
		Enabled:             def(a.Enabled, "True"),
		Direction:           def(a.Direction, "Inbound"),
		Action:              def(a.Action, "Allow"),
		Profile:             []string{orAny(a.Profile)},
		EdgeTraversalPolicy: def(a.EdgeTraversal, "Block"),
		Protocol:            def(a.Protocol, "Any"),
		LocalPort:           list(a.LocalPort),
		RemotePort:          list(a.RemotePort),
		IcmpType:            list(a.IcmpType),
		LocalAddress:        list(a.LocalAddress),
		RemoteAddress:       list(a.RemoteAddress),
		Program:             def(a.Program, "Any"),
		Service:             def(a.Service, "Any"),
		InterfaceType:       []string{orAny(a.InterfaceType)},
	}
}

func isAnyList(l []string) bool {
	return len(l) == 0 || (len(l) == 1 && strings.EqualFold(l[0], "Any"))
}

// ruleToWire is the rule as Get-NetFirewallRule and its filters print it.
// Values are normalised again on the way out, so a rule stored by any path
// (stock, admin, a state file edited by hand) reads as Windows would show
// it.
func ruleToWire(r FWRule) hostapi.FirewallRule {
	enabled := "False"
	if r.Enabled {
		enabled = "True"
	}
	norm := func(l []string, conv func([]string) ([]string, error)) []string {
		if out, err := conv(l); err == nil {
			return listOrAny(out)
		}
		return listOrAny(l)
	}
	proto, err := winProtocol(r.Protocol)
	if err != nil {
		proto = r.Protocol
	}
	return hostapi.FirewallRule{
		Name:          r.Name,
		DisplayName:   r.DisplayName,
		Description:   r.Description,
		Group:         r.Group,
		DisplayGroup:  r.DisplayGroup,
		Enabled:       enabled,
		Direction:     orDefault(r.Direction, "Inbound"),
		Action:        orDefault(r.Action, "Allow"),
		Profile:       orAny(strings.Join(r.Profiles, ", ")),
		EdgeTraversal: orDefault(r.EdgeTraversalPolicy, "Block"),
		Protocol:      orAny(proto),
		LocalPort:     norm(r.LocalPorts, func(l []string) ([]string, error) { return winPorts(l, localPortKeywords) }),
		RemotePort:    norm(r.RemotePorts, func(l []string) ([]string, error) { return winPorts(l, remotePortKeywords) }),
		IcmpType:      norm(r.IcmpTypes, winIcmpTypes),
		LocalAddress:  norm(r.LocalAddresses, func(l []string) ([]string, error) { return winAddresses(l, false) }),
		RemoteAddress: norm(r.RemoteAddresses, func(l []string) ([]string, error) { return winAddresses(l, true) }),
		Program:       orAny(r.Program),
		Service:       orAny(r.Service),
		InterfaceType: orAny(strings.Join(r.InterfaceTypes, ", ")),
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// NewFirewallRule creates a rule as an administrator would with
// New-NetFirewallRule -Name name, with Windows' defaults and checks.
func (h *Host) NewFirewallRule(ctx context.Context, name string, p FWParams) error {
	if err := assertRuleName(name); err != nil {
		return err
	}
	return h.update(ctx, func(s *State) error {
		_, err := newNetFirewallRule(s, name, p)
		return err
	})
}

// SetFirewallRule changes a rule out of band, as an administrator would
// with Set-NetFirewallRule -Name (the name escaped, so it means that one
// rule): only the passed parameters change, with Windows' checks.
func (h *Host) SetFirewallRule(ctx context.Context, name string, p FWParams) error {
	if err := assertRuleName(name); err != nil {
		return err
	}
	if p.Group != nil {
		return fmt.Errorf("Set-NetFirewallRule cannot change a rule's group")
	}
	return h.update(ctx, func(s *State) error {
		return setNetFirewallRule(s, escapeWildcard(name), p)
	})
}
