package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

const caAddr = "iis_content_access.test"

func contentConfig(attrs ...string) string {
	return "resource \"iis_content_access\" \"test\" {\n  " + strings.Join(attrs, "\n  ") + "\n}\n"
}

// newTwoSiteSimHost adds sites shop and blog, each in its own pool, to
// newSiteSimHost's host.
func newTwoSiteSimHost(t *testing.T) *testHost {
	t.Helper()
	h := newSiteSimHost(t)
	ctx := context.Background()
	for _, err := range []error{
		h.admin(t).AddSite(ctx, "shop", "shop", `C:\sites\shop`),
		h.admin(t).AddSite(ctx, "blog", "blog", `C:\sites\blog`),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// addContentSite adds, out of band, a pool, a directory C:\sites\<name>
// and a site serving it in that pool, all named name (tfacc-, unique to
// the test): a content grant's own site on a shared real host. On a real
// host they are removed when the test ends; the directory, empty, stays.
func addContentSite(t *testing.T, h *testHost, name string) (dir string) {
	t.Helper()
	dir = `C:\sites\` + name
	h.addPoolOutOfBand(t, name)
	h.oob(t).do("create "+dir, h.admin(t).MakeDir(context.Background(), dir))
	h.addSiteOutOfBand(t, name, name, dir)
	return dir
}

// explicitOnHost is identity's explicit Allow entries on dir, as the
// host's Get-Acl shows them, read through the agent.
func explicitOnHost(t *testing.T, c *remote.Client, dir, identity string) []string {
	t.Helper()
	acl, err := iis.GetACL(context.Background(), c, dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range acl.Explicit(identity) {
		out = append(out, e.Rights)
	}
	return out
}

// Read, then modify (privilege least -> high), import, drift when the
// entry changes and when it disappears, and a destroy that removes exactly
// this entry. The site, its pool and its directory are this test's own
// (tfacc-): it runs on a shared real host too.
func TestAccContentAccessLifecycle(t *testing.T) {
	h := newTestHost(t, simOptions{})
	ctx := context.Background()
	c := agentClient(t, h)
	name := uniquePoolName(t, "content")
	dir, pool := addContentSite(t, h, name), `IIS APPPOOL\`+name
	cfg := func(access string) string {
		return h.providerConfig() + contentConfig(`path = `+hclString(dir), `app_pool = `+hclString(name), `access = "`+access+`"`)
	}
	onHost := func(want ...string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := explicitOnHost(t, c, dir, pool); strings.Join(got, "|") != strings.Join(want, "|") {
				return fmt.Errorf("explicit entries of %s on %s: %q, want %q", pool, dir, got, want)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy: func(*terraform.State) error {
			if got := explicitOnHost(t, c, dir, pool); len(got) != 0 {
				return fmt.Errorf("entries left after destroy: %q", got)
			}
			if got := explicitOnHost(t, c, dir, "IUSR"); len(got) != 1 {
				return fmt.Errorf("destroy removed another identity's entry: IUSR has %q", got)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg("read"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionCreate),
					expectString(caAddr, "identity", pool),
					expectString(caAddr, "privilege", "least"),
					expectString(caAddr, "exposure", pool+` can read `+dir+`: read-only web content`),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(onHost("ReadAndExecute, Synchronize"),
					resource.TestCheckResourceAttr(caAddr, "id", dir+`|`+pool)),
			},
			{
				Config: cfg("modify"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionUpdate),
					expectString(caAddr, "privilege", "high"),
					expectString(caAddr, "exposure", pool+` can modify `+dir+`: writable web root`),
					expectString(caAddr, "privilege_reason", pool+` can modify `+dir+`: writable web root; `+
						`it is the content of `+name+`; `+pool+` serves anonymous requests at `+name),
				}},
				Check: onHost("Modify, Synchronize"),
			},
			{Config: cfg("modify"), ResourceName: caAddr, ImportState: true, ImportStateId: dir + `|IIS AppPool\` + name, ImportStateVerify: true},
			{Config: cfg("modify"), ResourceName: caAddr, ImportState: true, ImportStateId: h.Host + `|` + dir + `|` + pool,
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"host"}},
			{
				// Changed out of band: a refresh-only plan records what
				// Windows now holds, in Windows' words.
				PreConfig: func() {
					if err := h.admin(t).SetAccessRule(ctx, dir, pool, "Write, Synchronize", "Allow", "None"); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(caAddr, "access", "Write, Synchronize; inheritance None; propagation None"),
					resource.TestCheckResourceAttr(caAddr, "privilege", "full"),
				),
			},
			{
				Config: cfg("modify"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionUpdate),
				}},
				Check: onHost("Modify, Synchronize"),
			},
			{
				// Removed out of band: the plan grants it again. Another
				// identity's entry appears meanwhile; destroy must keep it.
				PreConfig: func() {
					if err := h.admin(t).RemoveAccessRules(ctx, dir, pool); err != nil {
						t.Fatal(err)
					}
					if err := h.admin(t).SetAccessRule(ctx, dir, "IUSR", "ReadAndExecute, Synchronize", "Allow", "ContainerInherit, ObjectInherit"); err != nil {
						t.Fatal(err)
					}
					if h.host == nil {
						t.Cleanup(func() { _ = h.admin(t).RemoveAccessRules(ctx, dir, "IUSR") })
					}
				},
				Config: cfg("modify"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionCreate),
				}},
				Check: onHost("Modify, Synchronize"),
			},
		},
	})
}

// IUSR shared by every site reads across the sites' boundaries; a named
// account resolves to its canonical name (the host's computer name, read
// through the agent); refusals at plan and apply time. The sites, pools
// and user are this test's own (tfacc-): it runs on a shared real host too.
func TestAccContentAccessIdentities(t *testing.T) {
	h := newTestHost(t, simOptions{})
	ctx := context.Background()
	shop, blog := uniquePoolName(t, "shop"), uniquePoolName(t, "blog")
	uploads := addContentSite(t, h, shop) + `\uploads`
	blogDir := addContentSite(t, h, blog)
	h.oob(t).do("create "+uploads, h.admin(t).MakeDir(ctx, uploads))
	user := h.addUserOutOfBand(t, `D3ploy "pw" $(x)`)
	account := h.hostComputer(t) + `\` + user
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config:      h.providerConfig() + contentConfig(`path = `+hclString(blogDir), `iusr = true`, `app_pool = `+hclString(blog)),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured`),
			},
			{
				// Terraform wraps the message at spaces.
				Config:      h.providerConfig() + contentConfig(`path = "C:\\sites\\tfacc-none"`, `iusr = true`),
				ExpectError: regexp.MustCompile(`(?s)Directory not found.*Cannot\s+find\s+path\s+'C:\\sites\\tfacc-none'\s+because\s+it\s+does\s+not\s+exist`),
			},
			{
				// The host's other sites (Default Web Site on a stock host)
				// are listed too; blog, whose content this is, is not.
				Config: h.providerConfig() + contentConfig(`path = `+hclString(blogDir), `iusr = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectString(caAddr, "identity", `NT AUTHORITY\IUSR`),
					expectString(caAddr, "privilege", "low"),
					plancheck.ExpectKnownValue(caAddr, tfjsonpathNew("privilege_reason"), knownRegexp(
						`NT AUTHORITY\\IUSR also runs code in (?:[^;]*, )?`+regexp.QuoteMeta(shop)+`(?:, [^;]*)?, which this directory does not belong to: the boundary between them is gone`)),
				}},
				Check: resource.TestCheckResourceAttrWith(caAddr, "privilege_reason", func(reason string) error {
					_, list, _ := strings.Cut(reason, "also runs code in ")
					list, _, _ = strings.Cut(list, ", which this directory")
					if slices.Contains(strings.Split(list, ", "), blog) {
						return fmt.Errorf("the sites IUSR crosses into include %s, whose content this is: %s", blog, reason)
					}
					return nil
				}),
			},
			{
				Config: h.providerConfig() + contentConfig(`path = `+hclString(uploads), `account = `+hclString(user), `access = "full"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(caAddr, plancheck.ResourceActionDestroyBeforeCreate),
					expectString(caAddr, "identity", account),
					expectString(caAddr, "privilege", "full"),
				}},
			},
			{Config: h.providerConfig() + contentConfig(`path = `+hclString(uploads), `account = `+hclString(account), `access = "full"`),
				ResourceName: caAddr, ImportState: true, ImportStateId: uploads + `|` + account, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"account"}},
		},
	})
}

// A grant on the web root of a site that the same apply creates: the pool
// and the directory exist, the site does not yet, so what the grant
// exposes there is known after apply, and the apply records it.
func TestAccContentAccessOnASiteCreatedInTheSameApply(t *testing.T) {
	h := newTestHost(t, simOptions{})
	name := uniquePoolName(t, "content")
	dir, pool := `C:\sites\`+name, `IIS APPPOOL\`+name
	h.addPoolOutOfBand(t, name)
	h.oob(t).do("create "+dir, h.admin(t).MakeDir(context.Background(), dir))
	cfg := h.providerConfig() + siteConfig("shop", name, `physical_path = `+hclString(dir), `application_pool = `+hclString(name),
		httpBinding(name+".example.test")) +
		contentConfig(`path = iis_website.shop.physical_path`, `app_pool = iis_website.shop.application_pool`, `access = "modify"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(caAddr, tfjsonpathNew("privilege")),
					plancheck.ExpectUnknownValue(caAddr, tfjsonpathNew("privilege_reason")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(caAddr, "privilege", "high"),
					resource.TestCheckResourceAttr(caAddr, "privilege_reason", pool+` can modify `+dir+`: writable web root; `+
						`it is the content of `+name+`; `+pool+` serves anonymous requests at `+name),
				),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// The warnings as terraform plan prints them: read access on a site's own
// content is quiet; modify for the pool that serves the site's anonymous
// requests warns that anonymous visitors could then write it, and that the
// privilege rises.
func TestAccContentAccessWarnings(t *testing.T) {
	h := newTestHost(t, simOptions{})
	name := uniquePoolName(t, "content")
	dir, pool := addContentSite(t, h, name), `IIS APPPOOL\`+name
	if h.host == nil {
		// The read grant this test applies is Terraform's, but nothing
		// here destroys it.
		t.Cleanup(func() { _ = h.admin(t).RemoveAccessRules(context.Background(), dir, pool) })
	}
	w := newTFWorkdir(t)
	plan := func(access string) string {
		t.Helper()
		w.configure(h.providerConfig() + contentConfig(`path = `+hclString(dir), `app_pool = `+hclString(name), `access = "`+access+`"`))
		return strings.Join(strings.Fields(w.mustRun("plan", "-no-color", "-out=plan.out")), " ")
	}
	w.mustRun("init", "-no-color")
	if out := plan("read"); strings.Contains(out, "Warning:") {
		t.Errorf("read grant warned:\n%s", out)
	}
	w.apply()
	out := plan("modify")
	for _, want := range []string{
		`Warning: ` + pool + ` serves anonymous requests and would be able to write ` + dir,
		pool + ` answers anonymous requests at ` + name + `. With modify access, anyone who can reach those sites`,
		`Keep anonymous identities read-only on served content`,
		`Warning: Changing access to ` + dir + ` raises privilege from least to high`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
}
