package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// ModifyPlan makes account, privilege and privilege_reason known in the
// plan, so the diff shows `privilege: "least" -> "full"`; refuses a
// location that does not exist on the host; and warns when the privilege
// of anonymous requests rises: compared with the state on an update, with
// what the location inherits today on create.
func (r *anonAuthResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer guardPrivilege(ctx, r.data, "anonymous authentication at location", "location", resp)
	if req.Plan.Raw.IsNull() {
		r.modifyDestroyPlan(ctx, req, resp)
		return
	}
	var plan anonAuthModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *anonAuthModel
	if !req.State.Raw.IsNull() {
		prior = &anonAuthModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	ctx = maskPasswords(r.logContext(ctx), plan)
	if prior == nil && plan.ID.IsUnknown() && !plan.Location.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), anonAuthID(plan.Location.ValueString()))...)
	}
	if !r.canAssess(plan) {
		for _, attr := range []string{"account", "privilege", "privilege_reason"} {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attr), types.StringUnknown())...)
		}
		return
	}
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	planAnonRisk(ctx, client, host, r.data.settings.Username, plan, prior, resp)
}

// planAnonRisk is ModifyPlan's work once the host is known: it sets
// account, privilege and privilege_reason, and warns when the privilege
// rises. user is the connection's user name, for error messages.
func planAnonRisk(ctx context.Context, c iis.Caller, host, user string, plan anonAuthModel, prior *anonAuthModel, resp *resource.ModifyPlanResponse) {
	assessor, err := newAnonAssessor(ctx, c)
	if err != nil {
		resp.Diagnostics.Append(remoteDiagnostic(err, user, "anonymous authentication resolve", host))
		return
	}
	loc := plan.Location.ValueString()
	if _, found := assessor.locs.Find(loc); !found {
		// A site or application this same apply creates is not on the
		// host yet, and the plan cannot tell it from a typo: what runs
		// there is known once it exists (Terraform plans again just
		// before the create, and the guardrails judge that plan), and
		// the create fails, naming the host's locations, if it still
		// does not exist.
		for _, attr := range []string{"account", "privilege", "privilege_reason"} {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attr), types.StringUnknown())...)
		}
		return
	}
	after, err := assessor.assess(ctx, loc, plan.Enabled.ValueBool(), plan.Identity.ValueString(), plan.Username.ValueString())
	if err != nil {
		resp.Diagnostics.Append(remoteDiagnostic(err, user, "anonymous authentication resolve", host))
		return
	}
	plan.setRisk(after)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("account"), plan.Account)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("privilege"), plan.Privilege)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("privilege_reason"), plan.PrivilegeReason)...)

	before, beforeWhat, ok := anonBefore(ctx, assessor, prior, plan)
	if plan.Identity.ValueString() != iis.AnonAppPool && (!ok || !iis.SameAccount(before.Account, after.Account)) {
		anonBoundaryWarning(ctx, c, loc, after.Account, resp)
	}
	if ok && risk.Escalates(before.Privilege, after.Privilege) {
		resp.Diagnostics.AddAttributeWarning(path.Root("privilege"),
			fmt.Sprintf("Anonymous requests at %s rise from privilege %s to %s", locPhrase(loc), before.Privilege, after.Privilege),
			fmt.Sprintf("%s, anonymous requests run as %s (privilege %s).\nAfter this change they run as %s: %s.\n\n"+
				"Anyone who can reach the site acts with this account's rights. Prefer identity = \"iusr\", "+
				"or \"app_pool\" with a pool that runs as ApplicationPoolIdentity.",
				beforeWhat, orUnknown(before.Account), before.Privilege, orUnknown(after.Account), after.Reason))
	}
}

// anonBoundaryWarning warns when anonymous requests at a site or
// application would run as account, which another site already runs code
// as: the boundary iis_website warns about, lost here by the anonymous
// settings rather than by the site. Applications of the same site are not
// counted, and neither is the server level, whose settings every site
// without its own shares by design. Advice only: a failed read says nothing.
func anonBoundaryWarning(ctx context.Context, c iis.Caller, loc, account string, resp *resource.ModifyPlanResponse) {
	if loc == "" || account == "" {
		return
	}
	view, err := loadSiteView(ctx, c)
	if err != nil {
		return
	}
	site, _, isApp := strings.Cut(loc, "/")
	what := fmt.Sprintf("site %q", loc)
	if isApp {
		what = fmt.Sprintf("application %q", loc)
	}
	others := view.runners(func(a iis.Application) bool { return strings.EqualFold(a.Site, site) })
	if summary, detail, ok := boundaryWarning(what, "", "", []string{account}, others); ok {
		resp.Diagnostics.AddAttributeWarning(path.Root("identity"), summary, detail)
	}
}

func locPhrase(loc string) string {
	if loc == "" {
		return "the server level"
	}
	return fmt.Sprintf("%q", loc)
}

// modifyDestroyPlan warns when removing the location's own settings
// raises the privilege of anonymous requests there, because what it
// inherits (a site set to a powerful account, say) is worse than what it
// overrode. It is advice only: nothing that fails here stops the destroy.
func (r *anonAuthResource) modifyDestroyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || r.data == nil || len(r.data.unknown) > 0 {
		return
	}
	var prior anonAuthModel
	if d := req.State.Get(ctx, &prior); d.HasError() {
		return
	}
	ctx = maskPasswords(r.logContext(ctx), prior)
	host := r.data.hostFor(prior.Host.ValueString())
	client, d := r.data.clientFor(ctx, host)
	if d.HasError() {
		return
	}
	planAnonDestroy(ctx, client, prior, resp)
}

// planAnonDestroy compares the privilege in state with what the location
// gets once its settings are gone: the stock settings at the server level,
// else what the nearest enclosing location (application or site, up to the
// server level) has, resolved through this location's own pool.
func planAnonDestroy(ctx context.Context, c iis.Caller, prior anonAuthModel, resp *resource.ModifyPlanResponse) {
	before, err := risk.ParsePrivilege(prior.Privilege.ValueString())
	if err != nil {
		return
	}
	a, err := newAnonAssessor(ctx, c)
	if err != nil {
		return
	}
	loc := prior.Location.ValueString()
	canon, found := a.locs.Find(loc)
	if !found {
		return // gone with its site or application: nothing runs there
	}
	enabled, identity, user := true, iis.AnonIUSR, ""
	if canon != "" {
		parent, err := iis.GetAnonymousAuth(ctx, c, enclosingLocation(a.locs, canon), iis.PasswordProof{})
		if err != nil {
			return
		}
		enabled, identity, user = parent.Enabled, parent.Identity, parent.UserName
	}
	after, err := a.assess(ctx, loc, enabled, identity, user)
	if err != nil || !risk.Escalates(before, after.Privilege) {
		return
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("privilege"),
		fmt.Sprintf("Removing the settings at %s raises anonymous requests there from privilege %s to %s", locPhrase(loc), before, after.Privilege),
		fmt.Sprintf("Until now, anonymous requests run as %s (privilege %s).\nWithout these settings the location inherits, and they run as %s: %s.",
			orUnknown(prior.Account.ValueString()), before, orUnknown(after.Account), after.Reason))
}

// enclosingLocation is the nearest location above loc that exists: an
// application whose path contains loc's, else loc's site, else the server
// level.
func enclosingLocation(locs iis.Locations, loc string) string {
	for p := loc; ; {
		i := strings.LastIndex(p, "/")
		if i < 0 {
			if p == loc {
				return "" // loc is a site
			}
			return p
		}
		p = p[:i]
		if found, ok := locs.Find(p); ok {
			return found
		}
	}
}

// canAssess reports whether everything the privilege depends on is known
// now; otherwise the plan says "known after apply".
func (r *anonAuthResource) canAssess(plan anonAuthModel) bool {
	if r.data == nil || len(r.data.unknown) > 0 {
		return false
	}
	for _, v := range []interface{ IsUnknown() bool }{plan.Host, plan.Location, plan.Enabled, plan.Identity, plan.Username} {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// anonBefore is the privilege the plan is measured against: the state's on an
// update, and on create what the location gets today (its inherited
// settings, or the stock ones at the server level). ok is false when there
// is nothing to compare with.
func anonBefore(ctx context.Context, a *anonAssessor, prior *anonAuthModel, plan anonAuthModel) (anonRisk, string, bool) {
	if prior != nil {
		if prior.Privilege.IsNull() || prior.Privilege.IsUnknown() {
			return anonRisk{}, "", false
		}
		level, err := risk.ParsePrivilege(prior.Privilege.ValueString())
		if err != nil {
			return anonRisk{}, "", false
		}
		return anonRisk{Account: prior.Account.ValueString(), Privilege: level}, "Until now", true
	}
	loc := plan.Location.ValueString()
	current, err := iis.GetAnonymousAuth(ctx, a.c, loc, iis.PasswordProof{})
	if err != nil {
		return anonRisk{}, "", false
	}
	was, err := a.assess(ctx, loc, current.Enabled, current.Identity, current.UserName)
	if err != nil {
		return anonRisk{}, "", false
	}
	return was, "Today, with the settings it inherits", true
}

func orUnknown(account string) string {
	if account == "" {
		return "an account that cannot be determined"
	}
	return account
}

func quoteLocations(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func (r *anonAuthResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config anonAuthModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateAnonAuthConfig(config)...)
}

// validateAnonAuthConfig checks the identity against the credentials given
// with it, at the attribute at fault. Values not known yet are not judged.
func validateAnonAuthConfig(c anonAuthModel) diag.Diagnostics {
	var diags diag.Diagnostics
	set := func(v interface{ IsNull() bool }) bool { return !v.IsNull() }
	if set(c.Password) && set(c.PasswordWO) {
		diags.AddAttributeError(path.Root("password_wo"), "Conflicting passwords",
			"Set either password (kept in state, marked sensitive) or password_wo (write-only, never stored), not both.")
	}
	if set(c.PasswordWO) && c.PasswordWOVersion.IsNull() {
		diags.AddAttributeError(path.Root("password_wo_version"), "Missing password_wo_version",
			"password_wo is write-only, so Terraform cannot see when it changes: set password_wo_version, and change it whenever the password changes.")
	}
	if c.PasswordWO.IsNull() && !c.PasswordWOVersion.IsNull() && !c.PasswordWOVersion.IsUnknown() {
		diags.AddAttributeError(path.Root("password_wo_version"), "password_wo_version without password_wo",
			"password_wo_version only says when password_wo changed; set password_wo too, or remove password_wo_version.")
	}
	if c.Identity.IsUnknown() {
		return diags
	}
	identity := c.Identity.ValueString()
	if c.Identity.IsNull() {
		identity = iis.AnonIUSR
	}
	switch identity {
	case iis.AnonIUSR, iis.AnonAppPool:
		for attr, v := range map[string]interface{ IsNull() bool }{
			"username": c.Username, "password": c.Password, "password_wo": c.PasswordWO, "password_wo_version": c.PasswordWOVersion,
		} {
			if set(v) {
				diags.AddAttributeError(path.Root(attr), "Credentials with identity "+identity,
					fmt.Sprintf("identity = %q takes no %s: anonymous requests run as %s. Set identity = \"specific_user\" to run them as an account of your own.",
						identity, attr, map[string]string{iis.AnonIUSR: "the built-in IUSR account", iis.AnonAppPool: "the application pool's identity"}[identity]))
			}
		}
	case iis.AnonSpecificUser:
		switch {
		case c.Username.IsNull():
			diags.AddAttributeError(path.Root("username"), "Missing username",
				"identity = \"specific_user\" needs username, the account anonymous requests run as (user, .\\user, HOST\\user, DOMAIN\\user or user@domain).")
		case c.Username.IsUnknown():
		case strings.TrimSpace(c.Username.ValueString()) == "":
			diags.AddAttributeError(path.Root("username"), "Empty username",
				"username must name an account. An empty user name means the application pool identity on the host: for that, set identity = \"app_pool\" and no username.")
		default:
			if id, _ := iis.IdentityFromUserName(c.Username.ValueString()); id == iis.AnonIUSR {
				diags.AddAttributeError(path.Root("username"), "IUSR is not a specific user",
					"IUSR is the built-in anonymous account: set identity = \"iusr\" and no username or password.")
			}
		}
		if c.Password.IsNull() && c.PasswordWO.IsNull() {
			diags.AddAttributeError(path.Root("password"), "Missing password",
				"identity = \"specific_user\" needs the account's password: set password_wo with password_wo_version (never stored), or password (stored in state, marked sensitive).")
		}
	}
	return diags
}

// locationValidator checks the form of a location at plan time; whether
// it exists is checked against the host in ModifyPlan.
type locationValidator struct{}

func (locationValidator) Description(context.Context) string {
	return `"" for the server level, "Site", or "Site/app/path", without leading or trailing '/'`
}

func (v locationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (locationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := iis.ValidateLocation(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid location", err.Error()+".")
	}
}
