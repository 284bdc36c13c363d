package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// stateSetter is the state a Create or Update response carries.
type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// apply writes the planned identity and records the proof of the password
// the host now holds. The password is masked in logs and registered with
// the client, so no error text can carry it.
func (r *appPoolIdentityResource) apply(ctx context.Context, plan, config appPoolIdentityModel, private privateState, state stateSetter, diags *diag.Diagnostics) {
	ctx = r.data.logContext(ctx)
	settings := identitySettings(plan, config)
	if settings.Password != nil {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, *settings.Password)
		ctx = tflog.MaskMessageStrings(ctx, *settings.Password)
	}
	client, host, ok := r.client(ctx, plan.Host, diags)
	if !ok {
		return
	}
	if settings.Password != nil {
		client.Redact(*settings.Password)
	}
	id, err := iis.SetPoolIdentity(ctx, client, settings)
	if err != nil {
		if iis.IsNotFound(err) {
			diags.AddAttributeError(path.Root("pool"), "Application pool not found",
				fmt.Sprintf("Host %s has no application pool named %q. Create it first, for example with an iis_app_pool resource whose name this pool attribute references, "+
					"so that Terraform orders the two.", host, settings.Pool))
			return
		}
		diags.Append(r.diagnostic(err, "apply", host))
		return
	}
	verdict := poolVerdict{Account: plan.Account.ValueString(), Reason: plan.PrivilegeReason.ValueString()}
	level, perr := parseKnownPrivilege(plan.Privilege)
	if perr != nil {
		// Not known at plan time (a user name from another resource, say):
		// judge what was applied.
		verdict, err = classifyPoolIdentity(ctx, client, id.ComputerName, settings.Pool, id.Type, id.UserName)
		if err != nil {
			diags.Append(r.diagnostic(err, "apply", host))
			return
		}
	} else {
		verdict.Level = level
	}
	diags.Append(saveProof(ctx, private, id.Proof)...)
	out := identityState(id, plan, verdict)
	out.Password, out.PasswordWOVersion = plan.Password, plan.PasswordWOVersion
	diags.Append(state.Set(ctx, out)...)
}
