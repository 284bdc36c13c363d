package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// anonAuthModel is iis_anonymous_authentication's configuration, plan and
// state. PasswordWO is write-only: it is read from the configuration and is
// always null in plan and state.
type anonAuthModel struct {
	ID                types.String   `tfsdk:"id"`
	Host              types.String   `tfsdk:"host"`
	Location          types.String   `tfsdk:"location"`
	Enabled           types.Bool     `tfsdk:"enabled"`
	Identity          types.String   `tfsdk:"identity"`
	Username          types.String   `tfsdk:"username"`
	Password          types.String   `tfsdk:"password"`
	PasswordWO        types.String   `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64    `tfsdk:"password_wo_version"`
	Account           types.String   `tfsdk:"account"`
	Privilege         types.String   `tfsdk:"privilege"`
	PrivilegeReason   types.String   `tfsdk:"privilege_reason"`
	AcceptPrivilege   types.String   `tfsdk:"accept_privilege"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

// serverLevelID is the id, and the import ID, of the server level, whose
// location is "": Terraform refuses an empty import ID.
const serverLevelID = "/"

// anonAuthID is the resource's id for a location.
func anonAuthID(location string) string {
	if location == "" {
		return serverLevelID
	}
	return location
}

// parseAnonAuthImportID reads `location`, `/` (the server level) or
// `host|location`. Host names and site names cannot contain '|', while
// locations contain '/', so '|' is the only unambiguous separator.
func parseAnonAuthImportID(id string) (host, location string) {
	if h, loc, ok := strings.Cut(id, "|"); ok {
		host, id = h, loc
	}
	if id == serverLevelID {
		id = ""
	}
	return host, id
}

// settings are the values to write, with the password taken from the
// write-only attribute in config when that is the one in use.
func (m anonAuthModel) settings(config anonAuthModel) iis.AnonSettings {
	s := iis.AnonSettings{
		Location: m.Location.ValueString(),
		Enabled:  m.Enabled.ValueBool(),
		Identity: m.Identity.ValueString(),
	}
	if s.Identity == iis.AnonSpecificUser {
		s.UserName = m.Username.ValueString()
		s.Password = m.Password.ValueString()
		if !config.PasswordWO.IsNull() {
			s.Password = config.PasswordWO.ValueString()
		}
	}
	return s
}

// maskPasswords keeps the anonymous user's passwords out of every log
// line, whatever field or message they would appear in.
func maskPasswords(ctx context.Context, models ...anonAuthModel) context.Context {
	var secrets []string
	for _, m := range models {
		for _, v := range []types.String{m.Password, m.PasswordWO} {
			if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
				secrets = append(secrets, v.ValueString())
			}
		}
	}
	if len(secrets) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
	return tflog.MaskMessageStrings(ctx, secrets...)
}

// fromHost copies what the host holds into m, which keeps the inputs the
// host cannot give back: the password (never read back) and the version of
// the write-only one. The location keeps the configuration's spelling.
func (m *anonAuthModel) fromHost(a iis.AnonymousAuth) {
	m.ID = types.StringValue(anonAuthID(m.Location.ValueString()))
	m.Enabled = types.BoolValue(a.Enabled)
	m.Identity = types.StringValue(a.Identity)
	if a.Identity == iis.AnonSpecificUser {
		if !strings.EqualFold(m.Username.ValueString(), a.UserName) {
			m.Username = types.StringValue(a.UserName)
		}
	} else {
		m.Username = types.StringNull()
		m.Password = types.StringNull()
		m.PasswordWOVersion = types.Int64Null()
	}
	m.PasswordWO = types.StringNull()
}

// setRisk records the computed account and privilege.
func (m *anonAuthModel) setRisk(r anonRisk) {
	m.Account = types.StringValue(r.Account)
	m.Privilege = types.StringValue(r.Privilege.String())
	m.PrivilegeReason = types.StringValue(r.Reason)
}

// hasOwnSettings describes the settings that make creating at a location
// an adoption, or returns "" when there are none. The server level always
// has its element; only settings other than the stock ones count there, so
// that managing a stock server level needs no import.
func hasOwnSettings(a iis.AnonymousAuth) string {
	if a.Location != "" {
		if a.Configured {
			return "its own anonymous authentication settings in applicationHost.config"
		}
		return ""
	}
	if !a.Enabled || a.Identity != iis.AnonIUSR || a.PasswordSet {
		return "anonymous authentication settings other than the stock ones (enabled, IUSR)"
	}
	return ""
}
