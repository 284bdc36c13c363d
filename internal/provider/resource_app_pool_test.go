package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

const poolAddr = "iis_app_pool.test"

// poolConfig renders an iis_app_pool block; attrs are HCL lines.
func poolConfig(label, name string, attrs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"iis_app_pool\" %q {\n  name = %s\n", label, hclString(name))
	for _, a := range attrs {
		b.WriteString("  " + a + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// uniquePoolName keeps pools of different tests apart on a shared real
// host; pool names are at most 64 characters.
func uniquePoolName(t *testing.T, base string) string {
	n := "tfacc-" + base + "-" + strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	if len(n) > iis.MaxPoolNameLength {
		n = n[:iis.MaxPoolNameLength]
	}
	return n
}

// hostPool reads a pool through the agent; ok is false when it is gone.
func hostPool(t *testing.T, c *remote.Client, name string) (iis.AppPool, bool) {
	t.Helper()
	p, err := iis.GetAppPool(context.Background(), c, name)
	if iis.IsNotFound(err) {
		return iis.AppPool{}, false
	}
	if err != nil {
		t.Fatalf("read pool %s from the host: %v", name, err)
	}
	return p, true
}

func checkPoolGone(t *testing.T, c *remote.Client, names ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, n := range names {
			if _, ok := hostPool(t, c, n); ok {
				return fmt.Errorf("application pool %s is still on the host after destroy", n)
			}
		}
		return nil
	}
}

// Create with the stock defaults shown as values, update in place, import
// by name, destroy.
func TestAccAppPoolLifecycle(t *testing.T) {
	h := newTestHost(t, simOptions{})
	c := agentClient(t, h)
	name := uniquePoolName(t, "shop")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkPoolGone(t, c, name),
		Steps: []resource.TestStep{
			{
				Config: h.providerConfig() + poolConfig("test", name),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(poolAddr, tfjsonpath.New("managed_runtime_version")),
				}},
				// New-WebAppPool's pool on a stock host: applicationPoolDefaults
				// over the schema.
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("managed_runtime_version"), knownvalue.StringExact("v4.0")),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("pipeline_mode"), knownvalue.StringExact("Integrated")),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("start_mode"), knownvalue.StringExact("OnDemand")),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("load_user_profile"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("idle_timeout"), knownvalue.StringExact("00:20:00")),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("state"), knownvalue.StringExact("Started")),
					statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("periodic_restart"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"time": knownvalue.StringExact("1.05:00:00"), "requests": knownvalue.Int64Exact(0),
						"memory": knownvalue.Int64Exact(0), "private_memory": knownvalue.Int64Exact(0),
						"schedule": knownvalue.SetSizeExact(0),
					})),
				},
			},
			{
				Config: h.providerConfig() + poolConfig("test", name,
					`managed_runtime_version = ""`, `pipeline_mode = "Classic"`, `start_mode = "AlwaysRunning"`,
					`enable_32bit_on_win64 = true`, `idle_timeout = "00:05:00"`, `state = "Stopped"`,
					`periodic_restart = { time = "00:00:00", private_memory = 1048576, schedule = ["03:00:00", "15:30:00"] }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionUpdate),
					// Attributes left out keep the host's value, not "known after apply".
					plancheck.ExpectKnownValue(poolAddr, tfjsonpath.New("auto_start"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(poolAddr, tfjsonpath.New("periodic_restart").AtMapKey("requests"), knownvalue.Int64Exact(0)),
				}},
				Check: func(*terraform.State) error {
					p, _ := hostPool(t, c, name)
					if p.ManagedRuntimeVersion != "" || p.PipelineMode != "Classic" || p.StartMode != "AlwaysRunning" || !p.Enable32BitAppOnWin64 ||
						p.IdleTimeout != "00:05:00" || p.State != "Stopped" || p.PeriodicRestart.Time != "00:00:00" ||
						p.PeriodicRestart.PrivateMemory != 1048576 || strings.Join(p.PeriodicRestart.Schedule, ",") != "03:00:00,15:30:00" {
						return fmt.Errorf("pool on the host: %+v", p)
					}
					return nil
				},
			},
			{
				// The same configuration again: nothing to do.
				Config: h.providerConfig() + poolConfig("test", name,
					`managed_runtime_version = ""`, `pipeline_mode = "Classic"`, `start_mode = "AlwaysRunning"`,
					`enable_32bit_on_win64 = true`, `idle_timeout = "00:05:00"`, `state = "Stopped"`,
					`periodic_restart = { time = "00:00:00", private_memory = 1048576, schedule = ["15:30:00", "03:00:00"] }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:      poolAddr,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
			},
		},
	})
}

// import by host/name, and with an import block.
func TestAccAppPoolImportByHostAndName(t *testing.T) {
	h := newTestHost(t, simOptions{})
	legacy := uniquePoolName(t, "legacy")
	h.addPoolOutOfBand(t, legacy)
	config := h.providerConfig() + poolConfig("test", legacy, "host = "+hclString(h.Host))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config:             config,
				ResourceName:       poolAddr,
				ImportState:        true,
				ImportStateId:      h.Host + "/" + legacy,
				ImportStatePersist: true,
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if len(s) != 1 || s[0].Attributes["host"] != h.Host || s[0].Attributes["managed_runtime_version"] != "v4.0" {
						return fmt.Errorf("imported %+v", s)
					}
					return nil
				},
			},
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{Config: config, ResourceName: poolAddr, ImportState: true, ImportStateId: h.Host + "/" + legacy, ImportStateVerify: true},
		},
	})
}

func TestAccAppPoolImportBlock(t *testing.T) {
	h := newSimHost(t, simOptions{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config: h.providerConfig() + poolConfig("test", "DefaultAppPool") +
				"import {\n  to = iis_app_pool.test\n  id = \"DefaultAppPool\"\n}\n",
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("state"), knownvalue.StringExact("Started")),
				statecheck.ExpectKnownValue(poolAddr, tfjsonpath.New("force_destroy"), knownvalue.Bool(false)),
			},
		}, {
			// DefaultAppPool serves Default Web Site: destroying it is
			// refused, naming the site's root application.
			Config:      h.providerConfig(),
			ExpectError: wrappedText("still used by 1 application(s): Default Web Site/.", "force_destroy = true"),
		}, {
			// Let go of it without deleting it.
			Config: h.providerConfig() + "removed {\n  from = iis_app_pool.test\n  lifecycle {\n    destroy = false\n  }\n}\n",
			Check: func(*terraform.State) error {
				if _, err := h.host.AppPool(context.Background(), "DefaultAppPool"); err != nil {
					return err
				}
				return nil
			},
		}},
	})
}

// A pool that already exists is never adopted by create; one deleted out
// of band is created again; one changed out of band is put back.
func TestAccAppPoolExistingAndDrift(t *testing.T) {
	h := newTestHost(t, simOptions{})
	ctx := context.Background()
	c := agentClient(t, h)
	taken, api := uniquePoolName(t, "taken"), uniquePoolName(t, "api")
	h.addPoolOutOfBand(t, taken)
	config := h.providerConfig() + poolConfig("test", api, `pipeline_mode = "Integrated"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkPoolGone(t, c, api),
		Steps: []resource.TestStep{
			{
				Config:      h.providerConfig() + poolConfig("test", strings.ToUpper(taken)),
				ExpectError: wrappedText(`already has an application pool named "`+strings.ToUpper(taken)+`".`, "import it"),
			},
			{Config: config},
			{
				PreConfig: func() {
					if err := h.admin(t).SetAppPoolAttr(ctx, api, "managedPipelineMode", "Classic"); err != nil {
						t.Fatal(err)
					}
					// Not managed here: a change to it is no diff.
					if err := h.admin(t).SetAppPoolAttr(ctx, api, "startMode", "AlwaysRunning"); err != nil {
						t.Fatal(err)
					}
				},
				// The refresh records the pool as the host has it; the plan
				// after it puts back the managed attribute and only that.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					expectOnlyChanges(poolAddr, map[string]move{"pipeline_mode": movedStr("Classic", "Integrated")}),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(poolAddr, "pipeline_mode", "Classic"),
					resource.TestCheckResourceAttr(poolAddr, "start_mode", "AlwaysRunning"),
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(poolAddr, tfjsonpath.New("pipeline_mode"), knownvalue.StringExact("Integrated")),
					plancheck.ExpectKnownValue(poolAddr, tfjsonpath.New("start_mode"), knownvalue.StringExact("AlwaysRunning")),
				}},
				Check: func(*terraform.State) error {
					if p, _ := hostPool(t, c, api); p.PipelineMode != "Integrated" || p.StartMode != "AlwaysRunning" {
						return fmt.Errorf("after the apply the host holds pipeline %s, start mode %s; want Integrated put back and AlwaysRunning left alone",
							p.PipelineMode, p.StartMode)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					if err := h.admin(t).RemoveAppPool(ctx, api); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(poolAddr, plancheck.ResourceActionCreate),
				}},
				Check: func(*terraform.State) error {
					if _, ok := hostPool(t, c, api); !ok {
						return fmt.Errorf("pool %s was not created again", api)
					}
					return nil
				},
			},
		},
	})
}

// Destroying a pool that applications run in fails with their names until
// force_destroy is set; the applications then name a missing pool.
func TestAccAppPoolForceDestroy(t *testing.T) {
	h := newTestHost(t, simOptions{})
	c := agentClient(t, h)
	orders := uniquePoolName(t, "orders")
	addApp := func() { h.addApplicationOutOfBand(t, "Default Web Site", "/"+orders, orders) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkPoolGone(t, c, orders),
		Steps: []resource.TestStep{
			{Config: h.providerConfig() + poolConfig("test", orders)},
			{
				PreConfig:   addApp,
				Config:      h.providerConfig(),
				ExpectError: wrappedText("Application pool still in use", "'"+orders+"' is still used by 1 application(s): Default Web Site/"+orders+".", "force_destroy = true"),
			},
			{Config: h.providerConfig() + poolConfig("test", orders, "force_destroy = true")},
			{Config: h.providerConfig()},
		},
	})
}

// Invalid names and values are refused at plan time, before any host is
// asked, with the rule they break.
func TestAccAppPoolInvalidValues(t *testing.T) {
	h := newSimHost(t, simOptions{})
	tests := []struct {
		name  string
		attrs []string
		want  string
	}{
		{".NET v9", nil, `starts with '.', which New-WebAppPool refuses ("Parent node has no children of type appPool.")`},
		{"shop/api", nil, `contains "/"; IIS does not allow any of \ / " | < > : * ? ] [ + = ; , @ & in pool names`},
		{"a+b", nil, `contains "+"`},
		{strings.Repeat("p", 65), nil, `65 characters long; at most 64`},
		{"", nil, `cannot be empty`},
		{"ok", []string{`idle_timeout = "29:00:00"`}, `write whole days as a prefix: "1.05:00:00"`},
		{"ok", []string{`idle_timeout = "20m"`}, `is not a TimeSpan`},
		{"ok", []string{`idle_timeout = "0:20:00"`}, `write "0:20:00" as "00:20:00"`},
		{"ok", []string{`periodic_restart = { schedule = ["24:00:00"] }`}, `hours 0-23`},
		{"ok", []string{`periodic_restart = { requests = -1 }`}, `between 0 and 4294967295`},
		{"ok", []string{`pipeline_mode = "integrated"`}, `value must be one of`},
		{"ok", []string{`managed_runtime_version = "4.0"`}, `value must be one of`},
		{"ok", []string{`state = "Running"`}, `value must be one of`},
	}
	var steps []resource.TestStep
	for _, tt := range tests {
		steps = append(steps, resource.TestStep{
			Config:      h.providerConfig() + poolConfig("test", tt.name, tt.attrs...),
			PlanOnly:    true,
			ExpectError: wrappedText(tt.want),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders(), Steps: steps})
	if n := hostOps(h, "apppool.create"); n != 0 {
		t.Fatalf("%d creates reached the host", n)
	}
}

// wrappedText matches the literal phrases in order, whatever line breaks
// Terraform's diagnostic wrapping puts between their words.
func wrappedText(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// A name made of quoting and expansion characters IIS allows is one pool,
// end to end: created, read back, imported and deleted as data.
func TestAccAppPoolHostileName(t *testing.T) {
	h := newTestHost(t, simOptions{})
	c := agentClient(t, h)
	name := "it's $(Get-Date) `n ${x} %TEMP% ü"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkPoolGone(t, c, name),
		Steps: []resource.TestStep{
			{
				Config: h.providerConfig() + poolConfig("test", name, `state = "Stopped"`),
				Check: func(*terraform.State) error {
					if p, ok := hostPool(t, c, name); !ok || p.Name != name || p.State != "Stopped" {
						return fmt.Errorf("pool on the host: %+v", p)
					}
					return nil
				},
			},
			{ResourceName: poolAddr, ImportState: true, ImportStateId: name, ImportStateVerify: true},
		},
	})
}
