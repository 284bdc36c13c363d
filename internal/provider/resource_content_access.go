package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

var (
	_ resource.Resource                     = (*contentAccessResource)(nil)
	_ resource.ResourceWithConfigure        = (*contentAccessResource)(nil)
	_ resource.ResourceWithImportState      = (*contentAccessResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*contentAccessResource)(nil)
	_ resource.ResourceWithConfigValidators = (*contentAccessResource)(nil)
)

func newContentAccessResource() resource.Resource { return &contentAccessResource{} }

// contentAccessResource owns one identity's explicit Allow entry on one
// directory.
type contentAccessResource struct {
	data *providerData
}

func (r *contentAccessResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_content_access"
}

func (r *contentAccessResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Grants one identity read, modify or full control on a directory of the host, as one explicit (non-inherited) NTFS Allow entry " +
			"that subdirectories and files inherit (`Get-Acl`, `FileSystemAccessRule`, `Set-Acl`). The identity is an application pool's virtual account " +
			"(`app_pool`), the anonymous account IUSR (`iusr`), or a named `account`: exactly one of them.\n\n" +
			"The resource owns that identity's explicit Allow entries on the directory: destroying it removes exactly them, leaving inherited and Deny entries, " +
			"and the entries of every other identity, alone. An entry changed or removed outside Terraform shows as drift.\n\n" +
			"Every plan shows what the grant exposes (`exposure`, such as `IIS APPPOOL\\shop can modify D:\\sites\\shop: writable web root`) and its `privilege` level, " +
			"with a warning when the level rises, and when modify or full control goes to an identity that serves anonymous requests.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`path|identity`, such as `C:\\sites\\shop|IIS APPPOOL\\shop`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: "Host of the directory. Defaults to the provider's `host`. Changing it replaces the grant.",
				Optional:            true,
				PlanModifiers:       replace,
			},
			"path": schema.StringAttribute{
				MarkdownDescription: "Directory, such as `D:\\sites\\shop` or `%SystemDrive%\\inetpub\\wwwroot`. It must exist when the grant is applied. Changing it replaces the grant.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(3)},
				PlanModifiers:       replace,
			},
			"app_pool": schema.StringAttribute{
				MarkdownDescription: "Grant to this application pool's virtual account, `IIS APPPOOL\\<pool>`: what code in the pool runs as under ApplicationPoolIdentity. The pool must exist when the grant is applied.",
				Optional:            true,
				Validators:          []validator.String{existingPoolNameValidator()},
				PlanModifiers:       replace,
			},
			"iusr": schema.BoolAttribute{
				MarkdownDescription: "`true` to grant to the anonymous account `NT AUTHORITY\\IUSR`, which every site whose anonymous requests use IUSR shares.",
				Optional:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"account": schema.StringAttribute{
				MarkdownDescription: "Grant to this account: `user`, `HOST\\user`, `DOMAIN\\user`, a group such as `BUILTIN\\IIS_IUSRS`. It must resolve on the host; " +
					"a name no Windows account can have (with one of `\" / \\ [ ] : ; | = , + * ? < > @` in the account part) fails the plan.",
				Optional:      true,
				Validators:    []validator.String{accountNameValidator{groups: true}},
				PlanModifiers: replace,
			},
			"access": schema.StringAttribute{
				MarkdownDescription: "`read` (default: ReadAndExecute), `modify` (Modify: write and delete) or `full` (FullControl: also change permissions and take ownership). " +
					"An entry changed outside Terraform to anything else reads back in Windows' words, so the plan shows what to undo.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(iis.AccessRead),
				Validators: []validator.String{stringvalidator.OneOf(iis.AccessLevels()...)},
			},
			"identity": schema.StringAttribute{
				MarkdownDescription: "The account as Windows writes it in the ACL (`IIS APPPOOL\\shop`, `NT AUTHORITY\\IUSR`, `WEB01\\deploy`), known at plan time.",
				Computed:            true,
			},
			"privilege": schema.StringAttribute{
				MarkdownDescription: "How much the grant hands the identity, on the privilege scale: `least` (read of its own sites' content), `low` (read across a site boundary), " +
					"`medium` (modify outside every web root), `high` (modify inside a web root), `full` (full control). " +
					"Known at plan time once the directory, a site serving it and (for `app_pool`) a site in the pool are on the host.",
				Computed: true,
			},
			"exposure": schema.StringAttribute{
				MarkdownDescription: "One line saying what the grant exposes, such as `IIS APPPOOL\\shop can modify D:\\sites\\shop: writable web root`.",
				Computed:            true,
			},
			"privilege_reason": schema.StringAttribute{
				MarkdownDescription: "`exposure`, with the sites whose content the directory is, the sites the identity also runs code in, and where it serves anonymous requests.",
				Computed:            true,
			},
		},
	}
}

func (r *contentAccessResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	configureData(&r.data, req.ProviderData, &resp.Diagnostics)
}

func (r *contentAccessResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan contentAccessModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	a, err := newContentAssessor(ctx, client)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "plan", host))
		return
	}
	identity, known, err := a.identity(ctx, plan)
	if err == nil && !known {
		err = fmt.Errorf("account %q does not resolve on the host", plan.Account.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError("Identity not found", fmt.Sprintf("Host %s: %v.", host, err))
		return
	}
	p := plan.Path.ValueString()
	current, err := iis.GetACL(ctx, client, p)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "read", host))
		return
	}
	if existing := current.Explicit(identity); len(existing) > 0 {
		resp.Diagnostics.AddAttributeError(path.Root("path"), "Explicit entry already exists",
			fmt.Sprintf("%s already has an explicit entry for %s (%s) on host %s. The provider does not take over existing entries silently: "+
				"import it (terraform import <address> %q, or an import block) to manage it.",
				current.Path, existing[0].Identity, existing[0].Describe(), host, contentAccessID(current.Path, existing[0].Identity)))
		return
	}
	acl, err := iis.Grant(ctx, client, p, identity, plan.Access.ValueString())
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "grant", host))
		return
	}
	resp.Diagnostics.Append(r.fromACL(a, acl, &plan, true)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *contentAccessResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state contentAccessModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	acl, err := iis.GetACL(ctx, client, state.Path.ValueString())
	if iis.IsNotFound(err) {
		resp.State.RemoveResource(ctx) // the directory is gone, and the entry with it
		return
	}
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "read", host))
		return
	}
	identity := state.Identity.ValueString()
	if identity == "" {
		identity = r.importedIdentity(state)
	}
	if len(acl.Explicit(identity)) == 0 {
		// Removed outside Terraform: the next plan grants it again.
		resp.State.RemoveResource(ctx)
		return
	}
	state.Identity = types.StringValue(identity)
	a, err := newContentAssessor(ctx, client)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "read", host))
		return
	}
	resp.Diagnostics.Append(r.fromACL(a, acl, &state, false)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// importedIdentity is the identity an import names, before any read.
func (r *contentAccessResource) importedIdentity(m contentAccessModel) string {
	switch {
	case !m.AppPool.IsNull():
		return iis.PoolAccountName(m.AppPool.ValueString())
	case !m.IUSR.IsNull():
		return iis.AccountIUSR
	}
	return m.Account.ValueString()
}

func (r *contentAccessResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan, prior contentAccessModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	acl, err := iis.Grant(ctx, client, plan.Path.ValueString(), prior.Identity.ValueString(), plan.Access.ValueString())
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "grant", host))
		return
	}
	a, err := newContentAssessor(ctx, client)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "update", host))
		return
	}
	if plan.Identity.IsUnknown() {
		plan.Identity = prior.Identity
	}
	resp.Diagnostics.Append(r.fromACL(a, acl, &plan, true)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *contentAccessResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state contentAccessModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	if _, err := iis.Revoke(ctx, client, state.Path.ValueString(), state.Identity.ValueString()); err != nil && !iis.IsNotFound(err) {
		resp.Diagnostics.Append(r.diagnostic(err, "revoke", host))
	}
}

// ImportState takes `path|identity` ("C:\sites\shop|IIS APPPOOL\shop",
// "C:\sites\shop|IUSR", "C:\sites\shop|WEB01\deploy"), or
// `host|path|identity`. The identity decides which of app_pool, iusr and
// account the configuration must set.
func (r *contentAccessResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts := strings.Split(req.ID, "|")
	var host string
	if len(parts) == 3 {
		host, parts = parts[0], parts[1:]
	}
	if len(parts) != 2 || strings.TrimSpace(parts[0]) == "" || strings.TrimSpace(parts[1]) == "" || (len(strings.Split(req.ID, "|")) == 3 && host == "") {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import ID %q is not one of the accepted forms: path|identity (\"C:\\sites\\shop|IIS APPPOOL\\shop\", \"C:\\sites\\shop|IUSR\", "+
				"\"C:\\sites\\shop|WEB01\\deploy\"), or host|path|identity.", req.ID))
		return
	}
	m := contentAccessModel{Host: types.StringNull(), Path: types.StringValue(parts[0]), Access: types.StringValue(iis.AccessRead),
		ID: types.StringValue(contentAccessID(parts[0], parts[1])), Identity: types.StringNull(),
		Privilege: types.StringNull(), Exposure: types.StringNull(), PrivilegeReason: types.StringNull()}
	if host != "" {
		m.Host = types.StringValue(host)
	}
	m.identityFromImport(parts[1])
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *contentAccessResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("app_pool"), path.MatchRoot("iusr"), path.MatchRoot("account")),
	}
}

// fromACL sets path, access and id from the directory's ACL read back, and
// the risk from the host's sites. After a grant, a planned risk that is
// known is kept: another resource in the same apply may still change the
// sites it depends on, and the next refresh reads them again.
func (r *contentAccessResource) fromACL(a *contentAssessor, acl iis.ACL, m *contentAccessModel, keepPlanned bool) diag.Diagnostics {
	var diags diag.Diagnostics
	entries := acl.Explicit(m.Identity.ValueString())
	if len(entries) == 0 && !m.Identity.IsUnknown() {
		diags.AddError("Entry not found after the grant", fmt.Sprintf("The ACL of %s holds no explicit entry for %s.", acl.Path, m.Identity.ValueString()))
		return diags
	}
	if !strings.EqualFold(iisNormalizedPath(m.Path.ValueString()), iisNormalizedPath(acl.Path)) || m.Path.IsNull() {
		m.Path = types.StringValue(acl.Path)
	}
	if len(entries) > 0 {
		m.Access = types.StringValue(entries[0].Describe())
		if !keepPlanned || m.Identity.IsUnknown() {
			m.Identity = types.StringValue(entries[0].Identity)
		}
	}
	m.ID = types.StringValue(contentAccessID(m.Path.ValueString(), m.Identity.ValueString()))
	if keepPlanned && !m.Privilege.IsUnknown() && !m.Exposure.IsUnknown() && !m.PrivilegeReason.IsUnknown() {
		return diags
	}
	identity := m.Identity.ValueString()
	c := a.grant(identity, m.Access.ValueString(), m.Path.ValueString())
	m.setRisk(identity, true, risk.ClassifyContent(c))
	return diags
}

func iisNormalizedPath(p string) string { return iis.NormalizePath(p) }

func (r *contentAccessResource) client(ctx context.Context, hostAttr types.String, diags *diag.Diagnostics) (*remote.Client, string, bool) {
	return r.data.hostClient(ctx, "iis_content_access", hostAttr, diags)
}

func (r *contentAccessResource) diagnostic(err error, verb, host string) diag.Diagnostic {
	if iis.IsNotFound(err) {
		return diag.NewAttributeErrorDiagnostic(path.Root("path"), "Directory not found",
			fmt.Sprintf("Host %s: %v\n\nCreate the directory (deploy the site's content) before granting access to it.", host, err))
	}
	return remoteDiagnostic(err, r.data.settings.Username, "content access "+verb, host)
}
