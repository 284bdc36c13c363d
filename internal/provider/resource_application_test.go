package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

const appAddr = "iis_application.test"

func appConfig(attrs ...string) string {
	return "resource \"iis_application\" \"test\" {\n  " + strings.Join(attrs, "\n  ") + "\n}\n"
}

// Create in its own pool, move it onto the site's pool (the boundary
// warning's flow), import by site/path and host|site/path, drift when
// moved and when deleted out of band, destroy.
func TestAccApplicationLifecycle(t *testing.T) {
	h := newTestHost(t, simOptions{})
	ctx := context.Background()
	c := agentClient(t, h)
	// The site, its pool and the other pool carry this test's own tfacc-
	// names: tests share a real host.
	site, blog := uniquePoolName(t, "shop"), uniquePoolName(t, "blog")
	uploads := `C:\sites\` + site + `\uploads`
	h.addPoolOutOfBand(t, site)
	h.addPoolOutOfBand(t, blog)
	h.oob(t).do("create "+uploads, h.admin(t).MakeDir(ctx, uploads))
	h.addSiteOutOfBand(t, site, site, `C:\sites\`+site)
	cfg := func(pool string) string {
		return h.providerConfig() + appConfig(`site = `+hclString(site), `path = "/uploads"`, `physical_path = `+hclString(uploads), `application_pool = `+hclString(pool))
	}
	onHost := func(pool string) tfresource.TestCheckFunc {
		return func(*terraform.State) error {
			a, err := iis.GetApplication(ctx, c, site, "/uploads")
			if err != nil || a.ApplicationPool != pool || a.PhysicalPath != uploads {
				return fmt.Errorf("host has /uploads in pool %q at %q (%v), want pool %s at %s", a.ApplicationPool, a.PhysicalPath, err, pool, uploads)
			}
			return nil
		}
	}
	tfresource.ParallelTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy: func(*terraform.State) error {
			if _, err := iis.GetApplication(ctx, c, site, "/uploads"); !iis.IsNotFound(err) {
				return fmt.Errorf("application %s/uploads left after destroy (%v)", site, err)
			}
			return nil
		},
		Steps: []tfresource.TestStep{
			{
				Config:      h.providerConfig() + appConfig(`site = `+hclString(site), `path = "uploads/"`, `physical_path = "C:\\x"`),
				ExpectError: regexp.MustCompile(`(?s)Invalid application path.*must start with "/"`),
			},
			{
				Config: cfg(blog),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionCreate),
					expectStrings(appAddr, "identities", `IIS AppPool\`+blog, `NT AUTHORITY\IUSR`),
				}},
				Check: onHost(blog),
			},
			{
				Config: cfg(site),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					expectStrings(appAddr, "identities", `IIS AppPool\`+site, `NT AUTHORITY\IUSR`),
				}},
				Check: onHost(site),
			},
			{Config: cfg(site), ResourceName: appAddr, ImportState: true, ImportStateId: strings.ToUpper(site) + "/Uploads/", ImportStateVerify: true},
			{Config: cfg(site), ResourceName: appAddr, ImportState: true, ImportStateId: h.Host + "|" + site + "/uploads", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"host"}},
			{
				PreConfig: func() {
					if err := h.admin(t).SetApplicationPool(ctx, site, "/uploads", "DefaultAppPool"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg(site),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					expectString(appAddr, "application_pool", site),
				}},
				Check: onHost(site),
			},
			{
				PreConfig: func() {
					if err := h.admin(t).RemoveApplication(ctx, site, "/uploads"); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg(site),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestApplicationPlanWarnsWhenMovedOntoASharedPool(t *testing.T) {
	ctx := context.Background()
	h := twoSiteHost(t)
	if err := h.AddApplication(ctx, "blog", "/api", "blog", `C:\sites\blog\api`); err != nil {
		t.Fatal(err)
	}
	model := func(pool string) applicationModel {
		return applicationModel{ID: types.StringValue("blog/api"), Host: types.StringNull(), Site: types.StringValue("blog"),
			Path: types.StringValue("/api"), PhysicalPath: types.StringValue(`C:\sites\blog\api`), ApplicationPool: types.StringValue(pool),
			Identities: types.ListUnknown(types.StringType)}
	}
	var sr resource.SchemaResponse
	(&applicationResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	run := func(prior *applicationModel, planned applicationModel) *resource.ModifyPlanResponse {
		plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
		if d := plan.Set(ctx, &planned); d.HasError() {
			t.Fatal(d)
		}
		resp := &resource.ModifyPlanResponse{Plan: plan}
		planApplication(ctx, anonHandleCaller{h}, planned, prior, resp)
		return resp
	}
	prior := model("blog")
	resp := run(&prior, model("shop"))
	text := warningText(t, resp.Diagnostics)
	if !strings.Contains(text, `The boundary between application "blog/api" and "shop" is gone`) {
		t.Errorf("warning:\n%s", text)
	}
	// Staying in its own pool, next to its site's root in the same pool, is not a lost boundary between sites...
	if resp := run(&prior, model("blog")); resp.Diagnostics.WarningsCount() != 0 {
		t.Errorf("unchanged pool warned: %v", resp.Diagnostics)
	}
}

// A site and an application in it, created by one apply: the
// application's identities cannot be known before the site exists (it
// inherits the site's anonymous settings), so the plan says "known after
// apply", and the apply records what the host then holds.
func TestAccApplicationInASiteCreatedInTheSameApply(t *testing.T) {
	h := newTestHost(t, simOptions{})
	// The pools and directories are this test's own (tfacc-): tests share
	// a real host.
	site, blog := uniquePoolName(t, "shop"), uniquePoolName(t, "blog")
	dir := `C:\sites\` + site
	h.addPoolOutOfBand(t, site)
	h.addPoolOutOfBand(t, blog)
	h.oob(t).do("create "+dir+`\uploads`, h.admin(t).MakeDir(context.Background(), dir+`\uploads`))
	cfg := h.providerConfig() + siteConfig("shop", site, `physical_path = `+hclString(dir), `application_pool = `+hclString(site),
		httpBinding(site+".example.test")) +
		appConfig(`site = iis_website.shop.name`, `path = "/uploads"`, `physical_path = `+hclString(dir+`\uploads`), `application_pool = `+hclString(blog))
	tfresource.ParallelTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []tfresource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpathNew("identities")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpathNew("identities"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(`IIS AppPool\` + blog), knownvalue.StringExact(`NT AUTHORITY\IUSR`)})),
				},
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}
