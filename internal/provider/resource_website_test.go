package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// Create with its own pool, stop it and add a second binding, import by
// name and by host/name, see a site started and then deleted out of band
// come back, destroy. The site, its pool and its host names are this
// test's own (tfacc-): it runs on a shared real host too.
func TestAccWebsiteLifecycle(t *testing.T) {
	h := newTestHost(t, simOptions{})
	ctx := context.Background()
	c := agentClient(t, h)
	name := uniquePoolName(t, "site")
	dir := `C:\sites\` + name
	hostName := name + ".example.test"
	h.addPoolOutOfBand(t, name)
	h.oob(t).do("create "+dir, h.admin(t).MakeDir(ctx, dir))
	base := []string{`physical_path = ` + hclString(dir), `application_pool = ` + hclString(name)}
	created := h.providerConfig() + siteConfig("test", name, append(base, httpBinding(hostName))...)
	// The second host name is in mixed case: the host keeps it as
	// written, and the state keeps the configuration's spelling.
	stopped := h.providerConfig() + siteConfig("test", name, append(base, `state = "Stopped"`,
		`bindings = [`,
		`  { protocol = "http", port = 80, host_name = `+hclString(hostName)+` },`,
		`  { protocol = "http", port = 8080, host_name = `+hclString("WWW."+strings.ToUpper(hostName))+` },`,
		`]`)...)
	onHost := func(state string, bindings int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			s, err := iis.GetSite(ctx, c, name)
			if err != nil || s.State != state || s.ApplicationPool != name || s.PhysicalPath != dir ||
				len(s.Bindings) != bindings || s.Bindings[0].HostName != hostName {
				return fmt.Errorf("host has %+v (%v), want %s in pool %s at %s with %d bindings", s, err, state, name, dir, bindings)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy: func(*terraform.State) error {
			if _, err := iis.GetSite(ctx, c, name); !iis.IsNotFound(err) {
				return fmt.Errorf("site %s left after destroy (%v)", name, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: created,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(siteAddr, plancheck.ResourceActionCreate),
					expectStrings(siteAddr, "identities", `IIS AppPool\`+name, `NT AUTHORITY\IUSR`),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(siteAddr, tfjsonpath.New("state"), knownvalue.StringExact("Started")),
					statecheck.ExpectKnownValue(siteAddr, tfjsonpath.New("bindings").AtSliceIndex(0).AtMapKey("ip_address"), knownvalue.StringExact("*")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(onHost("Started", 1),
					// The ID is the one the host gave the site.
					func(st *terraform.State) error {
						s, err := iis.GetSite(ctx, c, name)
						if got := st.RootModule().Resources[siteAddr].Primary.Attributes["site_id"]; err != nil || got != strconv.FormatInt(s.ID, 10) {
							return fmt.Errorf("site_id %s in state, host has %d (%v)", got, s.ID, err)
						}
						return nil
					}),
			},
			{
				Config: stopped,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(siteAddr, plancheck.ResourceActionUpdate),
				}},
				Check: onHost("Stopped", 2),
			},
			{
				// The host name's case is the configuration's: no diff.
				Config:             stopped,
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{Config: stopped, ResourceName: siteAddr, ImportState: true, ImportStateId: strings.ToUpper(name), ImportStateVerify: true,
				// The host spells the host name as written; the state keeps the configuration's case.
				ImportStateVerifyIgnore: []string{"bindings.1.host_name"}},
			{Config: stopped, ResourceName: siteAddr, ImportState: true, ImportStateId: h.Host + "/" + name, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"host", "bindings.1.host_name"}},
			{
				// Started out of band: the plan stops it again.
				PreConfig: func() { h.oob(t).do("start "+name, h.admin(t).SetSiteState(ctx, name, true)) },
				Config:    stopped,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(siteAddr, plancheck.ResourceActionUpdate),
					expectString(siteAddr, "state", "Stopped"),
				}},
				Check: onHost("Stopped", 2),
			},
			{
				// Deleted out of band: refresh drops it and the plan creates it.
				PreConfig: func() { h.oob(t).do("remove "+name, h.admin(t).RemoveSite(ctx, name)) },
				Config:    stopped,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(siteAddr, plancheck.ResourceActionCreate),
				}},
				Check: onHost("Stopped", 2),
			},
		},
	})
}

// An https binding with a certificate from WebHosting, and the host
// name's case kept as configured. It stays on the simulator: it needs a
// certificate of a known thumbprint in the host's store, which no
// out-of-band step puts on a real host.
func TestAccWebsiteHTTPSBinding(t *testing.T) {
	h := newSiteSimHost(t)
	base := []string{`physical_path = "C:\\sites\\shop"`, `application_pool = "shop"`}
	created := h.providerConfig() + siteConfig("test", "shop", append(base, httpBinding("shop.example.com"))...)
	https := h.providerConfig() + siteConfig("test", "shop", append(base,
		`bindings = [`,
		`  { protocol = "http", port = 80, host_name = "shop.example.com" },`,
		`  { protocol = "https", port = 443, host_name = "Shop.Example.com", certificate_thumbprint = "`+siteThumb+`", certificate_store = "WebHosting" },`,
		`]`)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config: created,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(siteAddr, tfjsonpath.New("site_id"), knownvalue.Int64Exact(2)),
				},
			},
			{
				Config: https,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(siteAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					s, err := h.host.Site(context.Background(), "shop")
					if err != nil || len(s.Bindings) != 2 || s.Bindings[1].CertificateThumbprint != siteThumb ||
						s.Bindings[1].CertificateStore != "WebHosting" || s.Bindings[1].SslFlags != 1 {
						return fmt.Errorf("host has %+v (%v)", s, err)
					}
					return nil
				},
			},
			{Config: https, PlanOnly: true, ExpectNonEmptyPlan: false},
			{Config: https, ResourceName: siteAddr, ImportState: true, ImportStateId: "shop", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"bindings.1.host_name"}},
		},
	})
}

// The stock Default Web Site is managed by importing it; its stock
// settings written as configuration plan no change.
func TestAccWebsiteDefaultWebSiteImport(t *testing.T) {
	h := newSiteSimHost(t)
	stock := h.providerConfig() + siteConfig("test", "Default Web Site",
		`physical_path = "%SystemDrive%\\inetpub\\wwwroot"`, `application_pool = "DefaultAppPool"`,
		`bindings = [{ protocol = "http", port = 80 }]`)
	moved := h.providerConfig() + siteConfig("test", "Default Web Site",
		`physical_path = "C:\\sites\\blog"`, `application_pool = "blog"`, `bindings = [{ protocol = "http", port = 8080 }]`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{Config: stock, ResourceName: siteAddr, ImportState: true, ImportStateId: "default web site", ImportStatePersist: true},
			{Config: stock, PlanOnly: true},
			{
				Config: moved,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(siteAddr, plancheck.ResourceActionUpdate),
					expectStrings(siteAddr, "identities", `IIS AppPool\blog`, `NT AUTHORITY\IUSR`),
				}},
				Check: func(*terraform.State) error {
					s, err := h.host.Site(context.Background(), "Default Web Site")
					if err != nil || s.ApplicationPool != "blog" || s.Bindings[0].Port != 8080 {
						return fmt.Errorf("host has %+v (%v)", s, err)
					}
					return nil
				},
			},
		},
	})
}

// Plan-time refusals: a binding another started site answers, an https
// binding without its certificate, a name IIS refuses, and a site that
// exists already. The other site is this test's own (tfacc-), added out of
// band: it runs on a shared real host too.
func TestAccWebsitePlanTimeErrors(t *testing.T) {
	h := newTestHost(t, simOptions{})
	ctx := context.Background()
	name, other := uniquePoolName(t, "site"), uniquePoolName(t, "other")
	dir := `C:\sites\` + other
	h.addPoolOutOfBand(t, other)
	h.oob(t).do("create "+dir, h.admin(t).MakeDir(ctx, dir))
	// It answers http on port 80 for its own name, as New-Website -HostHeader does.
	h.addSiteOutOfBand(t, other, other, dir)
	path := `physical_path = ` + hclString(dir)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config: h.providerConfig() + siteConfig("test", name, path, httpBinding(other)),
				// Terraform wraps the message at spaces.
				ExpectError: regexp.MustCompile(`(?s)Binding already in use.*Started\s+site\s+"` + other + `"\s+already\s+answers\s+http\s+\*:80:` + other),
			},
			{
				Config:      h.providerConfig() + siteConfig("test", name, path, `bindings = [{ protocol = "https", port = 443 }]`),
				ExpectError: regexp.MustCompile(`(?s)Invalid binding.*an https binding needs certificate_thumbprint`),
			},
			{
				Config:      h.providerConfig() + siteConfig("test", "tfacc|x", path, httpBinding(name)),
				ExpectError: regexp.MustCompile(`(?s)Invalid site name.*contains a character IIS refuses`),
			},
			{
				Config:      h.providerConfig() + siteConfig("test", strings.ToUpper(other), path, httpBinding(name)),
				ExpectError: regexp.MustCompile(`(?s)Site already exists.*import it`),
			},
		},
	})
}

// The boundary warnings as terraform plan prints them: a site whose
// anonymous requests run as the account other sites' do (IUSR, the stock
// default) warns, naming them and saying how to separate them; a plan that
// changes nothing stays quiet; with anonymous requests on the pool
// identity, moving a second site onto a shared pool warns, naming the site
// it now shares with.
func TestAccWebsiteBoundaryWarnings(t *testing.T) {
	h := newSiteSimHost(t)
	w := newTFWorkdir(t)
	shop := siteConfig("shop", "shop", `physical_path = "C:\\sites\\shop"`, `application_pool = "shop"`, httpBinding("shop.example.com"))
	blog := func(pool string) string {
		return siteConfig("blog", "blog", `physical_path = "C:\\sites\\blog"`, `application_pool = "`+pool+`"`, httpBinding("blog.example.com"))
	}
	const poolIdentity = "resource \"iis_anonymous_authentication\" \"server\" {\n  location = \"\"\n  identity = \"app_pool\"\n}\n"
	// plan returns the boundary warnings of a plan of body, each as one
	// line (Terraform wraps them), and applies it when apply is set.
	plan := func(body string, apply bool) []string {
		t.Helper()
		w.configure(h.providerConfig() + body)
		out := w.mustRun("plan", "-no-color", "-out=plan.out")
		var found []string
		for _, block := range strings.Split(out, "Warning: ")[1:] {
			if text := strings.Join(strings.Fields(block), " "); strings.HasPrefix(text, "The boundary between") {
				found = append(found, text)
			}
		}
		if apply {
			w.apply()
		}
		return found
	}
	expect := func(step string, got []string, want ...string) {
		t.Helper()
		if len(want) == 0 {
			if len(got) != 0 {
				t.Fatalf("%s: want no boundary warning, got %q", step, got)
			}
			return
		}
		if len(got) != 1 {
			t.Fatalf("%s: want one boundary warning, got %q", step, got)
		}
		for _, s := range want {
			if !strings.Contains(got[0], s) {
				t.Errorf("%s: the warning lacks %q:\n%s", step, s, got[0])
			}
		}
	}
	w.mustRun("init", "-no-color")
	expect("shop on IUSR", plan(shop, true),
		`The boundary between site "shop" and "Default Web Site" is gone`,
		`Anonymous requests to site "shop" would run as NT AUTHORITY\IUSR, an account that already runs code in "Default Web Site"`,
		`iis_anonymous_authentication with identity = "app_pool"`, `identity = "specific_user"`)
	// The second site names both; shop, unchanged, does not warn again.
	expect("blog on IUSR", plan(shop+blog("blog"), true),
		`The boundary between site "blog" and "Default Web Site", "shop" is gone`)
	expect("no change", plan(shop+blog("blog"), false))
	expect("anonymous requests on the pool identity", plan(shop+blog("blog")+poolIdentity, true))
	expect("blog moved onto shop's pool", plan(shop+blog("shop")+poolIdentity, false),
		`The boundary between site "blog" and "shop" is gone`,
		`In pool "shop", site "blog" would run code as IIS AppPool\shop, and so do "shop"`,
		`Give each site or application a pool of its own`)
}
