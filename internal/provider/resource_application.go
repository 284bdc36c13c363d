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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

var (
	_ resource.Resource                = (*applicationResource)(nil)
	_ resource.ResourceWithConfigure   = (*applicationResource)(nil)
	_ resource.ResourceWithImportState = (*applicationResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*applicationResource)(nil)
)

func newApplicationResource() resource.Resource { return &applicationResource{} }

// applicationResource manages one application below a site.
type applicationResource struct {
	data *providerData
}

// applicationModel is iis_application's plan and state.
type applicationModel struct {
	ID              types.String `tfsdk:"id"`
	Host            types.String `tfsdk:"host"`
	Site            types.String `tfsdk:"site"`
	Path            types.String `tfsdk:"path"`
	PhysicalPath    types.String `tfsdk:"physical_path"`
	ApplicationPool types.String `tfsdk:"application_pool"`
	Identities      types.List   `tfsdk:"identities"`
}

func (r *applicationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application"
}

func (r *applicationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages an application below an IIS site (`New-WebApplication`, `Set-ItemProperty IIS:\\Sites\\<site>\\<path>`): " +
			"its physical path and the application pool it runs in. Creating it in, or moving it to, a pool whose account other sites or " +
			"applications already run as makes the plan warn that the boundary between them is gone.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`site/path`, such as `shop/api`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: "Host the application lives on. Defaults to the provider's `host`. Changing it replaces the application.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"site": schema.StringAttribute{
				MarkdownDescription: "Name of the site the application belongs to. Changing it replaces the application.",
				Required:            true,
				Validators:          []validator.String{siteNameValidator()},
				PlanModifiers:       []planmodifier.String{keepCaseOf{}, stringplanmodifier.RequiresReplace()},
			},
			"path": schema.StringAttribute{
				MarkdownDescription: "Application path below the site, starting with `/`: `/api`, `/shop/admin`. Not `/`, which is the site's root application " +
					"(manage it with `iis_website`). Compared without regard to case. Changing it replaces the application.",
				Required:      true,
				Validators:    []validator.String{appPathValidator()},
				PlanModifiers: []planmodifier.String{keepCaseOf{}, stringplanmodifier.RequiresReplace()},
			},
			"physical_path": schema.StringAttribute{
				MarkdownDescription: "Directory the application serves, such as `D:\\sites\\shop\\api`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"application_pool": schema.StringAttribute{
				MarkdownDescription: "Pool the application runs in. Left unset, the host's `applicationDefaults` pool (`DefaultAppPool` on a stock host), not the site's.",
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"identities": schema.ListAttribute{
				MarkdownDescription: "Accounts that can run code in the application: its pool's identity, and the account anonymous requests run as there. " +
					"Known at plan time when the pool and the site exist on the host.",
				ElementType: types.StringType,
				Computed:    true,
			},
		},
	}
}

func (r *applicationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	configureData(&r.data, req.ProviderData, &resp.Diagnostics)
}

func (r *applicationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan applicationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	app, err := iis.CreateApplication(ctx, client, plan.settings())
	if err != nil {
		if iis.IsAlreadyExists(err) {
			id := plan.Site.ValueString() + iis.CleanAppPath(plan.Path.ValueString())
			resp.Diagnostics.AddAttributeError(path.Root("path"), "Application already exists",
				fmt.Sprintf("Host %s already has an application at %s. The provider does not take over existing applications silently: "+
					"import it (terraform import <address> %q, or an import block) to manage it.", host, id, id))
			return
		}
		resp.Diagnostics.Append(r.diagnostic(err, "create", host))
		return
	}
	plan.fromHost(app, true)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *applicationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state applicationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	app, err := iis.GetApplication(ctx, client, state.Site.ValueString(), state.Path.ValueString())
	if iis.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "read", host))
		return
	}
	state.fromHost(app, false)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *applicationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan applicationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	app, err := iis.UpdateApplication(ctx, client, plan.settings())
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "update", host))
		return
	}
	plan.fromHost(app, true)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *applicationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state applicationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	err := iis.DeleteApplication(ctx, client, state.Site.ValueString(), state.Path.ValueString())
	if err != nil && !iis.IsNotFound(err) {
		resp.Diagnostics.Append(r.diagnostic(err, "delete", host))
	}
}

// ImportState takes `site/path` ("shop/api"), or `host|site/path` for an
// application on another host than the provider's: site names cannot
// contain '/' or '|', so both split unambiguously.
func (r *applicationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, rest, hasHost := strings.Cut(req.ID, "|")
	if !hasHost {
		host, rest = "", req.ID
	}
	site, p, ok := strings.Cut(rest, "/")
	if !ok || site == "" || strings.Trim(p, "/") == "" || (hasHost && host == "") {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import ID %q is not one of the accepted forms: site/path (\"shop/api\"), or host|site/path (\"web01.example.com|shop/api\").", req.ID))
		return
	}
	p = iis.CleanAppPath(p)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("site"), site)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("path"), p)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), site+p)...)
	if host != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), host)...)
	}
}

// ModifyPlan makes identities known when the pool exists, and warns when
// creating the application or moving it to another pool makes it run as
// an account that other sites or applications already run as.
func (r *applicationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan applicationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var prior *applicationModel
	if !req.State.Raw.IsNull() {
		prior = &applicationModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil || len(r.data.unknown) > 0 || plan.Host.IsUnknown() || plan.Site.IsUnknown() || plan.Path.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("identities"), types.ListUnknown(types.StringType))...)
		return
	}
	ctx = r.data.logContext(ctx)
	client, _, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	planApplication(ctx, client, plan, prior, resp)
}

// planApplication is ModifyPlan's work once the host is known.
func planApplication(ctx context.Context, c iis.Caller, plan applicationModel, prior *applicationModel, resp *resource.ModifyPlanResponse) {
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
	view, err := loadSiteView(ctx, c)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the host's sites", fmt.Sprintf("Planning application %s: %v", plan.location(), err))
		return
	}
	account, pool, found := view.poolAccount(plan.ApplicationPool.ValueString())
	if !found {
		return
	}
	self := func(a iis.Application) bool { return strings.EqualFold(a.Location(), plan.location()) }
	if site, ok := view.sites.Find(plan.Site.ValueString()); ok {
		// An existing application has its own anonymous settings; a new
		// one inherits its site's root.
		var anon iis.Application
		for _, a := range site.Applications {
			if self(a) || (a.Path == "/" && anon.Site == "") {
				anon = a
			}
		}
		identities = stringList(appendAccount([]string{account}, rootAnonymous(anon, account)))
	}
	// Otherwise the site is created by this apply: who anonymous requests
	// run as there is known once it exists, and a value planned now would
	// differ from the plan Terraform makes again just before the create.
	if prior != nil && strings.EqualFold(prior.ApplicationPool.ValueString(), pool) {
		return
	}
	if summary, detail, ok := boundaryWarning(fmt.Sprintf("application %q", plan.location()), pool, account, []string{account}, view.runners(self)); ok {
		resp.Diagnostics.AddAttributeWarning(path.Root("application_pool"), summary, detail)
	}
}

// sameSettings reports whether m and o write the same application: every
// attribute but the computed identities is equal.
func (m applicationModel) sameSettings(o applicationModel) bool {
	return m.Host.Equal(o.Host) && m.Site.Equal(o.Site) && m.Path.Equal(o.Path) &&
		m.PhysicalPath.Equal(o.PhysicalPath) && m.ApplicationPool.Equal(o.ApplicationPool)
}

func (m applicationModel) location() string {
	return m.Site.ValueString() + iis.CleanAppPath(m.Path.ValueString())
}

func (m applicationModel) settings() iis.ApplicationSettings {
	s := iis.ApplicationSettings{Site: m.Site.ValueString(), Path: m.Path.ValueString(), PhysicalPath: knownString(m.PhysicalPath)}
	if !m.ApplicationPool.IsNull() && !m.ApplicationPool.IsUnknown() {
		s.ApplicationPool = knownString(m.ApplicationPool)
	}
	return s
}

// fromHost sets what the host decides; see websiteModel.fromHost for why
// a planned identities value is kept.
func (m *applicationModel) fromHost(a iis.Application, keepIdentities bool) {
	m.Site, m.Path = types.StringValue(a.Site), types.StringValue(a.Path)
	m.ID = types.StringValue(a.Location())
	if !strings.EqualFold(m.PhysicalPath.ValueString(), a.PhysicalPath) || m.PhysicalPath.IsUnknown() {
		m.PhysicalPath = types.StringValue(a.PhysicalPath)
	}
	if !strings.EqualFold(m.ApplicationPool.ValueString(), a.ApplicationPool) || m.ApplicationPool.IsUnknown() || m.ApplicationPool.IsNull() {
		m.ApplicationPool = types.StringValue(a.ApplicationPool)
	}
	if !keepIdentities || m.Identities.IsUnknown() || m.Identities.IsNull() {
		m.Identities = stringList(a.Identities())
	}
}

func (r *applicationResource) client(ctx context.Context, hostAttr types.String, diags *diag.Diagnostics) (*remote.Client, string, bool) {
	return r.data.hostClient(ctx, "iis_application", hostAttr, diags)
}

func (r *applicationResource) diagnostic(err error, verb, host string) diag.Diagnostic {
	return remoteDiagnostic(err, r.data.settings.Username, "application "+verb, host)
}

// appPathValidator holds a path to the form IIS keys applications by.
func appPathValidator() validator.String {
	return stringCheck{
		summary: "Invalid application path",
		desc:    `an application path such as "/api": starting with "/", not "/" alone, without a trailing "/"`,
		check: func(s string) error {
			switch {
			case !strings.HasPrefix(s, "/") || s == "/" || strings.HasSuffix(s, "/") || strings.Contains(s, "//"):
				return fmt.Errorf("path %q must start with \"/\", name an application below the site's root (not \"/\" alone) and not end with \"/\", as in \"/api\"", s)
			case strings.ContainsAny(s, `\?;:@&=+$,|"<>*`):
				return fmt.Errorf("path %q contains a character IIS refuses in application paths", s)
			}
			return nil
		},
	}
}
