package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// appPoolIdentityModel is iis_app_pool_identity's configuration, plan and
// state. PasswordWO is write-only: Terraform keeps it out of plan and state.
type appPoolIdentityModel struct {
	ID                types.String   `tfsdk:"id"`
	Host              types.String   `tfsdk:"host"`
	Pool              types.String   `tfsdk:"pool"`
	IdentityType      types.String   `tfsdk:"identity_type"`
	Username          types.String   `tfsdk:"username"`
	Password          types.String   `tfsdk:"password"`
	PasswordWO        types.String   `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64    `tfsdk:"password_wo_version"`
	LogonType         types.String   `tfsdk:"logon_type"`
	Account           types.String   `tfsdk:"account"`
	Privilege         types.String   `tfsdk:"privilege"`
	PrivilegeReason   types.String   `tfsdk:"privilege_reason"`
	AcceptPrivilege   types.String   `tfsdk:"accept_privilege"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

// identityPassword is the password to send: `password`, else the
// write-only `password_wo` from the configuration, else none (a group
// managed service account, or a type without a user).
func identityPassword(plan, config appPoolIdentityModel) *string {
	for _, v := range []types.String{plan.Password, config.PasswordWO} {
		if !v.IsNull() && !v.IsUnknown() {
			s := v.ValueString()
			return &s
		}
	}
	return nil
}

// identitySettings is what to write for the planned identity.
func identitySettings(plan, config appPoolIdentityModel) iis.IdentitySettings {
	s := iis.IdentitySettings{
		Pool:      plan.Pool.ValueString(),
		Type:      plan.IdentityType.ValueString(),
		LogonType: plan.LogonType.ValueString(),
	}
	if needsHost(s.Type) {
		s.UserName = plan.Username.ValueString()
		s.Password = identityPassword(plan, config)
	}
	return s
}

// identityState is the state for an identity read from the host. The
// password inputs cannot be read back; they come from prior (the prior
// state, or the plan after an apply).
func identityState(id iis.PoolIdentity, prior appPoolIdentityModel, v poolVerdict) appPoolIdentityModel {
	out := appPoolIdentityModel{
		ID:                types.StringValue(id.Pool),
		Host:              prior.Host,
		Pool:              types.StringValue(id.Pool),
		IdentityType:      types.StringValue(id.Type),
		Username:          types.StringNull(),
		Password:          prior.Password,
		PasswordWO:        types.StringNull(),
		PasswordWOVersion: prior.PasswordWOVersion,
		LogonType:         types.StringValue(id.LogonType),
		Account:           types.StringValue(v.Account),
		Privilege:         types.StringValue(v.Level.String()),
		PrivilegeReason:   types.StringValue(v.Reason),
		Timeouts:          prior.Timeouts,
	}
	// IIS keys pools without regard to case: the spelling in the
	// configuration stands, so it is never a diff (or a replacement).
	if strings.EqualFold(prior.Pool.ValueString(), id.Pool) {
		out.ID, out.Pool = prior.Pool, prior.Pool
	}
	if id.Type == hostapi.IdentitySpecificUser {
		out.Username = types.StringValue(id.UserName)
	}
	return out
}
