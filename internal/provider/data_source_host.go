package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

var (
	_ datasource.DataSource              = (*hostDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*hostDataSource)(nil)
)

func newHostDataSource() datasource.DataSource { return &hostDataSource{} }

// hostDataSource reads what a Windows host is: its name, OS, IIS and
// PowerShell versions and domain membership. It is the cheapest way to check
// that the provider can reach and log on to a host.
type hostDataSource struct {
	data *providerData
}

type hostDataSourceModel struct {
	Host         types.String `tfsdk:"host"`
	ComputerName types.String `tfsdk:"computer_name"`
	OSCaption    types.String `tfsdk:"os_caption"`
	OSVersion    types.String `tfsdk:"os_version"`
	IISVersion   types.String `tfsdk:"iis_version"`
	PSVersion    types.String `tfsdk:"ps_version"`
	Domain       types.String `tfsdk:"domain"`
	DomainJoined types.Bool   `tfsdk:"domain_joined"`
}

func (d *hostDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_host"
}

func (d *hostDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads what a Windows host is: computer name, Windows and IIS versions, PowerShell version and domain membership. Useful to check connectivity and credentials, and to gate configuration on the IIS version.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{
				MarkdownDescription: "Host to read. Defaults to the provider's `host`.",
				Optional:            true,
				Computed:            true,
			},
			"computer_name": schema.StringAttribute{
				MarkdownDescription: "NetBIOS computer name, such as `WEB01`.",
				Computed:            true,
			},
			"os_caption": schema.StringAttribute{
				MarkdownDescription: "Windows edition, such as `Microsoft Windows Server 2022 Datacenter`.",
				Computed:            true,
			},
			"os_version": schema.StringAttribute{
				MarkdownDescription: "Windows version, such as `10.0.20348`.",
				Computed:            true,
			},
			"iis_version": schema.StringAttribute{
				MarkdownDescription: "IIS version, such as `10.0`; empty when IIS is not installed.",
				Computed:            true,
			},
			"ps_version": schema.StringAttribute{
				MarkdownDescription: "Windows PowerShell version the agent runs in, such as `5.1.20348.2849`.",
				Computed:            true,
			},
			"domain": schema.StringAttribute{
				MarkdownDescription: "DNS domain of the host, or the workgroup name when it is not joined to a domain.",
				Computed:            true,
			},
			"domain_joined": schema.BoolAttribute{
				MarkdownDescription: "Whether the host is joined to an Active Directory domain.",
				Computed:            true,
			},
		},
	}
}

func (d *hostDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	configureData(&d.data, req.ProviderData, &resp.Diagnostics)
}

func (d *hostDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "The iis provider was not configured before reading data.iis_host.")
		return
	}
	ctx = d.data.logContext(ctx)
	var m hostDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host := d.data.hostFor(m.Host.ValueString())
	client, diags := d.data.clientFor(ctx, host)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var info hostapi.HostInfo
	if err := client.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil {
		resp.Diagnostics.Append(remoteDiagnostic(err, d.data.settings.Username, hostapi.OpHostInfo, host))
		return
	}
	m.Host = types.StringValue(host)
	m.ComputerName = types.StringValue(info.ComputerName)
	m.OSCaption = types.StringValue(info.OSCaption)
	m.OSVersion = types.StringValue(info.OSVersion)
	m.IISVersion = types.StringValue(info.IISVersion)
	m.PSVersion = types.StringValue(info.PSVersion)
	m.Domain = types.StringValue(info.Domain)
	m.DomainJoined = types.BoolValue(info.DomainJoined)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
