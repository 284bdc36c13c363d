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

// plugin-testing cannot assert warnings, so the plan-time warning is
// tested here, through planAnonRisk with a real schema and plan, against
// the simulated host's operation handlers (the code the simulator runs
// behind WinRM).

type anonHandleCaller struct{ h *host.Host }

func (c anonHandleCaller) Call(ctx context.Context, op string, args, result any) error {
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

// anonPlanHost is the stock host with pool "shop" (LocalSystem) serving
// Default Web Site/shop.
func anonPlanHost(t *testing.T) *host.Host {
	t.Helper()
	ctx := context.Background()
	h := host.New(host.Options{ComputerName: "WEB01"})
	for _, err := range []error{
		h.AddAppPool(ctx, "shop"),
		h.SetAppPoolAttr(ctx, "shop", "processModel.identityType", "LocalSystem"),
		h.AddApplication(ctx, "Default Web Site", "/shop", "shop", ""),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func anonModel(loc, identity string, privilege, account string) anonAuthModel {
	m := anonAuthModel{
		Timeouts: noTimeouts(),
		ID:       types.StringValue(anonAuthID(loc)), Host: types.StringNull(), Location: types.StringValue(loc),
		Enabled: types.BoolValue(true), Identity: types.StringValue(identity),
		Username: types.StringNull(), Password: types.StringNull(), PasswordWO: types.StringNull(), PasswordWOVersion: types.Int64Null(),
		Account: types.StringValue(account), Privilege: types.StringValue(privilege), PrivilegeReason: types.StringValue("r"),
	}
	if privilege == "" {
		m.Account, m.Privilege, m.PrivilegeReason = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	}
	return m
}

// planAnon runs planAnonRisk as ModifyPlan would and returns the planned
// privilege with the diagnostics.
func planAnon(t *testing.T, h *host.Host, prior *anonAuthModel, planned anonAuthModel) (anonAuthModel, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&anonAuthResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	null := tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)
	// As the framework hands it over: computed values unknown on a change.
	planned.Account, planned.Privilege, planned.PrivilegeReason = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: null}
	if d := plan.Set(ctx, &planned); d.HasError() {
		t.Fatal(d)
	}
	resp := resource.ModifyPlanResponse{Plan: plan}
	planAnonRisk(ctx, anonHandleCaller{h}, "web01", "admin", planned, prior, &resp)
	var out anonAuthModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &out)...)
	return out, resp.Diagnostics
}

func warningText(t *testing.T, diags diag.Diagnostics) string {
	t.Helper()
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", diags)
	}
	w := diags.Warnings()[0]
	return w.Summary() + "\n" + w.Detail()
}

func TestAnonPlanWarnsWhenThePrivilegeRises(t *testing.T) {
	h := anonPlanHost(t)
	prior := anonModel(anonShop, "iusr", "least", `NT AUTHORITY\IUSR`)
	got, diags := planAnon(t, h, &prior, anonModel(anonShop, "app_pool", "", ""))
	if got.Privilege.ValueString() != "full" || got.Account.ValueString() != `NT AUTHORITY\SYSTEM` {
		t.Errorf("planned %s as %s", got.Privilege, got.Account)
	}
	text := warningText(t, diags)
	for _, want := range []string{
		`Anonymous requests at "Default Web Site/shop" rise from privilege least to full`,
		`Until now, anonymous requests run as NT AUTHORITY\IUSR (privilege least)`,
		`After this change they run as NT AUTHORITY\SYSTEM: application pool identity of pool "shop", which serves Default Web Site/shop: LocalSystem: full control of the host`,
		`Prefer identity = "iusr"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("warning lacks %q:\n%s", want, text)
		}
	}
}

// Creating a resource is measured against what the location inherits
// today: IUSR from the server level.
func TestAnonPlanWarnsOnCreateAgainstWhatIsInherited(t *testing.T) {
	h := anonPlanHost(t)
	text := warningText(t, func() diag.Diagnostics {
		_, d := planAnon(t, h, nil, anonModel(anonShop, "app_pool", "", ""))
		return d
	}())
	if !strings.Contains(text, `Today, with the settings it inherits, anonymous requests run as NT AUTHORITY\IUSR (privilege least)`) {
		t.Errorf("warning does not say what the location has today:\n%s", text)
	}
}

func TestAnonPlanQuietWhenThePrivilegeHoldsOrFalls(t *testing.T) {
	h := anonPlanHost(t)
	full := anonModel(anonShop, "app_pool", "full", `NT AUTHORITY\SYSTEM`)
	for _, tt := range []struct {
		name  string
		prior *anonAuthModel
		plan  anonAuthModel
		want  string
	}{
		{"no-op", &full, anonModel(anonShop, "app_pool", "", ""), "full"},
		{"falling", &full, anonModel(anonShop, "iusr", "", ""), "least"},
		{"create with IUSR", nil, anonModel(anonShop, "iusr", "", ""), "least"},
	} {
		got, diags := planAnon(t, h, tt.prior, tt.plan)
		if got.Privilege.ValueString() != tt.want || diags.HasError() || diags.WarningsCount() != 0 {
			t.Errorf("%s: privilege %s, diagnostics %v; want %s and no warning", tt.name, got.Privilege, diags, tt.want)
		}
	}
}

// At the server level the pool identity means each application's own
// pool; the plan reports the most privileged.
func TestAnonPlanServerLevelTakesTheMostPrivilegedPool(t *testing.T) {
	h := anonPlanHost(t)
	got, diags := planAnon(t, h, nil, anonModel("", "app_pool", "", ""))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if got.Privilege.ValueString() != "full" || got.Account.ValueString() != `NT AUTHORITY\SYSTEM` ||
		!strings.HasPrefix(got.PrivilegeReason.ValueString(), `application pool identity: each application runs anonymous requests as its own pool; the most privileged is pool "shop" (Default Web Site/shop)`) {
		t.Errorf("server level planned %s as %s: %s", got.Privilege, got.Account, got.PrivilegeReason)
	}
}

func TestAnonPlanDisabledSaysSo(t *testing.T) {
	h := anonPlanHost(t)
	m := anonModel("Default Web Site", "iusr", "", "")
	m.Enabled = types.BoolValue(false)
	got, _ := planAnon(t, h, nil, m)
	if !strings.Contains(got.PrivilegeReason.ValueString(), "anonymous authentication is disabled here") {
		t.Errorf("reason = %s", got.PrivilegeReason)
	}
}

// A location the host does not have may be created by the same apply:
// the plan leaves the account and privilege to the apply, and the create
// refuses it if it is still missing.
func TestAnonPlanLeavesAMissingLocationToTheApply(t *testing.T) {
	h := anonPlanHost(t)
	got, diags := planAnon(t, h, nil, anonModel("Default Web Site/shp", "iusr", "", ""))
	if diags.HasError() || diags.WarningsCount() != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if !got.Account.IsUnknown() || !got.Privilege.IsUnknown() || !got.PrivilegeReason.IsUnknown() {
		t.Errorf("planned %s, %s, %s; want all known after apply", got.Account, got.Privilege, got.PrivilegeReason)
	}
	d := missingLocation(context.Background(), anonHandleCaller{h}, "web01", "Default Web Site/shp")
	if d.Summary() != "Location does not exist" ||
		!strings.Contains(d.Detail(), `Locations on the host: "", "Default Web Site", "Default Web Site/shop"`) {
		t.Errorf("diagnostic: %s: %s", d.Summary(), d.Detail())
	}
}

func TestAnonImportIDs(t *testing.T) {
	for id, want := range map[string][2]string{
		"Default Web Site/shop":            {"", "Default Web Site/shop"},
		"/":                                {"", ""},
		"web01.example.com|/":              {"web01.example.com", ""},
		"10.0.0.5|Default Web Site/a/b":    {"10.0.0.5", "Default Web Site/a/b"},
		"web01|Default Web Site":           {"web01", "Default Web Site"},
		"[fe80::1]|Default Web Site/store": {"[fe80::1]", "Default Web Site/store"},
	} {
		h, loc := parseAnonAuthImportID(id)
		if h != want[0] || loc != want[1] {
			t.Errorf("parseAnonAuthImportID(%q) = %q, %q; want %q, %q", id, h, loc, want[0], want[1])
		}
		// The resource's id is the import ID without the host.
		if rest := id[strings.Index(id, "|")+1:]; anonAuthID(loc) != rest {
			t.Errorf("id of %q = %q, want %q", loc, anonAuthID(loc), rest)
		}
	}
}

// Destroying an override that kept anonymous requests on IUSR hands them
// to whatever the location inherits: here the site's "pool identity",
// which for the shop application means its LocalSystem pool.
func TestAnonDestroyWarnsWhenInheritanceRaisesThePrivilege(t *testing.T) {
	ctx := context.Background()
	h := anonPlanHost(t)
	prior := anonModel(anonShop, "iusr", "least", `NT AUTHORITY\IUSR`)

	resp := resource.ModifyPlanResponse{}
	planAnonDestroy(ctx, anonHandleCaller{h}, prior, &resp)
	if resp.Diagnostics.WarningsCount() != 0 {
		t.Fatalf("inheriting IUSR from the server warned: %v", resp.Diagnostics)
	}

	if err := h.SetAnonymousAuth(ctx, "Default Web Site", "userName", ""); err != nil {
		t.Fatal(err)
	}
	resp = resource.ModifyPlanResponse{}
	planAnonDestroy(ctx, anonHandleCaller{h}, prior, &resp)
	text := warningText(t, resp.Diagnostics)
	for _, want := range []string{
		`Removing the settings at "Default Web Site/shop" raises anonymous requests there from privilege least to full`,
		`they run as NT AUTHORITY\SYSTEM: application pool identity of pool "shop"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("warning lacks %q:\n%s", want, text)
		}
	}
}

func TestEnclosingLocation(t *testing.T) {
	locs := iis.Locations{Applications: []iis.LocationApp{
		{Site: "S", Path: "/"}, {Site: "S", Path: "/a"}, {Site: "S", Path: "/a/b/c"},
	}}
	for loc, want := range map[string]string{"S": "", "S/a": "S", "S/a/b/c": "S/a", "S/x/y": "S"} {
		if got := enclosingLocation(locs, loc); got != want {
			t.Errorf("enclosingLocation(%q) = %q, want %q", loc, got, want)
		}
	}
}
