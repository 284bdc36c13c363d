package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/firewall"
	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

var (
	_ datasource.DataSource              = (*firewallRulesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*firewallRulesDataSource)(nil)
)

func newFirewallRulesDataSource() datasource.DataSource { return &firewallRulesDataSource{} }

// firewallRulesDataSource lists a host's firewall rules with their
// exposure, so a team can audit what is open and find rules no
// configuration manages. It reads every rule with one bulk read per filter
// kind on the host, whatever the number of rules.
type firewallRulesDataSource struct {
	data *providerData
}

type firewallRulesDataSourceModel struct {
	Host        types.String            `tfsdk:"host"`
	Group       types.String            `tfsdk:"group"`
	Direction   types.String            `tfsdk:"direction"`
	Enabled     types.Bool              `tfsdk:"enabled"`
	MinExposure types.String            `tfsdk:"min_exposure"`
	Rules       []firewallRuleDataModel `tfsdk:"rules"`
}

type firewallRuleDataModel struct {
	Name            string   `tfsdk:"name"`
	DisplayName     string   `tfsdk:"display_name"`
	Description     string   `tfsdk:"description"`
	Group           string   `tfsdk:"group"`
	DisplayGroup    string   `tfsdk:"display_group"`
	Enabled         bool     `tfsdk:"enabled"`
	Direction       string   `tfsdk:"direction"`
	Action          string   `tfsdk:"action"`
	Protocol        string   `tfsdk:"protocol"`
	LocalPorts      []string `tfsdk:"local_ports"`
	RemotePorts     []string `tfsdk:"remote_ports"`
	LocalAddresses  []string `tfsdk:"local_addresses"`
	RemoteAddresses []string `tfsdk:"remote_addresses"`
	IcmpTypes       []string `tfsdk:"icmp_types"`
	Profiles        []string `tfsdk:"profiles"`
	Program         string   `tfsdk:"program"`
	Service         string   `tfsdk:"service"`
	InterfaceTypes  []string `tfsdk:"interface_types"`
	EdgeTraversal   string   `tfsdk:"edge_traversal"`
	Exposure        string   `tfsdk:"exposure"`
	ExposureReason  string   `tfsdk:"exposure_reason"`
}

func (d *firewallRulesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_firewall_rules"
}

func (d *firewallRulesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	list := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{MarkdownDescription: desc + " In canonical form: sorted, Windows' spelling, `[\"Any\"]` when unset.",
			ElementType: types.StringType, Computed: true}
	}
	levels := []string{}
	for e := risk.ExposureNone; e <= risk.ExposureEgress; e++ {
		levels = append(levels, e.String())
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the host's firewall rules (PersistentStore), each with its exposure, to audit what is open and to find rules no configuration manages. " +
			"The host reads all rules with one bulk read per filter kind, not one query per rule.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{
				MarkdownDescription: "Host to read. Defaults to the provider's `host`.",
				Optional:            true,
				Computed:            true,
			},
			"group": schema.StringAttribute{
				MarkdownDescription: "Only rules of this group, matched exactly (case-insensitively) against the group or the group name Windows displays (`Remote Desktop`).",
				Optional:            true,
			},
			"direction": schema.StringAttribute{
				MarkdownDescription: "Only `Inbound` or only `Outbound` rules.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(fwrule.Inbound, fwrule.Outbound)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Only enabled (`true`) or only disabled (`false`) rules.",
				Optional:            true,
			},
			"min_exposure": schema.StringAttribute{
				MarkdownDescription: "Only rules at least this exposed. On the inbound scale (`none`, `low`, `medium`, `high`, `critical`) it selects inbound rules, " +
					"and `none` selects every rule; `egress-low` and `egress` select outbound allow rules on their own scale.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(levels...)},
			},
			"rules": schema.ListNestedAttribute{
				MarkdownDescription: "The matching rules, in the host's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":             str("Unique rule ID; what `iis_firewall_rule` imports by."),
					"display_name":     str("Name shown in Windows Defender Firewall (not unique)."),
					"description":      str("Description."),
					"group":            str("Group as stored (stock rules hold an indirect string such as `@FirewallAPI.dll,-28752`)."),
					"display_group":    str("Group as Windows displays it."),
					"enabled":          schema.BoolAttribute{MarkdownDescription: "Whether the rule is in force.", Computed: true},
					"direction":        str("`Inbound` or `Outbound`."),
					"action":           str("`Allow`, `Block` or `NotConfigured`."),
					"protocol":         str("`TCP`, `UDP`, `ICMPv4`, `ICMPv6`, `Any` or a protocol number."),
					"local_ports":      list("Local ports."),
					"remote_ports":     list("Remote ports."),
					"local_addresses":  list("Local addresses, IPv4 subnets as network/mask (`10.0.0.0/255.0.0.0`)."),
					"remote_addresses": list("Remote addresses, IPv4 subnets as network/mask (`10.0.0.0/255.0.0.0`)."),
					"icmp_types":       list("ICMP types."),
					"profiles":         list("Profiles."),
					"program":          str("Program path or `Any`."),
					"service":          str("Service short name or `Any`."),
					"interface_types":  list("Interface types."),
					"edge_traversal":   str("Edge traversal policy."),
					"exposure":         str("Exposure level, as `iis_firewall_rule` computes it."),
					"exposure_reason":  str("Why, in one line."),
				}},
			},
		},
	}
}

func (d *firewallRulesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	configureData(&d.data, req.ProviderData, &resp.Diagnostics)
}

func (d *firewallRulesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "The iis provider was not configured before reading data.iis_firewall_rules.")
		return
	}
	ctx = d.data.logContext(ctx)
	var m firewallRulesDataSourceModel
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
	f := firewall.Filter{Group: m.Group.ValueString(), Direction: m.Direction.ValueString()}
	if !m.Enabled.IsNull() {
		enabled := m.Enabled.ValueBool()
		f.Enabled = &enabled
	}
	floor := risk.ExposureNone
	if v := m.MinExposure.ValueString(); v != "" {
		floor, _ = risk.ParseExposure(v) // the schema's validator has checked it
	}
	rules, err := firewall.List(ctx, client, f)
	if err != nil {
		resp.Diagnostics.Append(remoteDiagnostic(err, d.data.settings.Username, "firewall rule list", host))
		return
	}
	m.Host = types.StringValue(host)
	m.Rules = []firewallRuleDataModel{}
	for _, r := range rules {
		level, reason := risk.ClassifyRule(riskRule(r.RuleSpec))
		if !atLeast(level, floor) {
			continue
		}
		m.Rules = append(m.Rules, firewallRuleDataModel{
			Name: r.Name, DisplayName: r.DisplayName, Description: r.Description,
			Group: r.Group, DisplayGroup: r.DisplayGroup, Enabled: r.Enabled,
			Direction: r.Direction, Action: r.Action, Protocol: r.Protocol,
			LocalPorts: r.LocalPorts, RemotePorts: r.RemotePorts,
			LocalAddresses: r.LocalAddresses, RemoteAddresses: r.RemoteAddresses,
			IcmpTypes: r.IcmpTypes, Profiles: r.Profiles, Program: r.Program, Service: r.Service,
			InterfaceTypes: r.InterfaceTypes, EdgeTraversal: r.EdgeTraversal,
			Exposure: level.String(), ExposureReason: reason,
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// atLeast applies min_exposure: none lets everything through; otherwise a
// rule must be on floor's scale (inbound or egress) and at or above it.
func atLeast(level, floor risk.Exposure) bool {
	switch {
	case floor == risk.ExposureNone:
		return true
	case floor.Egress():
		return level == risk.ExposureEgress || level == floor
	}
	return !level.Egress() && level >= floor
}
