package provider

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// plugin-testing cannot assert warnings, so the identity's plan-time
// warning is tested here: planIdentity with the real schema and plan,
// against the simulated host's operation handlers (what the simulator runs
// behind WinRM).

type poolHandleCaller struct{ h *host.Host }

func (c poolHandleCaller) Call(ctx context.Context, op string, args, result any) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	res, perr := c.h.Handle(ctx, op, raw)
	if perr != nil {
		return &remote.Error{Kind: perr.Kind, Op: op, Message: perr.Message}
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(res, result)
}

// shopPlanHost has pool "shop" serving Default Web Site/shop, where
// anonymous requests run as the pool identity, and a local user svc.
func shopPlanHost(t *testing.T) *host.Host {
	t.Helper()
	ctx := context.Background()
	h := host.New(host.Options{ComputerName: "WEB01"})
	for _, err := range []error{
		h.AddAppPool(ctx, "shop"),
		h.AddApplication(ctx, "Default Web Site", "/shop", "shop", ""),
		h.SetAnonymousAuth(ctx, "Default Web Site/shop", "userName", ""),
		h.AddUser(ctx, "svc", "pw"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func identityModel(pool, typ, user, privilege, account string) appPoolIdentityModel {
	m := appPoolIdentityModel{
		Timeouts: noTimeouts(),
		ID:       types.StringValue(pool), Host: types.StringNull(), Pool: types.StringValue(pool),
		IdentityType: types.StringValue(typ), Username: types.StringNull(),
		Password: types.StringNull(), PasswordWO: types.StringNull(), PasswordWOVersion: types.Int64Null(),
		LogonType: types.StringValue("LogonBatch"),
		Account:   types.StringValue(account), Privilege: types.StringValue(privilege), PrivilegeReason: types.StringValue("r"),
	}
	if user != "" {
		m.Username, m.Password = types.StringValue(user), types.StringValue("pw")
	}
	return m
}

// planPool runs planIdentity as ModifyPlan would, with client (nil for a
// host that cannot be asked yet).
func planPool(t *testing.T, client iis.Caller, prior *appPoolIdentityModel, planned appPoolIdentityModel) (appPoolIdentityModel, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&appPoolIdentityResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	// As the framework hands it over: computed values unknown on a change.
	planned.Account, planned.Privilege, planned.PrivilegeReason = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	planned.PasswordWO = types.StringNull()
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	if d := plan.Set(ctx, &planned); d.HasError() {
		t.Fatal(d)
	}
	resp := resource.ModifyPlanResponse{Plan: plan}
	(&appPoolIdentityResource{}).planIdentity(ctx, client, "web01", planned, prior, &resp)
	var out appPoolIdentityModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &out)...)
	return out, resp.Diagnostics
}

func oneWarning(t *testing.T, diags diag.Diagnostics) string {
	t.Helper()
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", diags)
	}
	w := diags.Warnings()[0]
	return w.Summary() + "\n" + w.Detail()
}

func TestIdentityPlanWarnsWhenThePrivilegeRises(t *testing.T) {
	c := poolHandleCaller{shopPlanHost(t)}
	prior := identityModel("shop", "ApplicationPoolIdentity", "", "least", `IIS AppPool\shop`)
	got, diags := planPool(t, c, &prior, identityModel("shop", "LocalSystem", "", "", ""))
	if got.Privilege.ValueString() != "full" || got.Account.ValueString() != `NT AUTHORITY\SYSTEM` {
		t.Errorf("planned %s as %s", got.Privilege, got.Account)
	}
	text := oneWarning(t, diags)
	for _, want := range []string{
		`Application pool "shop": privilege rises from least to full`,
		`will run as NT AUTHORITY\SYSTEM (full) instead of IIS AppPool\shop (least)`,
		`LocalSystem: full control of the host`,
		`application Default Web Site/shop`,
		`anonymous requests to Default Web Site/shop (anonymous authentication uses the pool identity there)`,
		`Prefer ApplicationPoolIdentity`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("warning lacks %q:\n%s", want, text)
		}
	}
}

// On create the level is compared with what the pool runs as on the host
// now, whoever set it.
func TestIdentityPlanOnCreateComparesWithTheHost(t *testing.T) {
	h := shopPlanHost(t)
	c := poolHandleCaller{h}
	if err := h.SetAppPoolAttr(context.Background(), "shop", "processModel.identityType", "LocalSystem"); err != nil {
		t.Fatal(err)
	}
	if _, diags := planPool(t, c, nil, identityModel("shop", "LocalSystem", "", "", "")); diags.WarningsCount() != 0 || diags.HasError() {
		t.Errorf("taking over a LocalSystem pool as LocalSystem warned: %v", diags)
	}
	got, diags := planPool(t, c, nil, identityModel("DefaultAppPool", "SpecificUser", `WEB01\svc`, "", ""))
	if got.Privilege.ValueString() != "medium" {
		t.Errorf("ordinary local user planned as %s", got.Privilege)
	}
	text := oneWarning(t, diags)
	if !strings.Contains(text, `instead of IIS AppPool\DefaultAppPool (least)`) || !strings.Contains(text, "application Default Web Site/") {
		t.Errorf("warning:\n%s", text)
	}
	// A pool that does not exist yet starts as ApplicationPoolIdentity.
	_, diags = planPool(t, c, nil, identityModel("new", "NetworkService", "", "", ""))
	if text := oneWarning(t, diags); !strings.Contains(text, "No site or application runs in this pool yet") {
		t.Errorf("warning for a new pool:\n%s", text)
	}
}

func TestIdentityPlanQuietWhenThePrivilegeHoldsOrFalls(t *testing.T) {
	c := poolHandleCaller{shopPlanHost(t)}
	full := identityModel("shop", "LocalSystem", "", "full", `NT AUTHORITY\SYSTEM`)
	for _, tt := range []struct {
		name string
		next appPoolIdentityModel
	}{
		{"no-op", identityModel("shop", "LocalSystem", "", "", "")},
		{"falls to least", identityModel("shop", "ApplicationPoolIdentity", "", "", "")},
		{"falls to medium", identityModel("shop", "SpecificUser", `WEB01\svc`, "", "")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, diags := planPool(t, c, &full, tt.next); diags.WarningsCount() != 0 || diags.HasError() {
				t.Errorf("diagnostics: %v", diags)
			}
		})
	}
}

// Without a host to ask, the built-in types are still known; a specific
// user's level waits for apply.
func TestIdentityPlanWithoutAHost(t *testing.T) {
	got, _ := planPool(t, nil, nil, identityModel("shop", "NetworkService", "", "", ""))
	if got.Privilege.ValueString() != "medium" || got.Account.ValueString() != `NT AUTHORITY\NETWORK SERVICE` {
		t.Errorf("planned %s as %s", got.Privilege, got.Account)
	}
	got, diags := planPool(t, nil, nil, identityModel("shop", "SpecificUser", `CORP\svc`, "", ""))
	if !got.Privilege.IsUnknown() || diags.HasError() {
		t.Errorf("a specific user without a host planned as %s (%v)", got.Privilege, diags)
	}
}

// A privilege that rises because the account joined Administrators is
// escalation too, and an account the host does not know is high.
func TestIdentityPlanFollowsGroupsOnTheHost(t *testing.T) {
	h := shopPlanHost(t)
	c := poolHandleCaller{h}
	if err := h.AddGroupMember(context.Background(), "Administrators", "svc"); err != nil {
		t.Fatal(err)
	}
	got, _ := planPool(t, c, nil, identityModel("shop", "SpecificUser", `.\svc`, "", ""))
	if got.Privilege.ValueString() != "full" || !strings.Contains(got.PrivilegeReason.ValueString(), "member of Administrators") {
		t.Errorf("administrator planned as %s: %s", got.Privilege, got.PrivilegeReason)
	}
	got, _ = planPool(t, c, nil, identityModel("shop", "SpecificUser", `.\ghost`, "", ""))
	if got.Privilege.ValueString() != "high" || !strings.Contains(got.PrivilegeReason.ValueString(), "cannot resolve") {
		t.Errorf("unknown account planned as %s: %s", got.Privilege, got.PrivilegeReason)
	}
}
