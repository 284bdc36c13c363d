package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// guardrails are the provider block's max_privilege and max_exposure: a
// plan that brings a resource above them fails, unless the resource accepts
// the level in its own accept_privilege or accept_exposure, where a
// reviewer sees it in the diff. Zero values mean no ceiling.
type guardrails struct {
	MaxPrivilege string // a risk.Privilege name, or ""
	MaxExposure  string // an inbound risk.Exposure name, or ""
}

// inboundExposures are the levels max_exposure takes: the ceiling is on the
// inbound scale, and outbound levels are held to it by exposureSeverity.
var inboundExposures = []string{"none", "low", "medium", "high", "critical"}

func privilegeNames() []string {
	var out []string
	for p := risk.PrivilegeLeast; p <= risk.PrivilegeFull; p++ {
		out = append(out, p.String())
	}
	return out
}

func exposureNames() []string {
	var out []string
	for e := risk.ExposureNone; e <= risk.ExposureEgress; e++ {
		out = append(out, e.String())
	}
	return out
}

// exposureSeverity puts both exposure scales on one, for ceilings: an
// outbound rule that lets the host reach anywhere (egress) counts as
// medium, one limited to private destinations (egress-low) as low, because
// Windows allows outbound traffic by default.
func exposureSeverity(e risk.Exposure) int {
	switch e {
	case risk.ExposureEgressLow:
		return int(risk.ExposureLow)
	case risk.ExposureEgress:
		return int(risk.ExposureMedium)
	}
	return int(e)
}

// resolveGuardrails reads the ceilings from the provider block or the
// environment. An unknown ceiling (from a value known only after apply) is
// left unset at plan time; Terraform plans again before applying, with the
// value known, so the ceiling still holds for what is applied.
func resolveGuardrails(maxPrivilege, maxExposure types.String, env lookupEnv) (guardrails, diag.Diagnostics) {
	var g guardrails
	var diags diag.Diagnostics
	read := func(attr, envName string, v types.String, names []string) string {
		s, from := v.ValueString(), "the provider block"
		if v.IsUnknown() {
			return ""
		}
		if v.IsNull() {
			s, from = "", ""
			if e, ok := env(envName); ok {
				s, from = strings.TrimSpace(e), envName
			}
		}
		if s == "" {
			return ""
		}
		for _, n := range names {
			if strings.EqualFold(s, n) {
				return n
			}
		}
		diags.AddAttributeError(path.Root(attr), "Invalid "+attr,
			fmt.Sprintf("%s from %s is %q; accepted values: %s.", attr, from, s, strings.Join(names, ", ")))
		return ""
	}
	g.MaxPrivilege = read("max_privilege", "IIS_MAX_PRIVILEGE", maxPrivilege, privilegeNames())
	g.MaxExposure = read("max_exposure", "IIS_MAX_EXPOSURE", maxExposure, inboundExposures)
	return g, diags
}

// guardrailsOf returns the ceilings of a configured provider, none when
// it is not configured yet.
func guardrailsOf(d *providerData) guardrails {
	if d == nil {
		return guardrails{}
	}
	return d.settings.Guardrails
}

// planned reads the level, reason and acceptance a plan holds for a
// resource, and the name that identifies it to a person.
type planned struct {
	level, reason, accept, name types.String
}

func readPlanned(ctx context.Context, plan tfsdk.Plan, measure, nameAttr string, diags *diag.Diagnostics) planned {
	var p planned
	for attr, dst := range map[string]*types.String{
		measure: &p.level, measure + "_reason": &p.reason, "accept_" + measure: &p.accept, nameAttr: &p.name,
	} {
		diags.Append(plan.GetAttribute(ctx, path.Root(attr), dst)...)
	}
	return p
}

// guardPrivilege fails the plan of a resource whose planned privilege is
// above max_privilege and not accepted by accept_privilege. Resources call
// it (deferred) at the end of ModifyPlan, once the privilege is planned.
// what names the kind of resource ("application pool"), nameAttr the
// attribute that names this one.
func guardPrivilege(ctx context.Context, d *providerData, what, nameAttr string, resp *resource.ModifyPlanResponse) {
	max := guardrailsOf(d).MaxPrivilege
	if max == "" || resp.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	p := readPlanned(ctx, resp.Plan, "privilege", nameAttr, &resp.Diagnostics)
	if p.level.IsUnknown() || p.level.IsNull() || p.accept.IsUnknown() || resp.Diagnostics.HasError() {
		return // judged when Terraform plans again at apply, with every value known
	}
	level, err := risk.ParsePrivilege(p.level.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unreadable planned privilege", err.Error())
		return
	}
	ceiling, _ := risk.ParsePrivilege(max)
	if level <= ceiling {
		return
	}
	if accepted, err := risk.ParsePrivilege(p.accept.ValueString()); err == nil && !p.accept.IsNull() && level <= accepted {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root("privilege"),
		fmt.Sprintf("Privilege %s is above max_privilege %q", level, max),
		guardrailDetail(fmt.Sprintf("%s %q", what, p.name.ValueString()), "privilege", level.String(), max, p.reason.ValueString(), p.accept))
}

// guardExposure is guardPrivilege for firewall rules and max_exposure.
func guardExposure(ctx context.Context, d *providerData, what, nameAttr string, resp *resource.ModifyPlanResponse) {
	max := guardrailsOf(d).MaxExposure
	if max == "" || resp.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	p := readPlanned(ctx, resp.Plan, "exposure", nameAttr, &resp.Diagnostics)
	if p.level.IsUnknown() || p.level.IsNull() || p.accept.IsUnknown() || resp.Diagnostics.HasError() {
		return
	}
	level, err := risk.ParseExposure(p.level.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Unreadable planned exposure", err.Error())
		return
	}
	ceiling, _ := risk.ParseExposure(max)
	if exposureSeverity(level) <= exposureSeverity(ceiling) {
		return
	}
	if accepted, err := risk.ParseExposure(p.accept.ValueString()); err == nil && !p.accept.IsNull() &&
		exposureSeverity(level) <= exposureSeverity(accepted) {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root("exposure"),
		fmt.Sprintf("Exposure %s is above max_exposure %q", level, max),
		guardrailDetail(fmt.Sprintf("%s %q", what, p.name.ValueString()), "exposure", level.String(), max, p.reason.ValueString(), p.accept))
}

func guardrailDetail(subject, measure, level, max, reason string, accept types.String) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s would have %s %s, above the provider's max_%s = %q: %s.\n\n", subject, measure, level, measure, max, reason)
	if !accept.IsNull() {
		fmt.Fprintf(&b, "accept_%s = %q on this resource does not cover %s. ", measure, accept.ValueString(), level)
	}
	fmt.Fprintf(&b, "Lower the %s, or accept it on purpose, in the code a reviewer sees: set accept_%s = %q on this resource.", measure, measure, level)
	return b.String()
}

// keepAcceptance carries accept_privilege or accept_exposure from the
// configuration side (plan or prior state) into the state a Create, Read
// or Update writes: the host knows nothing of it, so the state it is built
// from would otherwise drop it. Resources defer it at the top of those
// methods.
func keepAcceptance(ctx context.Context, attr string, from interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, to *tfsdk.State, diags *diag.Diagnostics) {
	if to.Raw.IsNull() || diags.HasError() {
		return // removed, or failed: nothing to carry
	}
	var v types.String
	diags.Append(from.GetAttribute(ctx, path.Root(attr), &v)...)
	diags.Append(to.SetAttribute(ctx, path.Root(attr), v)...)
}

// acceptAttribute is the schema of accept_privilege and accept_exposure.
func acceptAttribute(measure, max string, names []string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: fmt.Sprintf("Accept this resource's %s up to this level despite the provider's `%s`: one of `%s`. "+
			"Only this resource is exempt, and only up to the level given, so the acceptance is in the code a reviewer sees. "+
			"Without `%s` in the provider block it has no effect.", measure, max, strings.Join(names, "`, `"), max),
		Optional:   true,
		Validators: []validator.String{stringvalidator.OneOf(names...)},
	}
}
