package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// plugin-testing cannot assert warnings, so the content access warnings
// are tested here, through planContentAccess with the real schema, against
// the simulated host's operation handlers.

func contentModel(path, pool, access string) contentAccessModel {
	return contentAccessModel{
		ID: types.StringUnknown(), Host: types.StringNull(), Path: types.StringValue(path),
		AppPool: types.StringValue(pool), IUSR: types.BoolNull(), Account: types.StringNull(), Access: types.StringValue(access),
		Identity: types.StringUnknown(), Privilege: types.StringUnknown(), Exposure: types.StringUnknown(), PrivilegeReason: types.StringUnknown(),
	}
}

func planContent(t *testing.T, h *host.Host, prior *contentAccessModel, planned contentAccessModel) (contentAccessModel, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&contentAccessResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	if d := plan.Set(ctx, &planned); d.HasError() {
		t.Fatal(d)
	}
	resp := resource.ModifyPlanResponse{Plan: plan}
	planContentAccess(ctx, anonHandleCaller{h}, "web01", planned, prior, &resp)
	var out contentAccessModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &out)...)
	return out, resp.Diagnostics
}

// A modify grant to a pool that serves anonymous requests warns twice:
// the privilege rises, and anonymous requests are answered by code that
// can write the web root.
func TestContentAccessPlanWarnsOnModifyForAPoolServingAnonymousRequests(t *testing.T) {
	h := twoSiteHost(t)
	prior := contentModel(`C:\sites\shop`, "shop", "read")
	prior.Identity, prior.Privilege = types.StringValue(`IIS APPPOOL\shop`), types.StringValue("least")
	got, diags := planContent(t, h, &prior, contentModel(`C:\sites\shop`, "shop", "modify"))
	if got.Privilege.ValueString() != "high" || got.Exposure.ValueString() != `IIS APPPOOL\shop can modify C:\sites\shop: writable web root` {
		t.Errorf("planned %s: %s", got.Privilege, got.Exposure)
	}
	if diags.HasError() || diags.WarningsCount() != 2 {
		t.Fatalf("want two warnings, got %v", diags)
	}
	var text []string
	for _, w := range diags.Warnings() {
		text = append(text, w.Summary()+"\n"+w.Detail())
	}
	all := strings.Join(text, "\n---\n")
	for _, want := range []string{
		`Changing access to C:\sites\shop raises privilege from least to high`,
		`IIS APPPOOL\shop serves anonymous requests and would be able to write C:\sites\shop`,
		`IIS APPPOOL\shop answers anonymous requests at shop. With modify access`,
		`which shop serve: a dropped script would run there`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
}

// The same grant where anonymous authentication is off warns only of the
// rise; reading its own content warns of nothing; an unchanged plan is
// quiet.
func TestContentAccessPlanQuietWithoutAnonymousOrRise(t *testing.T) {
	ctx := context.Background()
	h := twoSiteHost(t)
	if _, diags := planContent(t, h, nil, contentModel(`C:\sites\shop`, "shop", "read")); diags.WarningsCount() != 0 || diags.HasError() {
		t.Errorf("read of its own content: %v", diags)
	}
	prior := contentModel(`C:\sites\shop`, "shop", "modify")
	prior.Identity, prior.Privilege = types.StringValue(`IIS APPPOOL\shop`), types.StringValue("high")
	if _, diags := planContent(t, h, &prior, contentModel(`C:\sites\shop`, "shop", "modify")); diags.WarningsCount() != 0 {
		t.Errorf("unchanged plan: %v", diags)
	}
	if err := h.SetAnonymousAuth(ctx, "shop", "enabled", "false"); err != nil {
		t.Fatal(err)
	}
	_, diags := planContent(t, h, nil, contentModel(`C:\sites\shop`, "shop", "modify"))
	if text := warningText(t, diags); !strings.Contains(text, `Granting access to C:\sites\shop raises privilege from least to high`) {
		t.Errorf("warning:\n%s", text)
	}
}

// While the pool is still to be made by the same apply, the values wait
// for it: Terraform plans again just before the grant and would refuse a
// known value that changed meanwhile (a site created for that pool makes
// the directory a web root). The warnings still come from what the host
// shows now.
func TestContentAccessPlanLeavesValuesUnknownForAPoolNotYetMade(t *testing.T) {
	h := twoSiteHost(t)
	if err := h.MakeDir(context.Background(), `C:\sites\shop`); err != nil {
		t.Fatal(err)
	}
	if got, _ := planContent(t, h, nil, contentModel(`C:\sites\shop`, "shop", "read")); got.Privilege.ValueString() != "least" {
		t.Fatalf("with pool and directory in place, privilege planned as %s", got.Privilege)
	}
	got, diags := planContent(t, h, nil, contentModel(`C:\sites\shop`, "later", "read"))
	if diags.HasError() {
		t.Fatal(diags)
	}
	for name, v := range map[string]types.String{"identity": got.Identity, "privilege": got.Privilege, "exposure": got.Exposure} {
		if !v.IsUnknown() {
			t.Errorf("%s planned as %s, want unknown until the pool exists", name, v)
		}
	}
}
