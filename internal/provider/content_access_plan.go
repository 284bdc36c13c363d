package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// ModifyPlan makes identity, privilege, exposure and privilege_reason
// known in the plan, and warns when the privilege rises (from the state on
// an update, from no access on create) and when modify or full control
// goes to an identity that serves anonymous requests.
func (r *contentAccessResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan contentAccessModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var prior *contentAccessModel
	if !req.State.Raw.IsNull() {
		prior = &contentAccessModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil || len(r.data.unknown) > 0 || plan.Host.IsUnknown() {
		plan.setRisk("", false, risk.ContentRisk{})
		resp.Diagnostics.Append(setContentRisk(ctx, resp, plan)...)
		return
	}
	ctx = r.data.logContext(ctx)
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	planContentAccess(ctx, client, host, plan, prior, resp)
}

// planContentAccess is ModifyPlan's work once the host is known.
func planContentAccess(ctx context.Context, c iis.Caller, host string, plan contentAccessModel, prior *contentAccessModel, resp *resource.ModifyPlanResponse) {
	a, err := newContentAssessor(ctx, c)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the host's sites", fmt.Sprintf("Planning content access on host %s: %v", host, err))
		return
	}
	g, after, err := a.assess(ctx, &plan)
	if err != nil {
		resp.Diagnostics.AddError("Cannot resolve the identity", fmt.Sprintf("Planning content access on host %s: %v", host, err))
		return
	}
	if plan.Identity.IsUnknown() {
		resp.Diagnostics.Append(setContentRisk(ctx, resp, plan)...)
		return
	}
	known := plan
	if prior == nil && !a.settled(ctx, plan) {
		// Terraform plans the resource again just before creating it and
		// refuses a known value that changed meanwhile; while the pool or
		// directory is still to be made by this apply, the sites around
		// them may change too, so the values wait for the apply. The
		// warnings below still say what the host shows now.
		known.setRisk("", false, risk.ContentRisk{})
	}
	resp.Diagnostics.Append(setContentRisk(ctx, resp, known)...)
	before, changed := risk.PrivilegeLeast, true
	if prior != nil {
		changed = !strings.EqualFold(prior.Access.ValueString(), plan.Access.ValueString())
		if level, err := risk.ParsePrivilege(prior.Privilege.ValueString()); err == nil {
			before = level
		}
	}
	if risk.Escalates(before, after.Privilege) {
		what := "Granting"
		if prior != nil {
			what = "Changing"
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("privilege"),
			fmt.Sprintf("%s access to %s raises privilege from %s to %s", what, plan.Path.ValueString(), before, after.Privilege),
			fmt.Sprintf("After this change, %s.\n\nGrant the least the site needs: read on its own content, "+
				"modify only on a folder outside the web root that it writes to (uploads, App_Data), and an identity no other site shares.", after.Reason))
	}
	if changed && g.WritesForAnonymous() {
		resp.Diagnostics.AddAttributeWarning(path.Root("access"),
			fmt.Sprintf("%s serves anonymous requests and would be able to write %s", g.Account, plan.Path.ValueString()),
			fmt.Sprintf("%s answers anonymous requests at %s. With %s access, anyone who can reach those sites and find a flaw in them "+
				"(an upload form, a path traversal) can change what %s holds%s.\n\n"+
				"Keep anonymous identities read-only on served content; give write access to a folder outside the web root, "+
				"to an identity that does not serve anonymous requests.",
				g.Account, strings.Join(g.ServesAnonymous, ", "), plan.Access.ValueString(), plan.Path.ValueString(), servedNote(g)))
	}
}

func servedNote(g risk.ContentGrant) string {
	if len(g.WebRootOf) == 0 {
		return ""
	}
	return ", which " + strings.Join(g.WebRootOf, ", ") + " serve: a dropped script would run there"
}

// setContentRisk writes the computed attributes into the plan.
func setContentRisk(ctx context.Context, resp *resource.ModifyPlanResponse, m contentAccessModel) diag.Diagnostics {
	var diags diag.Diagnostics
	for attr, v := range map[string]types.String{"identity": m.Identity, "privilege": m.Privilege, "exposure": m.Exposure, "privilege_reason": m.PrivilegeReason} {
		diags.Append(resp.Plan.SetAttribute(ctx, path.Root(attr), v)...)
	}
	return diags
}
