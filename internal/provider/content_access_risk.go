package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// contentAccessModel is iis_content_access's plan and state.
type contentAccessModel struct {
	ID              types.String `tfsdk:"id"`
	Host            types.String `tfsdk:"host"`
	Path            types.String `tfsdk:"path"`
	AppPool         types.String `tfsdk:"app_pool"`
	IUSR            types.Bool   `tfsdk:"iusr"`
	Account         types.String `tfsdk:"account"`
	Access          types.String `tfsdk:"access"`
	Identity        types.String `tfsdk:"identity"`
	Privilege       types.String `tfsdk:"privilege"`
	Exposure        types.String `tfsdk:"exposure"`
	PrivilegeReason types.String `tfsdk:"privilege_reason"`
}

// contentAccessID is "path|identity": neither a path nor an account name
// can hold '|'.
func contentAccessID(path, identity string) string { return path + "|" + identity }

// identityFromImport reads the identity part of an import ID into the
// attribute that names it: IIS AppPool\<pool> is app_pool, IUSR iusr,
// anything else account.
func (m *contentAccessModel) identityFromImport(identity string) {
	m.AppPool, m.IUSR, m.Account = types.StringNull(), types.BoolNull(), types.StringNull()
	switch id, user := iis.IdentityFromUserName(identity); {
	case id == iis.AnonIUSR:
		m.IUSR = types.BoolValue(true)
	case len(user) > len(`IIS APPPOOL\`) && iis.SameAccount(user[:len(`IIS APPPOOL\`)], `IIS APPPOOL\`):
		m.AppPool = types.StringValue(user[len(`IIS APPPOOL\`):])
	default:
		m.Account = types.StringValue(identity)
	}
}

// contentAssessor scores grants on one host from its sites and pools.
type contentAssessor struct {
	c    iis.Caller
	view *siteView
}

func newContentAssessor(ctx context.Context, c iis.Caller) (*contentAssessor, error) {
	view, err := loadSiteView(ctx, c)
	if err != nil {
		return nil, err
	}
	return &contentAssessor{c: c, view: view}, nil
}

// identity is the account a configuration names, as Windows will write it
// in the ACL; ok is false when it cannot be known before apply (an account
// the host cannot resolve yet).
func (a *contentAssessor) identity(ctx context.Context, m contentAccessModel) (string, bool, error) {
	switch {
	case !m.AppPool.IsNull():
		if m.AppPool.IsUnknown() {
			return "", false, nil
		}
		if _, canon, found := a.view.poolAccount(m.AppPool.ValueString()); found {
			return iis.PoolAccountName(canon), true, nil
		}
		return iis.PoolAccountName(m.AppPool.ValueString()), true, nil
	case !m.IUSR.IsNull():
		return iis.AccountIUSR, !m.IUSR.IsUnknown(), nil
	case m.Account.IsUnknown() || m.Account.IsNull():
		return "", false, nil
	}
	acct, err := iis.ResolveAccount(ctx, a.c, m.Account.ValueString())
	if err != nil {
		return "", false, err
	}
	if !acct.Found {
		return "", false, nil
	}
	return acct.Name, true, nil
}

// settled reports whether what a new grant's values depend on is on the
// host already: the pool (for app_pool), the directory, and the sites
// around them, an application that serves the directory and, for
// app_pool, one the pool serves. A site created by the same apply as the
// grant on its root (the usual way to write them) would otherwise change
// the values between this plan and the one Terraform makes just before the
// create.
func (a *contentAssessor) settled(ctx context.Context, m contentAccessModel) bool {
	var served, poolServes bool
	for _, s := range a.view.sites.Sites {
		for _, app := range s.Applications {
			served = served || (app.PhysicalPath != "" && iis.PathWithin(m.Path.ValueString(), app.PhysicalPath))
			poolServes = poolServes || strings.EqualFold(app.ApplicationPool, m.AppPool.ValueString())
		}
	}
	if !served || (!m.AppPool.IsNull() && !poolServes) {
		return false
	}
	_, err := iis.GetACL(ctx, a.c, m.Path.ValueString())
	return err == nil
}

// grant gathers what the host's sites say about an account's access to a
// directory.
func (a *contentAssessor) grant(account, access, path string) risk.ContentGrant {
	g := risk.ContentGrant{Account: account, Access: access, Path: path}
	for _, s := range a.view.sites.Sites {
		for _, app := range s.Applications {
			loc := app.Location()
			if app.PhysicalPath != "" && iis.PathWithin(path, app.PhysicalPath) {
				g.WebRootOf = append(g.WebRootOf, loc)
			}
			runs := false
			for _, id := range app.Identities() {
				runs = runs || iis.SameAccount(id, account)
			}
			if runs {
				g.RunsCodeIn = append(g.RunsCodeIn, loc)
			}
			if app.AnonymousEnabled && (iis.SameAccount(app.AnonymousAccount(), account) || iis.SameAccount(app.PoolAccount(), account)) {
				g.ServesAnonymous = append(g.ServesAnonymous, loc)
			}
		}
	}
	return g
}

// setRisk fills identity, privilege, exposure and privilege_reason, or
// makes them unknown when the identity cannot be known yet.
func (m *contentAccessModel) setRisk(identity string, known bool, r risk.ContentRisk) {
	if !known {
		m.Identity, m.Privilege, m.Exposure, m.PrivilegeReason = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		return
	}
	m.Identity = types.StringValue(identity)
	m.Privilege = types.StringValue(r.Privilege.String())
	m.Exposure = types.StringValue(r.Exposure)
	m.PrivilegeReason = types.StringValue(r.Reason)
}

// assess scores the model's grant on the host as it is.
func (a *contentAssessor) assess(ctx context.Context, m *contentAccessModel) (risk.ContentGrant, risk.ContentRisk, error) {
	identity, known, err := a.identity(ctx, *m)
	if err != nil {
		return risk.ContentGrant{}, risk.ContentRisk{}, fmt.Errorf("resolve the identity: %w", err)
	}
	if !known || m.Access.IsUnknown() || m.Path.IsUnknown() {
		m.setRisk("", false, risk.ContentRisk{})
		return risk.ContentGrant{}, risk.ContentRisk{}, nil
	}
	g := a.grant(identity, m.Access.ValueString(), m.Path.ValueString())
	r := risk.ClassifyContent(g)
	m.setRisk(identity, true, r)
	return g, r, nil
}
