package firewall

import (
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// FromWire reads a rule in the shape Windows returns it into canonical
// form. Values fwrule cannot read stay as Windows wrote them: a read must
// never fail because the host knows a keyword this provider does not.
func FromWire(w hostapi.FirewallRule) Rule {
	enabled, err := fwrule.ParseEnabled(w.Enabled)
	if err != nil {
		// Windows only ever says True or False; anything else is read as
		// enabled, the reading that hides no exposure.
		enabled = true
	}
	spec := fwrule.RuleSpec{
		Name:            w.Name,
		DisplayName:     w.DisplayName,
		Description:     w.Description,
		Group:           w.Group,
		Direction:       w.Direction,
		Action:          w.Action,
		Enabled:         enabled,
		Protocol:        w.Protocol,
		LocalPorts:      w.LocalPort,
		RemotePorts:     w.RemotePort,
		IcmpTypes:       w.IcmpType,
		LocalAddresses:  w.LocalAddress,
		RemoteAddresses: w.RemoteAddress,
		Profiles:        splitFlags(w.Profile),
		Program:         w.Program,
		Service:         w.Service,
		EdgeTraversal:   w.EdgeTraversal,
		InterfaceTypes:  splitFlags(w.InterfaceType),
	}
	canon, _ := fwrule.Normalize(spec)
	return Rule{RuleSpec: canon, DisplayGroup: w.DisplayGroup}
}

// toWire checks a spec against Windows' rules and turns it into the
// arguments of create and update, in canonical spelling (which the cmdlets
// accept as well as any other).
func toWire(spec fwrule.RuleSpec) (hostapi.FirewallRule, error) {
	if err := checkName(spec.Name); err != nil {
		return hostapi.FirewallRule{}, err
	}
	canon, problems := fwrule.Normalize(spec)
	if len(problems) > 0 {
		return hostapi.FirewallRule{}, &InvalidRuleError{Name: spec.Name, Problems: problems}
	}
	return hostapi.FirewallRule{
		Name:          canon.Name,
		DisplayName:   canon.DisplayName,
		Description:   canon.Description,
		Group:         canon.Group,
		Enabled:       enabledText(canon.Enabled),
		Direction:     canon.Direction,
		Action:        canon.Action,
		Profile:       strings.Join(canon.Profiles, ", "),
		EdgeTraversal: canon.EdgeTraversal,
		Protocol:      canon.Protocol,
		LocalPort:     canon.LocalPorts,
		RemotePort:    canon.RemotePorts,
		IcmpType:      canon.IcmpTypes,
		LocalAddress:  canon.LocalAddresses,
		RemoteAddress: canon.RemoteAddresses,
		Program:       canon.Program,
		Service:       canon.Service,
		InterfaceType: strings.Join(canon.InterfaceTypes, ", "),
	}, nil
}

// enabledText is how Windows spells Enabled: a string, not a boolean.
func enabledText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// splitFlags splits a flags enum as PowerShell prints it ("Domain, Private")
// into its names; an empty string is no value at all, which fwrule reads as
// Any.
func splitFlags(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
