package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/firewall"
	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// firewallRuleModel is iis_firewall_rule's state and plan.
type firewallRuleModel struct {
	ID              types.String   `tfsdk:"id"`
	Host            types.String   `tfsdk:"host"`
	Name            types.String   `tfsdk:"name"`
	DisplayName     types.String   `tfsdk:"display_name"`
	Description     types.String   `tfsdk:"description"`
	Group           types.String   `tfsdk:"group"`
	Enabled         types.Bool     `tfsdk:"enabled"`
	Direction       types.String   `tfsdk:"direction"`
	Action          types.String   `tfsdk:"action"`
	Protocol        fwStringValue  `tfsdk:"protocol"`
	LocalPorts      fwSetValue     `tfsdk:"local_ports"`
	RemotePorts     fwSetValue     `tfsdk:"remote_ports"`
	LocalAddresses  fwSetValue     `tfsdk:"local_addresses"`
	RemoteAddresses fwSetValue     `tfsdk:"remote_addresses"`
	IcmpTypes       fwSetValue     `tfsdk:"icmp_types"`
	Profiles        fwSetValue     `tfsdk:"profiles"`
	Program         types.String   `tfsdk:"program"`
	Service         types.String   `tfsdk:"service"`
	InterfaceTypes  fwSetValue     `tfsdk:"interface_types"`
	EdgeTraversal   types.String   `tfsdk:"edge_traversal"`
	Exposure        types.String   `tfsdk:"exposure"`
	ExposureReason  types.String   `tfsdk:"exposure_reason"`
	AcceptExposure  types.String   `tfsdk:"accept_exposure"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
}

// ruleSpec returns the rule the model describes and the schema names of
// the attributes whose values are not known yet (their fields are left
// empty, which fwrule reads as the Windows default).
func (m firewallRuleModel) ruleSpec() (spec fwrule.RuleSpec, unknown map[string]bool) {
	unknown = map[string]bool{}
	str := func(attr string, v types.String) string {
		if v.IsUnknown() {
			unknown[attr] = true
		}
		return v.ValueString()
	}
	list := func(attr string, v fwSetValue) []string {
		if v.IsUnknown() {
			unknown[attr] = true
			return nil
		}
		out, ok := setStrings(v.SetValue)
		if !ok && !v.IsNull() {
			unknown[attr] = true
		}
		return out
	}
	if m.Enabled.IsUnknown() {
		unknown["enabled"] = true
	}
	if m.Protocol.IsUnknown() {
		unknown[fwrule.AttrProtocol] = true
	}
	spec = fwrule.RuleSpec{
		Name:            str(fwrule.AttrName, m.Name),
		DisplayName:     str(fwrule.AttrDisplayName, m.DisplayName),
		Description:     str(fwrule.AttrDescription, m.Description),
		Group:           str("group", m.Group),
		Direction:       str(fwrule.AttrDirection, m.Direction),
		Action:          str(fwrule.AttrAction, m.Action),
		Enabled:         m.Enabled.IsNull() || m.Enabled.IsUnknown() || m.Enabled.ValueBool(),
		Protocol:        m.Protocol.ValueString(),
		LocalPorts:      list(fwrule.AttrLocalPorts, m.LocalPorts),
		RemotePorts:     list(fwrule.AttrRemotePorts, m.RemotePorts),
		IcmpTypes:       list(fwrule.AttrIcmpTypes, m.IcmpTypes),
		LocalAddresses:  list(fwrule.AttrLocalAddresses, m.LocalAddresses),
		RemoteAddresses: list(fwrule.AttrRemoteAddresses, m.RemoteAddresses),
		Profiles:        list(fwrule.AttrProfiles, m.Profiles),
		Program:         str(fwrule.AttrProgram, m.Program),
		Service:         str("service", m.Service),
		EdgeTraversal:   str(fwrule.AttrEdgeTraversal, m.EdgeTraversal),
		InterfaceTypes:  list(fwrule.AttrInterfaceTypes, m.InterfaceTypes),
	}
	return spec, unknown
}

// riskRule is what the risk package scores.
func riskRule(s fwrule.RuleSpec) risk.Rule {
	return risk.Rule{
		Direction:       s.Direction,
		Action:          s.Action,
		Enabled:         s.Enabled,
		Protocol:        s.Protocol,
		LocalPorts:      s.LocalPorts,
		RemotePorts:     s.RemotePorts,
		LocalAddresses:  s.LocalAddresses,
		RemoteAddresses: s.RemoteAddresses,
		Profiles:        s.Profiles,
		Program:         s.Program,
		Service:         s.Service,
		EdgeTraversal:   s.EdgeTraversal,
		IcmpTypes:       s.IcmpTypes,
	}
}

// firewallRuleState is the state for a rule as the host returned it. The
// framework then keeps the plan's spelling of every value the host's
// answer equals semantically.
func firewallRuleState(r firewall.Rule, host types.String) firewallRuleModel {
	level, reason := risk.ClassifyRule(riskRule(r.RuleSpec))
	return firewallRuleModel{
		Timeouts:        noTimeouts(),
		ID:              types.StringValue(r.Name),
		Host:            host,
		Name:            types.StringValue(r.Name),
		DisplayName:     types.StringValue(r.DisplayName),
		Description:     types.StringValue(r.Description),
		Group:           types.StringValue(r.Group),
		Enabled:         types.BoolValue(r.Enabled),
		Direction:       types.StringValue(r.Direction),
		Action:          types.StringValue(r.Action),
		Protocol:        newProtocolValue(r.Protocol),
		LocalPorts:      newFWSet(fwLocalPorts, r.LocalPorts),
		RemotePorts:     newFWSet(fwRemotePorts, r.RemotePorts),
		LocalAddresses:  newFWSet(fwLocalAddresses, r.LocalAddresses),
		RemoteAddresses: newFWSet(fwRemoteAddresses, r.RemoteAddresses),
		IcmpTypes:       newFWSet(fwIcmpTypes, r.IcmpTypes),
		Profiles:        newFWSet(fwProfiles, r.Profiles),
		Program:         types.StringValue(r.Program),
		Service:         types.StringValue(r.Service),
		InterfaceTypes:  newFWSet(fwInterfaceTypes, r.InterfaceTypes),
		EdgeTraversal:   types.StringValue(r.EdgeTraversal),
		Exposure:        types.StringValue(level.String()),
		ExposureReason:  types.StringValue(reason),
	}
}
