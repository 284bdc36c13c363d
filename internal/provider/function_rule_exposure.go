package provider

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

var _ function.Function = ruleExposureFunction{}

// ruleExposureFunction is provider::iis::rule_exposure.
type ruleExposureFunction struct{}

func newRuleExposureFunction() function.Function { return ruleExposureFunction{} }

func (ruleExposureFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "rule_exposure"
}

func (ruleExposureFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Exposure level of a firewall rule, as iis_firewall_rule computes it",
		MarkdownDescription: "Returns `{ level, reason }` for a firewall rule: `level` is `none`, `low`, `medium`, `high` or `critical` " +
			"for inbound rules (`egress-low` or `egress` for outbound allow rules), and `reason` the one-line explanation " +
			"`iis_firewall_rule` gives, from the same classification. The argument is an object with the rule's attributes, " +
			"by their `iis_firewall_rule` names: a whole resource (`iis_firewall_rule.web`), an element of `data.iis_firewall_rules`, " +
			"or an object literal. Attributes left out take the resource's defaults (`Any`, `Inbound`, `Allow`, enabled, edge traversal `Block`). " +
			"A rule the resource would refuse (ports without TCP or UDP, an unknown attribute name, ...) is an error.",
		Parameters: []function.Parameter{
			function.DynamicParameter{
				Name: "rule",
				MarkdownDescription: "The rule: an object with any of `enabled`, `direction`, `action`, `protocol`, `local_ports`, `remote_ports`, " +
					"`local_addresses`, `remote_addresses`, `icmp_types`, `profiles`, `program`, `service`, `edge_traversal` and `interface_types`. " +
					"Other `iis_firewall_rule` attributes (`name`, `host`, `exposure`, ...) are accepted and ignored.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: verdictType},
	}
}

func (ruleExposureFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var arg types.Dynamic
	if resp.Error = req.Arguments.Get(ctx, &arg); resp.Error != nil {
		return
	}
	spec, err := ruleFromValue(arg.UnderlyingValue())
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "rule_exposure: "+err.Error())
		return
	}
	var problems []string
	for _, p := range fwrule.Validate(spec) {
		if !ignoredRuleAttrs[p.Attribute] {
			problems = append(problems, p.String())
		}
	}
	if len(problems) > 0 {
		resp.Error = function.NewArgumentFuncError(0, "rule_exposure: iis_firewall_rule would refuse this rule: "+strings.Join(problems, "; "))
		return
	}
	level, reason := risk.ClassifyRule(riskRule(spec))
	resp.Error = resp.Result.Set(ctx, verdictValue(level.String(), reason))
}

// ignoredRuleAttrs are iis_firewall_rule attributes that do not change
// exposure; a whole resource passes them along. Problems with them (a
// missing display name) are not the function's business.
var ignoredRuleAttrs = map[string]bool{
	"id": true, "host": true, fwrule.AttrName: true, fwrule.AttrDisplayName: true, fwrule.AttrDescription: true,
	"group": true, "exposure": true, "exposure_reason": true,
}

// ruleFromValue reads the rule attributes of an object (or map). Every
// attribute a rule's exposure depends on is read; an attribute no rule has
// is an error, so a misspelt remote_address cannot silently mean Any.
func ruleFromValue(v attr.Value) (fwrule.RuleSpec, error) {
	spec := fwrule.RuleSpec{Name: "rule_exposure", DisplayName: "rule_exposure", Enabled: true}
	if v == nil || v.IsNull() {
		return spec, fmt.Errorf("want an object with the rule's attributes, got null")
	}
	var attrs map[string]attr.Value
	switch x := v.(type) {
	case basetypes.ObjectValue:
		attrs = x.Attributes()
	case basetypes.MapValue:
		attrs = x.Elements()
	default:
		return spec, fmt.Errorf("want an object with the rule's attributes, got %s", typeName(v))
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	strs := map[string]*string{
		fwrule.AttrDirection: &spec.Direction, fwrule.AttrAction: &spec.Action, fwrule.AttrProtocol: &spec.Protocol,
		fwrule.AttrProgram: &spec.Program, "service": &spec.Service, fwrule.AttrEdgeTraversal: &spec.EdgeTraversal,
	}
	lists := map[string]*[]string{
		fwrule.AttrLocalPorts: &spec.LocalPorts, fwrule.AttrRemotePorts: &spec.RemotePorts,
		fwrule.AttrLocalAddresses: &spec.LocalAddresses, fwrule.AttrRemoteAddresses: &spec.RemoteAddresses,
		fwrule.AttrIcmpTypes: &spec.IcmpTypes, fwrule.AttrProfiles: &spec.Profiles, fwrule.AttrInterfaceTypes: &spec.InterfaceTypes,
	}
	for _, name := range names {
		val := attrs[name]
		if val.IsNull() || ignoredRuleAttrs[name] {
			continue // null takes the resource's default, as in the resource
		}
		var err error
		switch {
		case name == "enabled":
			spec.Enabled, err = boolOf(val)
		case strs[name] != nil:
			*strs[name], err = scalarText(val)
		case lists[name] != nil:
			*lists[name], err = listText(val)
		default:
			return spec, fmt.Errorf("%q is not an iis_firewall_rule attribute", name)
		}
		if err != nil {
			return spec, fmt.Errorf("%s: %w", name, err)
		}
	}
	return spec, nil
}

func boolOf(v attr.Value) (bool, error) {
	switch x := v.(type) {
	case basetypes.BoolValue:
		return x.ValueBool(), nil
	case basetypes.StringValue:
		return fwrule.ParseEnabled(x.ValueString())
	}
	return false, fmt.Errorf("want a bool, got %s", typeName(v))
}

// scalarText reads a string, or a whole number written without quotes
// (protocol = 6).
func scalarText(v attr.Value) (string, error) {
	switch x := v.(type) {
	case basetypes.StringValue:
		return x.ValueString(), nil
	case basetypes.NumberValue:
		n := x.ValueBigFloat()
		if !n.IsInt() {
			return "", fmt.Errorf("want a whole number, got %s", n.Text('g', -1))
		}
		i, _ := n.Int(new(big.Int))
		return i.String(), nil
	}
	return "", fmt.Errorf("want a string, got %s", typeName(v))
}

// listText reads a list, set or tuple of strings or numbers (ports written
// as [443]), as Terraform would convert them for the resource.
func listText(v attr.Value) ([]string, error) {
	var elems []attr.Value
	switch x := v.(type) {
	case basetypes.ListValue:
		elems = x.Elements()
	case basetypes.SetValue:
		elems = x.Elements()
	case basetypes.TupleValue:
		elems = x.Elements()
	default:
		return nil, fmt.Errorf("want a list of strings, got %s", typeName(v))
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		if e.IsNull() {
			return nil, fmt.Errorf("null in the list")
		}
		s, err := scalarText(e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func typeName(v attr.Value) string {
	if v == nil {
		return "nothing"
	}
	return v.Type(context.Background()).String()
}
