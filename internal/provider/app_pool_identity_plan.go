package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// planIdentity makes account, privilege and privilege_reason known in the
// plan, so the diff shows `privilege: "least" -> "full"`, and warns when the
// privilege rises: against the prior state on a change, against what the
// pool runs as on the host now when the resource is created. A specific
// user's level needs the host (its groups); when the host cannot be asked
// yet, the level is known after apply.
//
// client is nil when the host cannot be asked yet; host names it in
// messages.
func (r *appPoolIdentityResource) planIdentity(ctx context.Context, client iis.Caller, host string, plan appPoolIdentityModel, prior *appPoolIdentityModel, resp *resource.ModifyPlanResponse) {
	setUnknown := func() {
		for _, a := range []string{"account", "privilege", "privilege_reason"} {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(a), types.StringUnknown())...)
		}
	}
	if plan.Pool.IsUnknown() || plan.IdentityType.IsUnknown() || plan.Username.IsUnknown() || plan.Host.IsUnknown() {
		setUnknown()
		return
	}
	pool, typ := plan.Pool.ValueString(), plan.IdentityType.ValueString()
	if client == nil && needsHost(typ) {
		setUnknown()
		return
	}
	current, computer, err := currentIdentity(ctx, client, pool)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "plan", host))
		return
	}
	after, err := classifyPoolIdentity(ctx, client, computer, pool, typ, plan.Username.ValueString())
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "plan", host))
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("account"), after.Account)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("privilege"), after.Level.String())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("privilege_reason"), after.Reason)...)

	before, err := priorVerdict(ctx, client, computer, pool, prior, current)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "plan", host))
		return
	}
	if !risk.Escalates(before.Level, after.Level) {
		return
	}
	var apps []iis.PoolApplication
	if client != nil {
		p, err := iis.AppPoolFromList(ctx, client, pool)
		switch {
		case err == nil:
			apps = p.Applications
		case !iis.IsNotFound(err):
			resp.Diagnostics.Append(r.diagnostic(err, "plan", host))
			return
		}
	}
	summary, detail := escalationWarning(pool, before, after, apps)
	resp.Diagnostics.AddAttributeWarning(path.Root("privilege"), summary, detail)
}

// currentIdentity is what the pool runs as on the host now (nil when the
// pool does not exist yet) and the host's computer name; nothing without a
// client.
func currentIdentity(ctx context.Context, client iis.Caller, pool string) (*iis.PoolIdentity, string, error) {
	if client == nil {
		return nil, "", nil
	}
	id, err := iis.PoolIdentityFromList(ctx, client, pool)
	if err == nil {
		return &id, id.ComputerName, nil
	}
	if !iis.IsNotFound(err) {
		return nil, "", err
	}
	computer, err := hostComputerName(ctx, client)
	return nil, computer, err
}

// priorVerdict is who the pool runs as before this plan: the prior state's
// verdict; on create, what the host says now; for a pool that does not
// exist yet, ApplicationPoolIdentity, which New-WebAppPool gives it on a
// stock host.
func priorVerdict(ctx context.Context, client iis.Caller, computer, pool string, prior *appPoolIdentityModel, current *iis.PoolIdentity) (poolVerdict, error) {
	if prior != nil {
		level, err := risk.ParsePrivilege(prior.Privilege.ValueString())
		if err != nil {
			return poolVerdict{}, fmt.Errorf("privilege in state: %w", err)
		}
		return poolVerdict{Account: prior.Account.ValueString(), Level: level}, nil
	}
	if current == nil {
		return classifyPoolIdentity(ctx, nil, computer, pool, hostapi.IdentityAppPool, "")
	}
	return classifyPoolIdentity(ctx, client, computer, pool, current.Type, current.UserName)
}

// validateIdentityConfig holds the identity to the rules of its type, at
// the attribute at fault, before any host is asked. Unknown values are not
// judged.
func validateIdentityConfig(c appPoolIdentityModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if c.IdentityType.IsUnknown() || c.IdentityType.IsNull() {
		return diags
	}
	typ := c.IdentityType.ValueString()
	set := func(v attr.Value) bool { return !v.IsNull() }
	if !needsHost(typ) {
		account := iis.AccountFor(c.Pool.ValueString(), typ, "")
		for name, v := range map[string]attr.Value{
			"username": c.Username, "password": c.Password, "password_wo": c.PasswordWO,
			"password_wo_version": c.PasswordWOVersion, "logon_type": c.LogonType,
		} {
			if set(v) {
				diags.AddAttributeError(path.Root(name), "Attribute applies only to SpecificUser",
					fmt.Sprintf("%s applies only when identity_type = %q; with %q the pool runs as %s, which has no user name or password to give. Remove %s.",
						name, hostapi.IdentitySpecificUser, typ, account, name))
			}
		}
		return diags
	}
	if c.Username.IsNull() {
		diags.AddAttributeError(path.Root("username"), "Missing user name",
			`identity_type = "SpecificUser" needs username: the account the pool runs as, such as "CONTOSO\svc-shop", ".\svc-shop" or a group managed service account "CONTOSO\web$".`)
		return diags
	}
	if c.Username.IsUnknown() {
		return diags
	}
	user := c.Username.ValueString()
	hasPassword := set(c.Password) || set(c.PasswordWO)
	switch {
	case iis.IsManagedServiceAccount(user) && hasPassword:
		attr := "password"
		if set(c.PasswordWO) {
			attr = "password_wo"
		}
		diags.AddAttributeError(path.Root(attr), "No password for a group managed service account",
			fmt.Sprintf("%q is a group managed service account: Windows fetches its password from Active Directory, and a password given here would stop the pool from starting. Remove %s.", user, attr))
	case !iis.IsManagedServiceAccount(user) && !hasPassword:
		diags.AddAttributeError(path.Root("password_wo"), "Missing password",
			fmt.Sprintf("User %q needs a password: set password_wo with password_wo_version (kept out of state), or password. "+
				"Only group managed service accounts (DOMAIN\\name$) do without.", user))
	}
	if set(c.PasswordWO) && c.PasswordWOVersion.IsNull() {
		diags.AddAttributeError(path.Root("password_wo_version"), "Missing password_wo_version",
			"password_wo is write-only: Terraform keeps no copy to compare, so it sends it only when password_wo_version changes. Set password_wo_version (for example 1), and change it whenever the password changes.")
	}
	if set(c.PasswordWOVersion) && !set(c.PasswordWO) {
		diags.AddAttributeError(path.Root("password_wo_version"), "password_wo_version without password_wo",
			"password_wo_version says when to send password_wo again; set password_wo too, or remove password_wo_version.")
	}
	return diags
}
