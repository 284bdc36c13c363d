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

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// plugin-testing cannot assert warnings, so the boundary warning is tested
// here, through planWebsite with the real schema, against the simulated
// host's operation handlers.

// twoSiteHost has sites "shop" (pool shop) and "blog" (pool blog).
func twoSiteHost(t *testing.T) *host.Host {
	t.Helper()
	ctx := context.Background()
	h := host.New(host.Options{ComputerName: "WEB01"})
	for _, err := range []error{
		h.AddAppPool(ctx, "shop"), h.AddAppPool(ctx, "blog"),
		h.AddSite(ctx, "shop", "shop", `C:\sites\shop`), h.AddSite(ctx, "blog", "blog", `C:\sites\blog`),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func websitePlanModel(ctx context.Context, t *testing.T, name, pool string) websiteModel {
	t.Helper()
	bindings, d := bindingsValue(ctx, []iis.Binding{{Protocol: "http", IPAddress: "*", Port: 80, HostName: strings.ToLower(name)}}, nil)
	if d.HasError() {
		t.Fatal(d)
	}
	return websiteModel{
		ID: types.StringValue(name), Host: types.StringNull(), Name: types.StringValue(name),
		PhysicalPath: types.StringValue(`C:\sites\` + name), ApplicationPool: types.StringValue(pool),
		Bindings: bindings, State: types.StringValue("Started"), SiteID: types.Int64Unknown(),
		Identities: types.ListUnknown(types.StringType),
	}
}

func planSite(t *testing.T, h *host.Host, prior *websiteModel, planned websiteModel) (websiteModel, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&websiteResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	if d := plan.Set(ctx, &planned); d.HasError() {
		t.Fatal(d)
	}
	resp := resource.ModifyPlanResponse{Plan: plan}
	planWebsite(ctx, anonHandleCaller{h}, planned, prior, &resp)
	var out websiteModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &out)...)
	return out, resp.Diagnostics
}

// Moving blog onto shop's pool warns, naming both; the plan's identities
// are the shared pool's.
func TestWebsitePlanWarnsWhenASecondSiteMovesOntoASharedPool(t *testing.T) {
	ctx := context.Background()
	h := twoSiteHost(t)
	prior := websitePlanModel(ctx, t, "blog", "blog")
	prior.Identities = stringList([]string{`IIS AppPool\blog`, `NT AUTHORITY\IUSR`})
	got, diags := planSite(t, h, &prior, websitePlanModel(ctx, t, "blog", "shop"))
	text := warningText(t, diags)
	for _, want := range []string{
		`The boundary between site "blog" and "shop" is gone`,
		`In pool "shop", site "blog" would run code as IIS AppPool\shop, and so do "shop"`,
		`Give each site or application a pool of its own`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("warning lacks %q:\n%s", want, text)
		}
	}
	// IUSR, which blog already shared, is not this plan's news.
	if strings.Contains(text, "IUSR") {
		t.Errorf("warning names IUSR:\n%s", text)
	}
	var ids []string
	got.Identities.ElementsAs(ctx, &ids, false)
	if strings.Join(ids, ",") != `IIS AppPool\shop,NT AUTHORITY\IUSR` {
		t.Errorf("planned identities %v", ids)
	}
}

// Two pools running as the same specific account are one identity too.
func TestWebsitePlanWarnsOnCreateWhenPoolsShareAnAccount(t *testing.T) {
	ctx := context.Background()
	h := twoSiteHost(t)
	for _, err := range []error{
		h.AddUser(ctx, "websvc", "pw-1"),
		h.AddAppPool(ctx, "api"),
		h.SetAppPoolAttr(ctx, "api", "processModel.identityType", "SpecificUser"),
		h.SetAppPoolAttr(ctx, "api", "processModel.userName", "WEB01\\websvc"),
		h.SetAppPoolAttr(ctx, "blog", "processModel.identityType", "SpecificUser"),
		h.SetAppPoolAttr(ctx, "blog", "processModel.userName", "web01\\WEBSVC"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	_, diags := planSite(t, h, nil, websitePlanModel(ctx, t, "api", "api"))
	text := warningText(t, diags)
	for _, want := range []string{
		`The boundary between site "api" and "blog", "Default Web Site", "shop" is gone`,
		`In pool "api", site "api" would run code as WEB01\websvc, and so do "blog"`,
		`Anonymous requests to site "api" would run as NT AUTHORITY\IUSR, an account that already runs code in "Default Web Site", "shop", "blog"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("warning lacks %q:\n%s", want, text)
		}
	}
}

func TestWebsitePlanQuietWhenThePoolIsItsOwnOrUnchanged(t *testing.T) {
	ctx := context.Background()
	h := twoSiteHost(t)
	if _, diags := planSite(t, h, nil, websitePlanModel(ctx, t, "news", "DefaultAppPool")); diags.WarningsCount() != 1 {
		// DefaultAppPool serves Default Web Site: sharing it is a lost boundary too.
		t.Errorf("create on DefaultAppPool: %v", diags)
	}
	if err := h.AddAppPool(ctx, "news"); err != nil {
		t.Fatal(err)
	}
	// A pool of its own, but anonymous requests as IUSR, as every other site's.
	_, diags := planSite(t, h, nil, websitePlanModel(ctx, t, "news", "news"))
	if text := warningText(t, diags); strings.Contains(text, "In pool") || !strings.Contains(text, `identity = "app_pool"`) {
		t.Errorf("create on a pool of its own, IUSR shared:\n%s", text)
	}
	// Anonymous requests as the pool identity everywhere: nothing shared.
	if err := h.SetAnonymousAuth(ctx, "", "userName", ""); err != nil {
		t.Fatal(err)
	}
	if _, diags := planSite(t, h, nil, websitePlanModel(ctx, t, "news", "news")); diags.WarningsCount() != 0 || diags.HasError() {
		t.Errorf("create on a pool of its own: %v", diags)
	}
	// Already sharing, and the plan does not change the pool: no warning.
	if err := h.SetApplicationPool(ctx, "blog", "/", "shop"); err != nil {
		t.Fatal(err)
	}
	prior := websitePlanModel(ctx, t, "blog", "shop")
	if _, diags := planSite(t, h, &prior, websitePlanModel(ctx, t, "blog", "shop")); diags.WarningsCount() != 0 || diags.HasError() {
		t.Errorf("no-op plan: %v", diags)
	}
}

// A binding that a started site answers is an error at that binding.
func TestWebsitePlanRefusesABindingInUse(t *testing.T) {
	ctx := context.Background()
	h := twoSiteHost(t)
	m := websitePlanModel(ctx, t, "news", "DefaultAppPool")
	m.Bindings, _ = bindingsValue(ctx, []iis.Binding{{Protocol: "http", IPAddress: "*", Port: 80, HostName: "SHOP"}}, nil)
	_, diags := planSite(t, h, nil, m)
	if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), `Started site "shop" already answers http *:80:shop`) {
		t.Errorf("diags: %v", diags)
	}
}
