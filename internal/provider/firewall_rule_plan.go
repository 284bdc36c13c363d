package provider

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// exposureInputs are the attributes the exposure depends on; the others
// (names, description, group, host) never change it.
var exposureInputs = []string{
	"enabled", fwrule.AttrDirection, fwrule.AttrAction, fwrule.AttrProtocol,
	fwrule.AttrLocalPorts, fwrule.AttrRemotePorts, fwrule.AttrIcmpTypes,
	fwrule.AttrLocalAddresses, fwrule.AttrRemoteAddresses, fwrule.AttrProfiles,
	fwrule.AttrProgram, "service", fwrule.AttrEdgeTraversal, fwrule.AttrInterfaceTypes,
}

// planExposure sets exposure and exposure_reason from the planned rule, and
// warns when the level rises: on a change, compared with the rule in state;
// on creation, when the new rule is high or critical. It stays quiet on
// no-op plans and when exposure falls or holds.
func planExposure(ctx context.Context, plan firewallRuleModel, prior *firewallRuleModel, resp *resource.ModifyPlanResponse) {
	spec, unknown := plan.ruleSpec()
	for _, attr := range exposureInputs {
		if unknown[attr] {
			// Known only after apply; the plan says "known after apply".
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("exposure"), types.StringUnknown())...)
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("exposure_reason"), types.StringUnknown())...)
			return
		}
	}
	level, reason := risk.ClassifyRule(riskRule(spec))
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("exposure"), level.String())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("exposure_reason"), reason)...)

	if prior == nil {
		if !level.Egress() && level >= risk.ExposureHigh {
			resp.Diagnostics.AddAttributeWarning(path.Root("exposure"),
				fmt.Sprintf("New firewall rule %q has exposure %s", spec.Name, level),
				fmt.Sprintf("Rule %q (%s) will be created with exposure %s: %s.\n\n%s",
					spec.Name, spec.DisplayName, level, reason, narrowAdvice))
		}
		return
	}
	before, _ := prior.ruleSpec()
	oldLevel, _ := risk.ClassifyRule(riskRule(before))
	if !risk.Widens(oldLevel, level) {
		return
	}
	changes := risk.RuleChange(riskRule(before), riskRule(spec))
	detail := fmt.Sprintf("Rule %q (%s) goes from exposure %s to %s.\n\nWhat changed:\n  - %s\n\nNow: %s.\n\n%s",
		spec.Name, spec.DisplayName, oldLevel, level, strings.Join(changes, "\n  - "), reason, narrowAdvice)
	resp.Diagnostics.AddAttributeWarning(path.Root("exposure"),
		fmt.Sprintf("Firewall rule %q widens exposure from %s to %s", spec.Name, oldLevel, level), detail)
}

const narrowAdvice = "Open only the ports that are needed, and only to the addresses that must reach them."

// enumAttrs have OneOf validators in the schema, which already name the
// accepted values; fwrule's own complaint about them would say it twice.
var enumAttrs = map[string]func(string) (string, error){
	fwrule.AttrDirection:     fwrule.ParseDirection,
	fwrule.AttrAction:        fwrule.ParseAction,
	fwrule.AttrEdgeTraversal: fwrule.ParseEdgeTraversal,
}

// crossAttrs are checked against other attributes (ports and ICMP types
// against the protocol, edge traversal against direction, protocol and
// program), with the parser that checks them alone.
var crossAttrs = map[string]func(fwrule.RuleSpec) error{
	fwrule.AttrLocalPorts: func(s fwrule.RuleSpec) error { _, err := fwrule.ParsePorts(fwrule.Local, s.LocalPorts); return err },
	fwrule.AttrRemotePorts: func(s fwrule.RuleSpec) error {
		_, err := fwrule.ParsePorts(fwrule.Remote, s.RemotePorts)
		return err
	},
	fwrule.AttrIcmpTypes:     func(s fwrule.RuleSpec) error { _, err := fwrule.ParseIcmpTypes(s.IcmpTypes); return err },
	fwrule.AttrEdgeTraversal: func(s fwrule.RuleSpec) error { _, err := fwrule.ParseEdgeTraversal(s.EdgeTraversal); return err },
}

// validateRuleConfig applies Windows' creation checks (fwrule.Validate) at
// plan time, each at the attribute at fault. Values not known yet are not
// judged, nor are combinations that depend on them.
func validateRuleConfig(config firewallRuleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	spec, unknown := config.ruleSpec()
	crossUnknown := unknown[fwrule.AttrProtocol] || unknown[fwrule.AttrDirection] || unknown[fwrule.AttrProgram]
	for _, p := range fwrule.Validate(spec) {
		if unknown[p.Attribute] {
			continue
		}
		if parse, ok := enumAttrs[p.Attribute]; ok {
			if _, err := parse(attrText(spec, p.Attribute)); err != nil {
				continue
			}
		}
		if alone, ok := crossAttrs[p.Attribute]; ok && crossUnknown && alone(spec) == nil {
			continue
		}
		diags.AddAttributeError(path.Root(p.Attribute), "Invalid firewall rule", p.Message)
	}
	return diags
}

func attrText(s fwrule.RuleSpec, attr string) string {
	switch attr {
	case fwrule.AttrDirection:
		return s.Direction
	case fwrule.AttrAction:
		return s.Action
	case fwrule.AttrEdgeTraversal:
		return s.EdgeTraversal
	}
	return ""
}

// sameRule reports whether two specs describe the same rule once
// canonical, so that an update that only respells values can skip the host.
func sameRule(a, b fwrule.RuleSpec) bool {
	ca, pa := fwrule.Normalize(a)
	cb, pb := fwrule.Normalize(b)
	return len(pa) == 0 && len(pb) == 0 && reflect.DeepEqual(ca, cb)
}
