package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/firewall"
	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

var (
	_ resource.Resource                   = (*firewallRuleResource)(nil)
	_ resource.ResourceWithConfigure      = (*firewallRuleResource)(nil)
	_ resource.ResourceWithImportState    = (*firewallRuleResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*firewallRuleResource)(nil)
	_ resource.ResourceWithValidateConfig = (*firewallRuleResource)(nil)
)

func newFirewallRuleResource() resource.Resource { return &firewallRuleResource{} }

// firewallRuleResource manages one Windows Defender Firewall rule in the
// host's PersistentStore, keyed by its unique name (never by the display
// name, which Windows does not keep unique).
type firewallRuleResource struct {
	data *providerData
}

func (r *firewallRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_firewall_rule"
}

// anySet is the default of every list attribute: Windows reads an unset
// filter as Any.
func anySet() defaults.Set {
	return setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{types.StringValue(fwrule.Any)}))
}

func (r *firewallRuleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	listAttr := func(kind fwValueKind, desc string) schema.SetAttribute {
		return schema.SetAttribute{
			MarkdownDescription: desc + " Defaults to `[\"Any\"]`; `Any` must stand alone. " +
				"Values are compared as Windows reads them back, so the host's spelling and order never cause a diff.",
			ElementType: types.StringType,
			CustomType:  newFWSetType(kind),
			Optional:    true,
			Computed:    true,
			Default:     anySet(),
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages one Windows Defender Firewall rule on the host (PersistentStore), keyed by its unique `name`. " +
			"Every plan shows the rule's `exposure` and why, and warns when a change widens it. " +
			"Invalid combinations (ports without TCP or UDP, port keywords on the wrong protocol, `Any` mixed with other values, " +
			"edge traversal on outbound rules, ...) fail at plan time with the rule Windows would apply.",
		Attributes: map[string]schema.Attribute{
			"timeouts": timeoutsAttribute(ctx),
			"id": schema.StringAttribute{
				MarkdownDescription: "The rule's `name`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: "Host the rule lives on. Defaults to the provider's `host`. Changing it creates the rule on the new host and deletes it from the old one.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Unique rule ID (`New-NetFirewallRule -Name`), 1 to 10000 characters. Unlike the display name, Windows keeps it unique in the store, " +
					"so it is what the provider finds the rule by. Wildcard characters are taken literally. Changing it replaces the rule.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "Name shown in Windows Defender Firewall. Not unique; must not be `All` or contain `|`.",
				Required:            true,
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free text; must not contain `|`. Defaults to empty.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
			},
			"group": schema.StringAttribute{
				MarkdownDescription: "Rule group. Windows sets it only when a rule is created, so changing it replaces the rule. Defaults to none (empty).",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the rule is in force. Defaults to `true`. A disabled rule has exposure `none`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"direction": schema.StringAttribute{
				MarkdownDescription: "`Inbound` (default) or `Outbound`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(fwrule.Inbound),
				Validators:          []validator.String{stringvalidator.OneOf(fwrule.Inbound, fwrule.Outbound)},
			},
			"action": schema.StringAttribute{
				MarkdownDescription: "`Allow` (default), `Block` or `NotConfigured`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(fwrule.Allow),
				Validators:          []validator.String{stringvalidator.OneOf(fwrule.Allow, fwrule.Block, fwrule.NotConfigured)},
			},
			"protocol": schema.StringAttribute{
				MarkdownDescription: "`TCP`, `UDP`, `ICMPv4`, `ICMPv6`, `Any` (default) or a protocol number 0-255. Names and numbers are the same protocol (`6` is `TCP`).",
				CustomType:          fwStringType{kind: fwProtocol},
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(fwrule.Any),
			},
			"local_ports":     listAttr(fwLocalPorts, "Local ports: numbers (`443`), ranges (`5000-5020`) or the keywords `RPC`, `RPCEPMap` (TCP), `IPHTTPSIn`, `IPHTTPSOut` (TCP), `Teredo`, `PlayToDiscovery` (UDP). Needs protocol TCP or UDP."),
			"remote_ports":    listAttr(fwRemotePorts, "Remote ports: numbers, ranges or the keywords `RPC`, `RPC-EPMap`, `IPHTTPS` (all TCP). Needs protocol TCP or UDP."),
			"local_addresses": listAttr(fwLocalAddresses, "Local addresses: IPv4/IPv6 addresses, subnets (`10.1.2.0/24` or `10.1.2.0/255.255.255.0`) and ranges (`10.1.2.3-10.1.2.9`)."),
			"remote_addresses": listAttr(fwRemoteAddresses, "Remote addresses: as `local_addresses`, plus the keywords `LocalSubnet`, `DNS`, `DHCP`, `WINS`, `DefaultGateway`, `Internet`, `Intranet`, `IntranetRemoteAccess`, `PlayToDevice`, `CaptivePortal` (append `4` or `6` for one IP version). "+
				"`10.1.2.3/8` and Windows' read-back `10.0.0.0/255.0.0.0` are the same value."),
			"icmp_types": listAttr(fwIcmpTypes, "ICMP types (`8`) and type:code pairs (`3:4`). Needs protocol ICMPv4 or ICMPv6."),
			"profiles":   listAttr(fwProfiles, "Network profiles the rule applies on: `Any`, or any of `Domain`, `Private`, `Public`."),
			"program": schema.StringAttribute{
				MarkdownDescription: "Full path of the program the rule applies to, or `Any` (default).",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(fwrule.Any),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"service": schema.StringAttribute{
				MarkdownDescription: "Short name of the service the rule applies to (`W3SVC`), or `Any` (default).",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(fwrule.Any),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"interface_types": listAttr(fwInterfaceTypes, "Interface types: `Any`, or any of `Wired`, `Wireless`, `RemoteAccess`."),
			"edge_traversal": schema.StringAttribute{
				MarkdownDescription: "Edge traversal policy, inbound rules only: `Block` (default), `Allow`, `DeferToUser` (needs `program` and TCP or UDP) or `DeferToApp`. " +
					"Anything but `Block` admits unsolicited traffic through NAT and Teredo, which is exposure `critical`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(fwrule.Block),
				Validators: []validator.String{stringvalidator.OneOf(fwrule.Block, fwrule.Allow, fwrule.DeferToUser, fwrule.DeferToApp)},
			},
			"exposure": schema.StringAttribute{
				MarkdownDescription: "How far the rule opens the host, known at plan time: `none`, `low`, `medium`, `high`, `critical` for inbound rules; " +
					"outbound allow rules are scored on their own scale, `egress-low` or `egress`. A plan that raises it carries a warning.",
				Computed: true,
			},
			"accept_exposure": acceptAttribute("exposure", "max_exposure", exposureNames()),
			"exposure_reason": schema.StringAttribute{
				MarkdownDescription: "One line saying why, such as `inbound UDP 1024-65535 from Any on all profiles: 64512 ports reachable from the internet`.",
				Computed:            true,
			},
		},
	}
}

func (r *firewallRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	configureData(&r.data, req.ProviderData, &resp.Diagnostics)
}

func (r *firewallRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer keepAcceptance(ctx, "accept_exposure", req.Plan, &resp.State, &resp.Diagnostics)
	ctx = r.data.logContext(ctx)
	var plan firewallRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	spec, _ := plan.ruleSpec()
	rule, err := r.data.firewallRules.Create(ctx, client, spec)
	if err != nil {
		if firewall.IsAlreadyExists(err) {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Firewall rule already exists",
				fmt.Sprintf("Host %s already has a firewall rule named %q. The provider does not take over existing rules silently: "+
					"import it (terraform import <address> %s, or an import block) to manage it, or choose another name.", host, spec.Name, spec.Name))
			return
		}
		resp.Diagnostics.Append(r.diagnostic(err, "create", host))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, withRuleTimeouts(firewallRuleState(rule, plan.Host), plan.Timeouts))...)
}

func (r *firewallRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer keepAcceptance(ctx, "accept_exposure", req.State, &resp.State, &resp.Diagnostics)
	ctx = r.data.logContext(ctx)
	var state firewallRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	// Served from the host's snapshot when the provider shares reads: a
	// refresh of many rules costs the host one bulk read, not one read of
	// the whole store per rule.
	rule, err := r.data.firewallRules.Get(ctx, client, state.Name.ValueString())
	if firewall.IsNotFound(err) {
		// Deleted outside Terraform: the next plan creates it again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "read", host))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, withRuleTimeouts(firewallRuleState(rule, state.Host), state.Timeouts))...)
}

func (r *firewallRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer keepAcceptance(ctx, "accept_exposure", req.Plan, &resp.State, &resp.Diagnostics)
	ctx = r.data.logContext(ctx)
	var plan, state firewallRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	spec, _ := plan.ruleSpec()
	prior, _ := state.ruleSpec()
	if sameRule(spec, prior) {
		// Only the spelling changed (after an import, say): the host
		// already holds exactly this rule, so it is not touched.
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	rule, err := r.data.firewallRules.Update(ctx, client, spec)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "update", host))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, withRuleTimeouts(firewallRuleState(rule, plan.Host), plan.Timeouts))...)
}

func (r *firewallRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state firewallRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	err := r.data.firewallRules.Delete(ctx, client, state.Name.ValueString())
	if err != nil && !firewall.IsNotFound(err) {
		resp.Diagnostics.Append(r.diagnostic(err, "delete", host))
	}
}

// ImportState takes `name`, or `host/name` for a rule on another host than
// the provider's. Host names cannot contain "/", so the first "/" splits;
// a rule whose name contains "/" is imported as `/name` (provider's host)
// or `host/name`.
func (r *firewallRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, name, hasHost := strings.Cut(req.ID, "/")
	if !hasHost {
		host, name = "", req.ID
	}
	if strings.TrimSpace(name) == "" {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import ID %q names no rule. Accepted: the rule's name (its ID, as in Get-NetFirewallRule -Name), or host/name.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	if host != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), host)...)
	}
}

// ModifyPlan makes exposure and exposure_reason known in the plan, so the
// diff shows `exposure: "low" -> "critical"`, and warns when a change
// widens the rule's exposure.
func (r *firewallRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer guardExposure(ctx, r.data, "firewall rule", "name", resp)
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing is opened
	}
	var plan firewallRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *firewallRuleModel
	if !req.State.Raw.IsNull() {
		prior = &firewallRuleModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	planExposure(ctx, plan, prior, resp)
}

func (r *firewallRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config firewallRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateRuleConfig(config)...)
}

// client returns the connection for the rule's host and the host's name for
// messages; ok is false when diags got an error.
func (r *firewallRuleResource) client(ctx context.Context, hostAttr types.String, diags *diag.Diagnostics) (*remote.Client, string, bool) {
	return r.data.hostClient(ctx, "iis_firewall_rule", hostAttr, diags)
}

func (r *firewallRuleResource) diagnostic(err error, verb, host string) diag.Diagnostic {
	return remoteDiagnostic(err, r.data.settings.Username, "firewall rule "+verb, host)
}

// withRuleTimeouts keeps the configured timeouts in a state read from the
// host, which knows nothing of them.
func withRuleTimeouts(m firewallRuleModel, t timeouts.Value) firewallRuleModel {
	m.Timeouts = t
	return m
}
