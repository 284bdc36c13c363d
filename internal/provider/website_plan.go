package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// ModifyPlan makes identities known when the pool exists on the host,
// refuses a binding another started site answers, and warns when creating
// the site or moving it to another pool makes it run as an account other
// sites or applications already run as.
func (r *websiteResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan websiteModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *websiteModel
	if !req.State.Raw.IsNull() {
		prior = &websiteModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if r.data == nil || len(r.data.unknown) > 0 || plan.Host.IsUnknown() || plan.Name.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("identities"), types.ListUnknown(types.StringType))...)
		return
	}
	ctx = r.data.logContext(ctx)
	client, _, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	planWebsite(ctx, client, plan, prior, resp)
}

// planWebsite is ModifyPlan's work once the host is known.
func planWebsite(ctx context.Context, c iis.Caller, plan websiteModel, prior *websiteModel, resp *resource.ModifyPlanResponse) {
	view, err := loadSiteView(ctx, c)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the host's sites", fmt.Sprintf("Planning site %q needs the host's sites and pools: %v", plan.Name.ValueString(), err))
		return
	}
	name := plan.Name.ValueString()
	if plan.State.ValueString() != "Stopped" {
		resp.Diagnostics.Append(bindingConflicts(ctx, view, name, plan.Bindings)...)
	}
	identities := types.ListUnknown(types.StringType)
	defer func() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("identities"), identities)...)
	}()
	if prior != nil && plan.sameSettings(*prior) {
		// Nothing to write: a computed value alone is no reason for an
		// update. The refresh before the plan keeps it current.
		identities = prior.Identities
		return
	}
	if plan.ApplicationPool.IsUnknown() {
		return
	}
	account, pool, found := view.poolAccount(plan.ApplicationPool.ValueString())
	if !found {
		return // a pool this apply creates: its account is known once it exists
	}
	accounts := []string{account}
	if current, exists := view.sites.Find(name); exists {
		for _, app := range current.Applications {
			if app.Path == "/" {
				app.ApplicationPool, app.PoolFound, app.IdentityType, app.UserName = pool, true, "", ""
				accounts = appendAccount(accounts, rootAnonymous(app, account))
				continue
			}
			for _, a := range app.Identities() {
				accounts = appendAccount(accounts, a)
			}
		}
	} else {
		server, err := iis.GetAnonymousAuth(ctx, c, "", iis.PasswordProof{})
		if err != nil {
			resp.Diagnostics.AddError("Cannot read anonymous authentication", fmt.Sprintf("Planning site %q: %v", name, err))
			return
		}
		accounts = appendAccount(accounts, rootAnonymous(iis.Application{
			AnonymousEnabled: server.Enabled, AnonymousUserName: iis.UserNameFor(server.Identity, server.UserName),
		}, account))
	}
	identities = stringList(accounts)

	// Only an account the site did not run as before loses a boundary in
	// this plan: a site that already shared one warned when it began to.
	if prior != nil && !prior.Identities.IsUnknown() {
		var before []string
		resp.Diagnostics.Append(prior.Identities.ElementsAs(ctx, &before, false)...)
		accounts = slices.DeleteFunc(accounts, func(a string) bool {
			return slices.ContainsFunc(before, func(b string) bool { return iis.SameAccount(a, b) })
		})
	}
	others := view.runners(func(a iis.Application) bool { return strings.EqualFold(a.Site, name) })
	if summary, detail, ok := boundaryWarning(fmt.Sprintf("site %q", name), pool, account, accounts, others); ok {
		resp.Diagnostics.AddAttributeWarning(path.Root("application_pool"), summary, detail)
	}
}

// rootAnonymous is the account anonymous requests run as at an
// application whose pool runs as poolAccount.
func rootAnonymous(app iis.Application, poolAccount string) string {
	if !app.AnonymousEnabled {
		return ""
	}
	switch id, user := iis.IdentityFromUserName(app.AnonymousUserName); id {
	case iis.AnonIUSR:
		return iis.AccountIUSR
	case iis.AnonAppPool:
		return poolAccount
	default:
		return user
	}
}

func appendAccount(list []string, account string) []string {
	if account == "" {
		return list
	}
	for _, a := range list {
		if iis.SameAccount(a, account) {
			return list
		}
	}
	return append(list, account)
}

// bindingConflicts refuses, at the binding, one that a started site other
// than name already answers: IIS could not start this site.
func bindingConflicts(ctx context.Context, view *siteView, name string, l types.List) diag.Diagnostics {
	var diags diag.Diagnostics
	bs, known, d := bindingsOf(ctx, l)
	diags.Append(d...)
	if !known {
		return diags
	}
	for i, b := range bs {
		b = b.Normalize()
		for _, s := range view.sites.Sites {
			if strings.EqualFold(s.Name, name) || s.State != "Started" {
				continue
			}
			for _, have := range s.Bindings {
				if have.Protocol == b.Protocol && strings.EqualFold(have.Information(), b.Information()) {
					diags.AddAttributeError(path.Root("bindings").AtListIndex(i), "Binding already in use",
						fmt.Sprintf("Started site %q already answers %s %s, so this site could not start (IIS: 0x800700B7). "+
							"Use another host_name or port, stop that site, or set state = \"Stopped\".", s.Name, have.Protocol, have.Information()))
				}
			}
		}
	}
	return diags
}

func (r *websiteResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var bindings types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("bindings"), &bindings)...)
	if resp.Diagnostics.HasError() || bindings.IsNull() || bindings.IsUnknown() {
		return
	}
	var ms []bindingModel
	resp.Diagnostics.Append(bindings.ElementsAs(ctx, &ms, false)...)
	for i, m := range ms {
		if m.Protocol.IsUnknown() || m.Port.IsUnknown() || m.IPAddress.IsUnknown() || m.HostName.IsUnknown() ||
			m.CertificateThumbprint.IsUnknown() || m.CertificateStore.IsUnknown() {
			continue
		}
		b := iis.Binding{Protocol: m.Protocol.ValueString(), IPAddress: m.IPAddress.ValueString(), Port: int(m.Port.ValueInt64()),
			HostName: m.HostName.ValueString(), CertificateThumbprint: m.CertificateThumbprint.ValueString(), CertificateStore: m.CertificateStore.ValueString()}
		if err := iis.CheckBinding(b); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("bindings").AtListIndex(i), "Invalid binding",
				err.Error()+". A binding is protocol (http or https), ip_address (\"*\" or an address), port (1-65535), host_name, "+
					"and for https certificate_thumbprint with certificate_store (My or WebHosting).")
		}
	}
}
