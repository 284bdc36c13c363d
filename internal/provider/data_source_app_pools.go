package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

var (
	_ datasource.DataSource              = (*appPoolsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*appPoolsDataSource)(nil)
)

func newAppPoolsDataSource() datasource.DataSource { return &appPoolsDataSource{} }

// appPoolsDataSource lists every application pool with who it runs as and
// how much that account can do: the audit view of a host, managed by this
// configuration or not.
type appPoolsDataSource struct {
	data *providerData
}

type appPoolsDataSourceModel struct {
	Host         types.String       `tfsdk:"host"`
	MinPrivilege types.String       `tfsdk:"min_privilege"`
	Pools        []appPoolDataModel `tfsdk:"pools"`
}

type appPoolDataModel struct {
	Name                  string   `tfsdk:"name"`
	State                 string   `tfsdk:"state"`
	ManagedRuntimeVersion string   `tfsdk:"managed_runtime_version"`
	PipelineMode          string   `tfsdk:"pipeline_mode"`
	IdentityType          string   `tfsdk:"identity_type"`
	Username              string   `tfsdk:"username"`
	Account               string   `tfsdk:"account"`
	Privilege             string   `tfsdk:"privilege"`
	PrivilegeReason       string   `tfsdk:"privilege_reason"`
	Applications          []string `tfsdk:"applications"`
	AnonymousApplications []string `tfsdk:"anonymous_applications"`
}

func (d *appPoolsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_app_pools"
}

func (d *appPoolsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	list := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{MarkdownDescription: desc, ElementType: types.StringType, Computed: true}
	}
	var levels []string
	for p := risk.PrivilegeLeast; p <= risk.PrivilegeFull; p++ {
		levels = append(levels, p.String())
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every application pool on the host with the account it runs as and that account's privilege, " +
			"to audit which code runs with which rights, whether a configuration manages the pool or not. " +
			"A `SpecificUser` pool's privilege follows the account's groups on the host, as `iis_app_pool_identity` judges it.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{
				MarkdownDescription: "Host to read. Defaults to the provider's `host`.",
				Optional:            true,
				Computed:            true,
			},
			"min_privilege": schema.StringAttribute{
				MarkdownDescription: "Only pools at least this privileged: `least` (every pool), `low`, `medium`, `high` or `full`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(levels...)},
			},
			"pools": schema.ListNestedAttribute{
				MarkdownDescription: "The pools, in configuration order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":                    str("Pool name."),
					"state":                   str("Runtime state: `Started`, `Stopped`, `Starting` or `Stopping`."),
					"managed_runtime_version": str("CLR version, `\"\"` for No Managed Code."),
					"pipeline_mode":           str("`Integrated` or `Classic`."),
					"identity_type":           str("`ApplicationPoolIdentity`, `LocalService`, `NetworkService`, `SpecificUser` or `LocalSystem`."),
					"username":                str("The user of a `SpecificUser` pool, else empty. Passwords are never read."),
					"account":                 str("The Windows account the worker process runs as."),
					"privilege":               str("`least`, `low`, `medium`, `high` or `full`."),
					"privilege_reason":        str("One line saying why."),
					"applications":            list("Applications that run in the pool, as `Site/path` (`Default Web Site/` for a site's root)."),
					"anonymous_applications":  list("Those of `applications` whose anonymous requests run as the pool's identity (anonymous authentication with the pool identity)."),
				}},
			},
		},
	}
}

func (d *appPoolsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	configureData(&d.data, req.ProviderData, &resp.Diagnostics)
}

func (d *appPoolsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "The iis provider was not configured before reading iis_app_pools.")
		return
	}
	ctx = d.data.logContext(ctx)
	var cfg appPoolsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := d.data.hostFor(cfg.Host.ValueString())
	client, diags := d.data.clientFor(ctx, host)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	floor := risk.PrivilegeLeast
	if !cfg.MinPrivilege.IsNull() {
		floor, _ = risk.ParsePrivilege(cfg.MinPrivilege.ValueString())
	}
	list, err := iis.ListAppPools(ctx, client)
	if err != nil {
		resp.Diagnostics.Append(remoteDiagnostic(err, d.data.settings.Username, "list application pools", host))
		return
	}
	// Each specific user is resolved once, however many pools share it.
	verdicts := map[string]poolVerdict{}
	out := appPoolsDataSourceModel{Host: types.StringValue(host), MinPrivilege: cfg.MinPrivilege, Pools: []appPoolDataModel{}}
	for _, p := range list.Pools {
		key := p.Identity.Type + "\x00" + p.Identity.UserName
		v, seen := verdicts[key]
		if !seen || !needsHost(p.Identity.Type) {
			v, err = classifyPoolIdentity(ctx, client, list.ComputerName, p.Name, p.Identity.Type, p.Identity.UserName)
			if err != nil {
				resp.Diagnostics.Append(remoteDiagnostic(err, d.data.settings.Username, "resolve account", host))
				return
			}
			verdicts[key] = v
		}
		if v.Level < floor {
			continue
		}
		m := appPoolDataModel{
			Name: p.Name, State: p.State, ManagedRuntimeVersion: p.ManagedRuntimeVersion, PipelineMode: p.PipelineMode,
			IdentityType: p.Identity.Type, Account: v.Account, Privilege: v.Level.String(), PrivilegeReason: v.Reason,
			Applications: []string{}, AnonymousApplications: []string{},
		}
		if needsHost(p.Identity.Type) {
			m.Username = p.Identity.UserName
		}
		for _, a := range p.Applications {
			m.Applications = append(m.Applications, a.String())
			if a.AnonymousUsesPoolIdentity {
				m.AnonymousApplications = append(m.AnonymousApplications, a.String())
			}
		}
		out.Pools = append(out.Pools, m)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
}
