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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

var (
	_ resource.Resource                   = (*anonAuthResource)(nil)
	_ resource.ResourceWithConfigure      = (*anonAuthResource)(nil)
	_ resource.ResourceWithImportState    = (*anonAuthResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*anonAuthResource)(nil)
	_ resource.ResourceWithValidateConfig = (*anonAuthResource)(nil)
)

func newAnonAuthResource() resource.Resource { return &anonAuthResource{} }

// anonAuthResource manages the anonymous authentication settings of one
// location (the server level, a site or an application), written as a
// location element in applicationHost.config.
type anonAuthResource struct {
	data *providerData
}

func (r *anonAuthResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_anonymous_authentication"
}

func (r *anonAuthResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages who anonymous requests run as at one location: the server level, a site or an application. " +
			"Settings are written to `applicationHost.config` as a `<location>` element (`Set-WebConfigurationProperty -PSPath MACHINE/WEBROOT/APPHOST -Location ...`), " +
			"which works while the section is locked for `web.config` files, as it is on a stock host. " +
			"Destroying the resource removes the location's own settings, so it inherits again; at the server level it restores the stock settings (enabled, IUSR).\n\n" +
			"Every plan shows the effective `account` and its `privilege`. With `identity = \"app_pool\"` anonymous requests run as the application pool's identity, " +
			"so the privilege follows the pool: when the pool is switched to LocalSystem, a refresh shows this resource's privilege rise to `full`.",
		Attributes: map[string]schema.Attribute{
			"timeouts": timeoutsAttribute(ctx),
			"id": schema.StringAttribute{
				MarkdownDescription: "The location, or `/` for the server level.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				MarkdownDescription: "Host to manage. Defaults to the provider's `host`. Changing it moves the settings: they are written on the new host and removed from the old one.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"location": schema.StringAttribute{
				MarkdownDescription: "Where the settings apply: `\"\"` for the server level (every site inherits it), a site name (`\"Default Web Site\"`), " +
					"or a site name and an application path (`\"Default Web Site/shop\"`), without leading or trailing `/`. " +
					"It must name a site or application that exists on the host when the settings are created: one this configuration creates too is fine, " +
					"if the location refers to it (`location = iis_website.shop.name`), so that Terraform creates it first; `account` and `privilege` are then known after apply. " +
					"Compared without regard to case, as IIS does. Changing it replaces the resource.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{locationValidator{}},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether anonymous requests are allowed at the location. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"identity": schema.StringAttribute{
				MarkdownDescription: "Who anonymous requests run as: `iusr` (default, the built-in `NT AUTHORITY\\IUSR`, least privilege), " +
					"`app_pool` (the identity of the application pool that serves the location, `userName=\"\"` on the host; CIS IIS 1.6 recommends it) " +
					"or `specific_user` (the account in `username`, with `password` or `password_wo`).",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(iis.AnonIUSR),
				Validators: []validator.String{stringvalidator.OneOf(iis.AnonIdentities()...)},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Account for `identity = \"specific_user\"`: `user`, `.\\user`, `HOST\\user`, `DOMAIN\\user` or `user@domain`. Required with `specific_user`, refused otherwise. " +
					"A name no Windows account can have (over 20 characters, or with one of `\" / \\ [ ] : ; | = , + * ? < > @` in the user part) fails the plan.",
				Optional:   true,
				Validators: []validator.String{accountNameValidator{}},
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Password of `username`. Stored in state (marked sensitive) and never shown in plans, logs or errors. " +
					"Windows does not check it when it is saved; a wrong password shows when anonymous requests fail. " +
					"Prefer `password_wo`, which never reaches state. Conflicts with `password_wo`.",
				Optional:  true,
				Sensitive: true,
			},
			"password_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only password of `username` (Terraform 1.11 or later): sent to the host, never stored in plan or state. " +
					"Terraform cannot tell when it changes, so change `password_wo_version` to set a new one. Conflicts with `password`. Terraform never stores or shows a write-only value (plans say `(write-only attribute)`), so it is not also marked sensitive.",
				Optional: true,
				// Not Sensitive: a write-only value is never in plan or state
				// (Terraform shows "(write-only attribute)"), and a second
				// sensitive attribute beside password would let Terraform
				// store the two in random order, which makes every other
				// refresh-only plan exit 2 with no drift.
				WriteOnly: true,
			},
			"password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number; changing it writes `password_wo` to the host again. Required with `password_wo`. " +
					"When the host no longer holds the password Terraform set (changed or removed outside Terraform), a refresh reads it as unset, " +
					"so the next plan puts the configured password back.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"account": schema.StringAttribute{
				MarkdownDescription: "The account anonymous requests at the location run as, known at plan time: `NT AUTHORITY\\IUSR`, " +
					"the pool's account for `app_pool` (`IIS AppPool\\shop`, or `NT AUTHORITY\\SYSTEM` when the pool runs as LocalSystem), or `username`. " +
					"At the server level with `app_pool`, the account of the most privileged pool of any application.",
				Computed: true,
			},
			"privilege": schema.StringAttribute{
				MarkdownDescription: "How much that account can do, on the same scale as the pool identity: `least`, `low`, `medium`, `high` or `full`. " +
					"Known at plan time; a plan that raises it carries a warning.",
				Computed: true,
			},
			"accept_privilege": acceptAttribute("privilege", "max_privilege", privilegeNames()),
			"privilege_reason": schema.StringAttribute{
				MarkdownDescription: "One line saying why, such as `application pool identity of pool \"shop\", which serves Default Web Site/shop: LocalSystem: full control of the host, ...`.",
				Computed:            true,
			},
		},
	}
}

func (r *anonAuthResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	configureData(&r.data, req.ProviderData, &resp.Diagnostics)
}

func (r *anonAuthResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer keepAcceptance(ctx, "accept_privilege", req.Plan, &resp.State, &resp.Diagnostics)
	var plan, config anonAuthModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	ctx = maskPasswords(r.logContext(ctx), plan, config)
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	loc := plan.Location.ValueString()
	current, err := iis.GetAnonymousAuth(ctx, client, loc, iis.PasswordProof{})
	if iis.IsNotFound(err) {
		resp.Diagnostics.Append(missingLocation(ctx, client, host, loc))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(r.locationDiagnostic(err, "read", host, loc))
		return
	}
	if existing := hasOwnSettings(current); existing != "" {
		resp.Diagnostics.AddAttributeError(path.Root("location"), "Anonymous authentication settings already exist",
			fmt.Sprintf("%s on host %s already has %s. The provider does not take over existing settings silently: "+
				"import them (terraform import <address> %q, or an import block) to manage them.", describeLoc(loc), host, existing, anonAuthID(loc)))
		return
	}
	want := plan.settings(config)
	got, err := iis.SetAnonymousAuth(ctx, client, want)
	if err != nil {
		resp.Diagnostics.Append(r.locationDiagnostic(err, "write", host, loc))
		return
	}
	if d := overridden(want, got, host); d != nil {
		resp.Diagnostics.Append(d)
		// Take the write back, so that fixing web.config and applying
		// again creates the settings instead of asking for an import.
		if _, err := iis.ClearAnonymousAuth(ctx, client, loc); err != nil {
			resp.Diagnostics.Append(r.locationDiagnostic(err, "clear", host, loc))
		}
		return
	}
	plan.fromHost(got)
	resp.Diagnostics.Append(saveProof(ctx, resp.Private, got.Proof)...)
	resp.Diagnostics.Append(r.completeRisk(ctx, client, host, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *anonAuthResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer keepAcceptance(ctx, "accept_privilege", req.State, &resp.State, &resp.Diagnostics)
	var state anonAuthModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	ctx = maskPasswords(r.logContext(ctx), state)
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	proof, diags := loadProof(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	loc := state.Location.ValueString()
	got, err := iis.GetAnonymousAuth(ctx, client, loc, proof)
	if iis.IsNotFound(err) || (err == nil && !got.Configured) {
		// The site or application is gone, or its own settings were
		// removed out of band: the next plan writes them again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(r.locationDiagnostic(err, "read", host, loc))
		return
	}
	state.fromHost(got)
	removed := !got.PasswordSet
	// The host proves it still holds the password of the last apply with
	// a digest under the salt kept in private state; the password never
	// travels back.
	changed := got.PasswordSet && proof.Digest != "" && !got.Proof.Matches(proof)
	if got.Identity == iis.AnonSpecificUser && (removed || changed) && (!state.Password.IsNull() || !state.PasswordWOVersion.IsNull()) {
		// Anonymous requests no longer log on with the password Terraform
		// set: say so in the inputs Terraform compares, so the next plan
		// sets it again.
		state.Password, state.PasswordWOVersion = types.StringNull(), types.Int64Null()
		what, detail := "removed", "no longer stores a password"
		if changed {
			what, detail = "changed", "holds another password than the one Terraform set at the last apply"
		}
		resp.Diagnostics.AddWarning(fmt.Sprintf("Anonymous user password %s at %s outside Terraform", what, anonAuthID(loc)),
			fmt.Sprintf("Host %s %s for %s at %s. The next apply sets the configured password again. "+
				"The password itself was not read: the host compared a salted digest.",
				host, detail, got.UserName, describeLoc(loc)))
	}
	// The privilege follows the host: a pool switched to LocalSystem shows
	// here as drift even though this location's settings did not change.
	state.Account, state.Privilege, state.PrivilegeReason = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	resp.Diagnostics.Append(r.completeRisk(ctx, client, host, &state)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *anonAuthResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer keepAcceptance(ctx, "accept_privilege", req.Plan, &resp.State, &resp.Diagnostics)
	var plan, config anonAuthModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	ctx = maskPasswords(r.logContext(ctx), plan, config)
	client, host, ok := r.client(ctx, plan.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	want := plan.settings(config)
	got, err := iis.SetAnonymousAuth(ctx, client, want)
	if err != nil {
		resp.Diagnostics.Append(r.locationDiagnostic(err, "write", host, plan.Location.ValueString()))
		return
	}
	if d := overridden(want, got, host); d != nil {
		resp.Diagnostics.Append(d)
		return
	}
	plan.fromHost(got)
	resp.Diagnostics.Append(saveProof(ctx, resp.Private, got.Proof)...)
	resp.Diagnostics.Append(r.completeRisk(ctx, client, host, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *anonAuthResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state anonAuthModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	ctx = maskPasswords(r.logContext(ctx), state)
	client, host, ok := r.client(ctx, state.Host, &resp.Diagnostics)
	if !ok {
		return
	}
	loc := state.Location.ValueString()
	if _, err := iis.ClearAnonymousAuth(ctx, client, loc); err != nil && !iis.IsNotFound(err) {
		resp.Diagnostics.Append(r.locationDiagnostic(err, "clear", host, loc))
	}
}

// ImportState takes the location, `/` for the server level, or
// `host|location` for a location on another host than the provider's.
// Locations contain '/', and neither host names nor site names can
// contain '|', which is why '|' separates them.
func (r *anonAuthResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host, loc := parseAnonAuthImportID(req.ID)
	if err := iis.ValidateLocation(loc); err != nil || (strings.Contains(req.ID, "|") && host == "") {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import ID %q is not one of the accepted forms: a location (\"Default Web Site\" or \"Default Web Site/shop\"), "+
				"\"/\" for the server level, or host|location (\"web01.example.com|Default Web Site/shop\", \"web01.example.com|/\").", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("location"), loc)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), anonAuthID(loc))...)
	if host != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), host)...)
	}
}

// overridden explains a write that does not read back as written. The
// provider writes applicationHost.config, so the only thing that can win
// over it at the same path is the site's or application's web.config, which
// can hold the section only after someone unlocked it.
func overridden(want iis.AnonSettings, got iis.AnonymousAuth, host string) diag.Diagnostic {
	if got.Enabled == want.Enabled && got.Identity == want.Identity && strings.EqualFold(got.UserName, want.UserName) {
		return nil
	}
	show := func(enabled bool, identity, user string) string {
		if user != "" {
			identity += " " + user
		}
		return fmt.Sprintf("enabled=%t, identity %s", enabled, identity)
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("location"), "Anonymous authentication overridden below applicationHost.config",
		fmt.Sprintf("%s on host %s was written as %s in applicationHost.config, but requests there get %s. "+
			"A web.config at that path overrides it, which is possible only because the anonymousAuthentication section has been unlocked "+
			"(overrideMode=\"Allow\"). Remove the section from that web.config, or lock the section again "+
			"(Set-WebConfiguration -Filter /system.webServer/security/authentication/anonymousAuthentication -PSPath MACHINE/WEBROOT/APPHOST -Metadata overrideMode -Value Deny).",
			describeLoc(want.Location), host, show(want.Enabled, want.Identity, want.UserName), show(got.Enabled, got.Identity, got.UserName)))
}

func (r *anonAuthResource) logContext(ctx context.Context) context.Context {
	if r.data == nil {
		return ctx
	}
	return r.data.logContext(ctx)
}

// client returns the connection for the resource's host and the host's
// name for messages; ok is false when diags got an error.
func (r *anonAuthResource) client(ctx context.Context, hostAttr types.String, diags *diag.Diagnostics) (*remote.Client, string, bool) {
	return r.data.hostClient(ctx, "iis_anonymous_authentication", hostAttr, diags)
}

// locationDiagnostic explains a failed operation; a location that no
// longer exists gets its own message at the location attribute.
func (r *anonAuthResource) locationDiagnostic(err error, verb, host, loc string) diag.Diagnostic {
	if iis.IsNotFound(err) {
		return diag.NewAttributeErrorDiagnostic(path.Root("location"), "Location does not exist",
			fmt.Sprintf("%s does not exist on host %s: no site or application has that path. %v", describeLoc(loc), host, err))
	}
	return remoteDiagnostic(err, r.data.settings.Username, "anonymous authentication "+verb, host)
}

// missingLocation explains, at create, a location the host does not have,
// listing those it has. The plan could not refuse it: a site or
// application created by the same apply is not on the host at plan time.
func missingLocation(ctx context.Context, c iis.Caller, host, loc string) diag.Diagnostic {
	names := "(cannot be listed)"
	if locs, err := iis.ResolveLocations(ctx, c); err == nil {
		names = quoteLocations(locs.Names())
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("location"), "Location does not exist",
		fmt.Sprintf("%s does not exist on host %s: no site or application has that path. Locations on the host: %s.\n\n"+
			"If this configuration creates the site or application, refer to it (location = iis_website.<name>.name, "+
			"or iis_application.<name>.id), so that Terraform creates it first.",
			describeLoc(loc), host, names))
}

// completeRisk fills account, privilege and privilege_reason when the plan
// could not know them (an unknown host or provider setting at plan time).
func (r *anonAuthResource) completeRisk(ctx context.Context, client *remote.Client, host string, m *anonAuthModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.Privilege.IsUnknown() && !m.Account.IsUnknown() && !m.PrivilegeReason.IsUnknown() {
		return diags
	}
	a, err := newAnonAssessor(ctx, client)
	if err != nil {
		diags.Append(remoteDiagnostic(err, r.data.settings.Username, "anonymous authentication resolve", host))
		return diags
	}
	risk, err := a.assess(ctx, m.Location.ValueString(), m.Enabled.ValueBool(), m.Identity.ValueString(), m.Username.ValueString())
	if err != nil {
		diags.Append(remoteDiagnostic(err, r.data.settings.Username, "anonymous authentication resolve", host))
		return diags
	}
	m.setRisk(risk)
	return diags
}

func describeLoc(loc string) string {
	if loc == "" {
		return "The server level"
	}
	return fmt.Sprintf("Location %q", loc)
}
