package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
	_ resource.Resource                   = (*appPoolIdentityResource)(nil)
	_ resource.ResourceWithConfigure      = (*appPoolIdentityResource)(nil)
	_ resource.ResourceWithImportState    = (*appPoolIdentityResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*appPoolIdentityResource)(nil)
	_ resource.ResourceWithValidateConfig = (*appPoolIdentityResource)(nil)
)

func newAppPoolIdentityResource() resource.Resource { return &appPoolIdentityResource{} }

// appPoolIdentityResource manages who one application pool runs as. It is
// the only place the identity is managed: iis_app_pool leaves it alone.
type appPoolIdentityResource struct {
	data *providerData
}

func (r *appPoolIdentityResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_app_pool_identity"
}

func (r *appPoolIdentityResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages who one IIS application pool runs as (processModel identity), for pools this configuration created or not " +
			"(`DefaultAppPool` included). Every plan shows the effective `account` and its `privilege`, known before apply, and warns when the privilege rises, " +
			"naming the sites, applications and anonymous users that will run with it. " +
			"Leaving `SpecificUser` clears the stored user name and password on the host. Destroying the resource returns the pool to " +
			"`ApplicationPoolIdentity` (least privilege). A password changed on the host outside Terraform is detected without the password " +
			"ever coming back: the host proves it still holds the one set at the last apply with a salted, slow digest, and when it does not, " +
			"`password_wo_version` (or `password`) reads as unset, so the next plan sets it again. Any identity change recycles the pool. " +
			"Creating the resource for a pool whose identity someone already changed from a new pool's `ApplicationPoolIdentity` fails and asks " +
			"for an import, so a choice made outside this configuration is never overwritten without a plan showing it.",
		Attributes: map[string]schema.Attribute{
			"timeouts": timeoutsAttribute(ctx),
			"id": schema.StringAttribute{
				MarkdownDescription: "The pool's name.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: "Host the pool lives on. Defaults to the provider's `host`. Changing it manages the pool on the new host instead.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"pool": schema.StringAttribute{
				MarkdownDescription: "Name of the application pool, which must exist (reference `iis_app_pool.<name>.name` so Terraform creates it first). " +
					"One `iis_app_pool_identity` per pool.",
				Required:      true,
				Validators:    []validator.String{existingPoolNameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"identity_type": schema.StringAttribute{
				MarkdownDescription: "`ApplicationPoolIdentity` (the per-pool virtual account `IIS AppPool\\<pool>`, least privilege), `LocalService`, " +
					"`NetworkService`, `SpecificUser` (with `username`) or `LocalSystem` (full control of the host).",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(iis.IdentityTypes()...)},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Account for `SpecificUser`: `DOMAIN\\user`, `.\\user` or `HOST\\user` for a local account, `user@domain`, " +
					"or a group managed service account `DOMAIN\\name$` (which needs no password). Only with `SpecificUser`. " +
					"A name no Windows account can have (over 20 characters, or with one of `\" / \\ [ ] : ; | = , + * ? < > @` in the user part) fails the plan.",
				Optional:   true,
				Validators: []validator.String{accountNameValidator{}},
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Password of `username`. Sensitive, but kept in state; prefer `password_wo`. Never logged, never in diagnostics, sent to the host only as request data.",
				Optional:            true,
				Sensitive:           true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("password_wo")),
					stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot("password_wo")),
				},
			},
			"password_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only password of `username` (Terraform 1.11 and later): never stored in plan or state. " +
					"Sent when the identity is created or changed, and whenever `password_wo_version` changes. Terraform never stores or shows a write-only value (plans say `(write-only attribute)`), so it is not also marked sensitive.",
				Optional: true,
				// Not Sensitive: a write-only value is never in plan or state
				// (Terraform shows "(write-only attribute)"), and a second
				// sensitive attribute beside password would let Terraform
				// store the two in random order, which makes every other
				// refresh-only plan exit 2 with no drift.
				WriteOnly: true,
			},
			"password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number; changing it sends `password_wo` again. Required with `password_wo`. " +
					"When the host no longer holds the password Terraform set (changed or removed outside Terraform), a refresh reads it as unset, " +
					"so the next plan puts the configured password back.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"logon_type": schema.StringAttribute{
				MarkdownDescription: "How `SpecificUser` logs on: `LogonBatch` (default) or `LogonService`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("LogonBatch"),
				Validators:          []validator.String{stringvalidator.OneOf(iis.LogonTypes()...)},
			},
			"account": computed("The Windows account the worker process runs as: `IIS AppPool\\<pool>`, `NT AUTHORITY\\LOCAL SERVICE`, " +
				"`NT AUTHORITY\\NETWORK SERVICE`, `NT AUTHORITY\\SYSTEM` or the user. Known at plan time."),
			"privilege": computed("How much that account can do: `least`, `low`, `medium`, `high` or `full`. Known at plan time, so the diff shows " +
				"`privilege: \"least\" -> \"full\"`; a rise carries a warning. For `SpecificUser` it follows the account's groups on the host " +
				"(a member of Administrators is `full`, an account the host cannot resolve `high`), read again on every refresh, " +
				"so an account added to Administrators outside Terraform shows as drift."),
			"privilege_reason": computed("One line saying why, such as `LocalSystem: full control of the host, acts as the computer account on the network`."),
			"accept_privilege": acceptAttribute("privilege", "max_privilege", privilegeNames()),
		},
	}
}

func (r *appPoolIdentityResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	configureData(&r.data, req.ProviderData, &resp.Diagnostics)
}

func (r *appPoolIdentityResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer keepAcceptance(ctx, "accept_privilege", req.Plan, &resp.State, &resp.Diagnostics)
	var plan, config appPoolIdentityModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	if r.refuseAdoption(ctx, plan, &resp.Diagnostics) {
		return
	}
	r.apply(ctx, plan, config, resp.Private, &resp.State, &resp.Diagnostics)
}

func (r *appPoolIdentityResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer keepAcceptance(ctx, "accept_privilege", req.State, &resp.State, &resp.Diagnostics)
	ctx = r.data.logContext(ctx)
	var prior appPoolIdentityModel
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
	proof, diags := loadProof(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	pool := prior.Pool.ValueString()
	var id iis.PoolIdentity
	var err error
	if proof.Digest == "" {
		// Nothing to prove: from the host's pool list, which every pool of
		// the refresh shares.
		id, err = iis.PoolIdentityFromList(ctx, client, pool)
	} else {
		id, err = iis.GetPoolIdentity(ctx, client, pool, proof)
	}
	if iis.IsNotFound(err) {
		// The pool is gone, and its identity with it.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "read", host))
		return
	}
	// The account is named after the pool as the configuration spells it,
	// as the plan names it.
	spelling := id.Pool
	if strings.EqualFold(pool, id.Pool) {
		spelling = pool
	}
	verdict, err := classifyPoolIdentity(ctx, client, id.ComputerName, spelling, id.Type, id.UserName)
	if err != nil {
		resp.Diagnostics.Append(r.diagnostic(err, "read", host))
		return
	}
	state := identityState(id, prior, verdict)
	if proof.Digest != "" && id.Type == hostapi.IdentitySpecificUser && !id.Proof.Matches(proof) {
		// Only the password differs from the last apply: say so in the
		// inputs Terraform compares, so the next plan sets it again.
		state.Password, state.PasswordWOVersion = types.StringNull(), types.Int64Null()
		resp.Diagnostics.AddWarning(fmt.Sprintf("Password of application pool %q changed outside Terraform", pool),
			fmt.Sprintf("The password host %s holds for %s (the identity of application pool %q) is not the one Terraform set at the last apply. "+
				"The next apply sets the configured password again. The password itself was not read: the host compared a salted digest.",
				host, id.UserName, pool))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *appPoolIdentityResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer keepAcceptance(ctx, "accept_privilege", req.Plan, &resp.State, &resp.Diagnostics)
	var plan, config appPoolIdentityModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	r.apply(ctx, plan, config, resp.Private, &resp.State, &resp.Diagnostics)
}

// Delete returns the pool to ApplicationPoolIdentity, least privilege,
// rather than to whatever the host's defaults would give, and clears the
// credentials with it.
func (r *appPoolIdentityResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state appPoolIdentityModel
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
	_, err := iis.SetPoolIdentity(ctx, client, iis.IdentitySettings{
		Pool: state.Pool.ValueString(), Type: hostapi.IdentityAppPool, LogonType: "LogonBatch",
	})
	if err != nil && !iis.IsNotFound(err) {
		resp.Diagnostics.Append(r.diagnostic(err, "reset", host))
	}
}

// ImportState takes the pool's name, or host/name for a pool on another
// host than the provider's. Passwords cannot be imported: set password_wo
// and password_wo_version, and the first apply sends it.
func (r *appPoolIdentityResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, name := splitHostID(req.ID)
	if strings.TrimSpace(name) == "" {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import ID %q names no application pool. Accepted: the pool's name, or host/name.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("pool"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	if host != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), host)...)
	}
}

func (r *appPoolIdentityResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer guardPrivilege(ctx, r.data, "application pool", "pool", resp)
	if req.Plan.Raw.IsNull() {
		return // destroy: the pool goes back to least privilege
	}
	if r.data != nil {
		ctx = r.data.logContext(ctx)
	}
	var plan appPoolIdentityModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *appPoolIdentityModel
	if !req.State.Raw.IsNull() {
		prior = &appPoolIdentityModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	var client iis.Caller
	host := ""
	if r.data != nil && len(r.data.unknown) == 0 && !plan.Host.IsUnknown() {
		// Without the provider's settings known, the plan still shows all
		// that does not need the host.
		c, h, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
		if !ok {
			return
		}
		client, host = c, h
	}
	r.planIdentity(ctx, client, host, plan, prior, resp)
}

func (r *appPoolIdentityResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config appPoolIdentityModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateIdentityConfig(config)...)
}

// client returns the connection for the pool's host and the host's name for
// messages; ok is false when diags got an error.
func (r *appPoolIdentityResource) client(ctx context.Context, hostAttr types.String, diags *diag.Diagnostics) (*remote.Client, string, bool) {
	return r.data.hostClient(ctx, "iis_app_pool_identity", hostAttr, diags)
}

func (r *appPoolIdentityResource) diagnostic(err error, verb, host string) diag.Diagnostic {
	user := ""
	if r.data != nil {
		user = r.data.settings.Username
	}
	return remoteDiagnostic(err, user, "application pool identity "+verb, host)
}
