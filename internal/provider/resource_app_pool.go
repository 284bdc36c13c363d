package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

var (
	_ resource.Resource                = (*appPoolResource)(nil)
	_ resource.ResourceWithConfigure   = (*appPoolResource)(nil)
	_ resource.ResourceWithImportState = (*appPoolResource)(nil)
)

func newAppPoolResource() resource.Resource { return &appPoolResource{} }

// appPoolResource manages one IIS application pool's settings. Who the pool
// runs as is iis_app_pool_identity's alone, so two resources never fight
// over the identity.
type appPoolResource struct {
	data *providerData
}

func (r *appPoolResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_app_pool"
}

func (r *appPoolResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	hostDefault := " Left unset, the pool takes the host's value (applicationPoolDefaults, then the IIS schema) and the plan shows it once known. " +
		"Removing it from the configuration later keeps the current value."
	str := func(desc string, v ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc + hostDefault, Optional: true, Computed: true, Validators: v,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
	}
	boolean := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{
			MarkdownDescription: desc + hostDefault, Optional: true, Computed: true,
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		}
	}
	count := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{
			MarkdownDescription: desc, Optional: true, Computed: true,
			Validators:    []validator.Int64{int64validator.Between(0, 4294967295)},
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages an IIS application pool: runtime, pipeline, start mode, recycling and whether it runs. " +
			"A new pool gets the host's stock defaults, as `New-WebAppPool` gives them. " +
			"Who the pool runs as is managed by `iis_app_pool_identity` only; this resource never changes the identity " +
			"(a new pool runs as `ApplicationPoolIdentity`, the stock default). " +
			"Deleting a pool that applications still run in fails, naming them, unless `force_destroy` is set.",
		Attributes: map[string]schema.Attribute{
			"timeouts": timeoutsAttribute(ctx),
			"id": schema.StringAttribute{
				MarkdownDescription: "The pool's name.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: "Host the pool lives on. Defaults to the provider's `host`. Changing it creates the pool on the new host and deletes it from the old one.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Pool name, 1 to 64 characters, none of `" + iis.InvalidPoolNameChars + "`, not starting with `.` " +
					"(`New-WebAppPool` refuses that). Changing it replaces the pool: IIS derives the virtual account " +
					"`IIS AppPool\\<name>` from it, so permissions granted to the old name would not follow a rename.",
				Required:      true,
				Validators:    []validator.String{newPoolNameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"managed_runtime_version": str("CLR version: `\"\"` for No Managed Code, `v2.0` or `v4.0` (`v1.1` on old hosts). The stock default is `v4.0`.",
				stringvalidator.OneOf(iis.RuntimeVersions()...)),
			"pipeline_mode": str("Managed pipeline mode: `Integrated` (stock default) or `Classic`.",
				stringvalidator.OneOf(iis.PipelineModes()...)),
			"start_mode": str("`OnDemand` (stock default: the worker process starts with the first request) or `AlwaysRunning`.",
				stringvalidator.OneOf(iis.StartModes()...)),
			"enable_32bit_on_win64": boolean("Run the worker process as 32-bit on 64-bit Windows. Stock default `false`."),
			"auto_start":            boolean("Start the pool when it is created and when IIS starts. Stock default `true`."),
			"load_user_profile":     boolean("Load the identity's user profile (processModel.loadUserProfile). Stock default `true`."),
			"idle_timeout": str("Idle time after which the worker process shuts down, as IIS writes a TimeSpan: `hh:mm:ss` or `d.hh:mm:ss` (hours 0-23). `00:00:00` disables it. Stock default `00:20:00`.",
				timeSpanValidator()),
			"periodic_restart": schema.SingleNestedAttribute{
				MarkdownDescription: "When IIS recycles the pool on its own (recycling.periodicRestart). Each attribute left unset keeps the host's value.",
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"time": schema.StringAttribute{
						MarkdownDescription: "Recycle after this long, as a TimeSpan (`d.hh:mm:ss`); `00:00:00` turns it off. Stock default `1.05:00:00` (29 hours).",
						Optional:            true, Computed: true,
						Validators:    []validator.String{timeSpanValidator()},
						PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
					},
					"requests":       count("Recycle after this many requests; `0` (stock default) turns it off."),
					"memory":         count("Recycle when virtual memory exceeds this many KB; `0` (stock default) turns it off."),
					"private_memory": count("Recycle when private memory exceeds this many KB; `0` (stock default) turns it off."),
					"schedule": schema.SetAttribute{
						MarkdownDescription: "Times of day to recycle at, `hh:mm:ss`. Empty (stock default) for none.",
						ElementType:         types.StringType,
						Optional:            true, Computed: true,
						Validators:    []validator.Set{setvalidator.ValueStringsAre(timeOfDayValidator())},
						PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
					},
				},
			},
			"state": str("Runtime state: `Started` or `Stopped`. A new pool starts when `auto_start` is true.",
				stringvalidator.OneOf("Started", "Stopped")),
			"force_destroy": schema.BoolAttribute{
				MarkdownDescription: "Delete the pool even while applications run in it; they then answer HTTP 503 until moved to another pool. " +
					"Defaults to `false`: destroying a pool in use fails and names the applications.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
		},
	}
}

func (r *appPoolResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	configureData(&r.data, req.ProviderData, &resp.Diagnostics)
}

func (r *appPoolResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan appPoolModel
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
	settings, diags := poolSettings(ctx, plan, nil)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	pool, err := iis.CreateAppPool(ctx, client, settings)
	if err != nil {
		if iis.IsAlreadyExists(err) {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Application pool already exists",
				fmt.Sprintf("Host %s already has an application pool named %q. The provider does not take over existing pools silently: "+
					"import it (terraform import <address> %s, or an import block) to manage it, or choose another name.",
					host, settings.Name, settings.Name))
			return
		}
		resp.Diagnostics.Append(r.diagnostic(err, "create", host))
		return
	}
	state, diags := appPoolState(pool, plan.Name, plan.Host, plan.ForceDestroy)
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *appPoolResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var prior appPoolModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, prior.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	client, host, ok := r.client(ctx, prior.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	// From the host's pool list, which every pool of the refresh shares.
	pool, err := iis.AppPoolFromList(ctx, client, prior.Name.ValueString())
	if iis.IsNotFound(err) {
		// Deleted outside Terraform: the next plan creates it again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "read", host))
		return
	}
	state, diags := appPoolState(pool, prior.Name, prior.Host, prior.ForceDestroy)
	state.Timeouts = prior.Timeouts
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *appPoolResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan, prior appPoolModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	settings, diags := poolSettings(ctx, plan, &prior)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	pool, err := iis.UpdateAppPool(ctx, client, settings)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "update", host))
		return
	}
	state, diags := appPoolState(pool, plan.Name, plan.Host, plan.ForceDestroy)
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *appPoolResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state appPoolModel
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
	name := state.Name.ValueString()
	err := iis.DeleteAppPool(ctx, client, name, state.ForceDestroy.ValueBool())
	switch {
	case err == nil, iis.IsNotFound(err):
	case iis.IsConflict(err):
		resp.Diagnostics.AddError("Application pool still in use",
			fmt.Sprintf("%s\n\nMove those applications to another pool first, or set force_destroy = true on this "+
				"iis_app_pool (and apply) to delete it anyway: they would then answer HTTP 503.", conflictMessage(err, name, host)))
	default:
		resp.Diagnostics.Append(r.diagnostic(err, "delete", host))
	}
}

// conflictMessage is the host's own refusal, which names the applications.
func conflictMessage(err error, name, host string) string {
	if re, ok := asRemoteError(err); ok {
		return fmt.Sprintf("Host %s: %s", host, re.Message)
	}
	return fmt.Sprintf("Host %s refused to delete application pool %q: %v", host, name, err)
}

// ImportState takes `name`, or `host/name` for a pool on another host than
// the provider's.
func (r *appPoolResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, name := splitHostID(req.ID)
	if strings.TrimSpace(name) == "" {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import ID %q names no application pool. Accepted: the pool's name, or host/name.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("force_destroy"), false)...)
	if host != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), host)...)
	}
}

// client returns the connection for the pool's host and the host's name for
// messages; ok is false when diags got an error.
func (r *appPoolResource) client(ctx context.Context, hostAttr types.String, diags *diag.Diagnostics) (*remote.Client, string, bool) {
	return r.data.hostClient(ctx, "iis_app_pool", hostAttr, diags)
}

func (r *appPoolResource) diagnostic(err error, verb, host string) diag.Diagnostic {
	return remoteDiagnostic(err, r.data.settings.Username, "application pool "+verb, host)
}
