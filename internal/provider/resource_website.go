package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

var (
	_ resource.Resource                   = (*websiteResource)(nil)
	_ resource.ResourceWithConfigure      = (*websiteResource)(nil)
	_ resource.ResourceWithImportState    = (*websiteResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*websiteResource)(nil)
	_ resource.ResourceWithValidateConfig = (*websiteResource)(nil)
)

func newWebsiteResource() resource.Resource { return &websiteResource{} }

// websiteResource manages one IIS site: its root directory, bindings, pool
// and whether it runs.
type websiteResource struct {
	data *providerData
}

func (r *websiteResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_website"
}

func (r *websiteResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages an IIS site (`New-Website`, `New-WebBinding`, `Set-ItemProperty IIS:\\Sites\\<name>`): its physical path, bindings " +
			"(https ones with the certificate HTTP.sys serves), the application pool of its root application, and whether it runs. " +
			"A site that already exists, the stock `Default Web Site` among them, is managed by importing it.\n\n" +
			"`identities` lists the accounts that can run code in the site, known at plan time when the pool exists. " +
			"When creating the site or changing its pool makes it run code as an account another site or application already runs as " +
			"(a shared pool, or anonymous requests as one account, such as the stock `IUSR`), the plan warns that the boundary between them is gone, " +
			"names them and says how to separate them.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The site's name.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: "Host the site lives on. Defaults to the provider's `host`. Changing it creates the site on the new host and deletes it from the old one.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Site name, none of `" + iis.InvalidSiteNameChars + "`. Compared without regard to case, as IIS does. Changing it replaces the site.",
				Required:            true,
				Validators:          []validator.String{siteNameValidator()},
				PlanModifiers:       []planmodifier.String{keepCaseOf{}, stringplanmodifier.RequiresReplace()},
			},
			"physical_path": schema.StringAttribute{
				MarkdownDescription: "Directory the root application serves, such as `D:\\sites\\shop` or `%SystemDrive%\\inetpub\\wwwroot`. " +
					"IIS does not check that it exists; grant its identities access with `iis_content_access`.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"application_pool": schema.StringAttribute{
				MarkdownDescription: "Pool of the site's root application. Left unset, the host's `applicationDefaults` pool (`DefaultAppPool` on a stock host), " +
					"which every site left unset shares: set a pool of the site's own.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"bindings": schema.ListNestedAttribute{
				MarkdownDescription: "Where the site answers, in order. They replace the site's bindings as a whole.",
				Required:            true,
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"protocol": schema.StringAttribute{
						MarkdownDescription: "`http` or `https`.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.OneOf("http", "https")},
					},
					"ip_address": schema.StringAttribute{
						MarkdownDescription: "Address to answer on: `*` (default, every address not bound otherwise) or one IPv4 or IPv6 address.",
						Optional:            true, Computed: true, Default: stringdefault.StaticString("*"),
					},
					"port": schema.Int64Attribute{
						MarkdownDescription: "TCP port, 1 to 65535.",
						Required:            true,
					},
					"host_name": schema.StringAttribute{
						MarkdownDescription: "Host header to answer (`shop.example.com`, `*.example.com`); `\"\"` (default) answers any. An https binding with a host name uses SNI.",
						Optional:            true, Computed: true, Default: stringdefault.StaticString(""),
					},
					"certificate_thumbprint": schema.StringAttribute{
						MarkdownDescription: "https only, and required there: the SHA-1 thumbprint (40 hex digits) of a certificate in `Cert:\\LocalMachine\\<certificate_store>`.",
						Optional:            true,
					},
					"certificate_store": schema.StringAttribute{
						MarkdownDescription: "https only, and required there: `My` (Personal) or `WebHosting`.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.OneOf(hostapi.CertificateStores...)},
					},
				}},
			},
			"state": schema.StringAttribute{
				MarkdownDescription: "`Started` (default) or `Stopped`. A site cannot start while another started site answers one of its bindings; the plan says which.",
				Optional:            true, Computed: true, Default: stringdefault.StaticString("Started"),
				Validators: []validator.String{stringvalidator.OneOf("Started", "Stopped")},
			},
			"site_id": schema.Int64Attribute{
				MarkdownDescription: "The id IIS gave the site (the `W3SVC<id>` of its log folder).",
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"identities": schema.ListAttribute{
				MarkdownDescription: "Accounts that can run code in the site: the identity of each application's pool (the worker process), " +
					"and the account anonymous requests run as where anonymous authentication is on (`NT AUTHORITY\\IUSR`, or the pool's identity). " +
					"Known at plan time when the pool exists on the host; another resource changing anonymous authentication in the same apply shows on the next refresh.",
				ElementType: types.StringType,
				Computed:    true,
			},
		},
	}
}

func (r *websiteResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	configureData(&r.data, req.ProviderData, &resp.Diagnostics)
}

func (r *websiteResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan websiteModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	settings, diags := plan.settings(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	site, err := iis.CreateSite(ctx, client, settings)
	if err != nil {
		if iis.IsAlreadyExists(err) {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Site already exists",
				fmt.Sprintf("Host %s already has a site named %q. The provider does not take over existing sites silently: "+
					"import it (terraform import <address> %q, or an import block) to manage it, or choose another name.",
					host, settings.Name, settings.Name))
			return
		}
		resp.Diagnostics.Append(r.diagnostic(err, "create", host))
		return
	}
	resp.Diagnostics.Append(plan.fromHost(ctx, site, true)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *websiteResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state websiteModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	site, err := iis.GetSite(ctx, client, state.Name.ValueString())
	if iis.IsNotFound(err) {
		// Deleted outside Terraform: the next plan creates it again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "read", host))
		return
	}
	resp.Diagnostics.Append(state.fromHost(ctx, site, false)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *websiteResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan websiteModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	settings, diags := plan.settings(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	site, err := iis.UpdateSite(ctx, client, settings)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "update", host))
		return
	}
	resp.Diagnostics.Append(plan.fromHost(ctx, site, true)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *websiteResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state websiteModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	if err := iis.DeleteSite(ctx, client, state.Name.ValueString()); err != nil && !iis.IsNotFound(err) {
		resp.Diagnostics.Append(r.diagnostic(err, "delete", host))
	}
}

// ImportState takes `name`, or `host/name` for a site on another host than
// the provider's. Site names cannot contain "/".
func (r *websiteResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, name := splitHostID(req.ID)
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, iis.InvalidSiteNameChars) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import ID %q is not one of the accepted forms: the site's name (\"Default Web Site\"), or host/name (\"web01.example.com/Default Web Site\").", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	if host != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), host)...)
	}
}

func (r *websiteResource) client(ctx context.Context, hostAttr types.String, diags *diag.Diagnostics) (*remote.Client, string, bool) {
	return r.data.hostClient(ctx, "iis_website", hostAttr, diags)
}

func (r *websiteResource) diagnostic(err error, verb, host string) diag.Diagnostic {
	if iis.IsConflict(err) {
		if re, ok := asRemoteError(err); ok {
			return diag.NewAttributeErrorDiagnostic(path.Root("bindings"), "Binding already in use",
				fmt.Sprintf("Host %s: %s\n\nChange the binding (another host name or port), or stop the other site.", host, re.Message))
		}
	}
	return remoteDiagnostic(err, r.data.settings.Username, "site "+verb, host)
}

// siteNameValidator refuses what IIS refuses in site names.
func siteNameValidator() validator.String {
	return stringCheck{
		summary: "Invalid site name",
		desc:    "a site name without any of " + iis.InvalidSiteNameChars,
		check: func(s string) error {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("a site name cannot be empty")
			}
			if strings.ContainsAny(s, iis.InvalidSiteNameChars) {
				return fmt.Errorf("site name %q contains a character IIS refuses (any of %s)", s, iis.InvalidSiteNameChars)
			}
			return nil
		},
	}
}

// keepCaseOf plans the state's value when the configuration says the same
// name in another case: IIS compares names without regard to case, so
// "default web site" is the stock site, not a new one to replace it with.
type keepCaseOf struct{}

func (keepCaseOf) Description(context.Context) string {
	return "compared without regard to case"
}

func (m keepCaseOf) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (keepCaseOf) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsUnknown() || req.PlanValue.IsNull() {
		return
	}
	if strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
