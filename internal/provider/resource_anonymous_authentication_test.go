package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// Create with the pool identity, switch to a specific user with a
// write-only password, rotate it, disable, import by location and by
// host|location, destroy (the location inherits IUSR again).
func TestAccAnonymousAuthLifecycle(t *testing.T) {
	h, n := newAnonTestHost(t)
	user := func(extra ...string) string {
		return h.providerConfig() + anonConfig("test", n.location, append([]string{
			`identity = "specific_user"`, `username = "` + n.user + `"`,
		}, extra...)...)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   writeOnlyNeedsTF111,
		CheckDestroy:             checkInherits(t, h, n.location, "IUSR"),
		Steps: []resource.TestStep{
			{
				Config: h.providerConfig() + anonConfig("test", n.location, `identity = "app_pool"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(anonAddr, plancheck.ResourceActionCreate),
					expectPlanned("id", n.location),
					expectPlanned("account", `IIS AppPool\`+n.pool),
					expectPlanned("privilege", "least"),
					plancheck.ExpectKnownValue(anonAddr, tfjsonpath.New("privilege_reason"), anonPoolReason(n)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(anonAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(anonAddr, tfjsonpath.New("username"), knownvalue.Null()),
				},
				// userName "" is the location's own: the server level says IUSR.
				Check: expectAnonOnHost(t, h, n.location, "true", "", ""),
			},
			{
				Config: user(`password_wo = "first-Pw1"`, `password_wo_version = 1`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(anonAddr, plancheck.ResourceActionUpdate),
					expectPlanned("account", n.user),
					expectPlanned("privilege", "medium"),
					expectPlanned("privilege_reason", n.user+": ordinary local account, in no administrative group"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(anonAddr, tfjsonpath.New("password_wo"), knownvalue.Null()),
				},
				Check: expectAnonOnHost(t, h, n.location, "true", n.user, "first-Pw1"),
			},
			{
				// A new version sends the new write-only password.
				Config: user(`enabled = false`, `password_wo = "second-Pw2"`, `password_wo_version = 2`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(anonAddr, plancheck.ResourceActionUpdate),
					expectPlanned("privilege", "medium"),
				}},
				Check: expectAnonOnHost(t, h, n.location, "false", n.user, "second-Pw2"),
			},
			{
				Config:                  user(`enabled = false`, `password_wo = "second-Pw2"`, `password_wo_version = 2`),
				ResourceName:            anonAddr,
				ImportState:             true,
				ImportStateId:           n.location,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"password_wo_version"},
			},
			{
				Config:                  user(`enabled = false`, `password_wo = "second-Pw2"`, `password_wo_version = 2`),
				ResourceName:            anonAddr,
				ImportState:             true,
				ImportStateId:           h.Host + "|" + n.location,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"password_wo_version", "host"},
			},
		},
	})
}

// expectAnonOnHost reads the location's effective settings as an
// administrator would (Get-WebConfigurationProperty on a real host).
func expectAnonOnHost(t *testing.T, h *testHost, loc, enabled, user, password string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := map[string]string{}
		for _, attr := range []string{"enabled", "userName", "password"} {
			v, err := h.admin(t).AnonymousAuthValue(context.Background(), loc, attr)
			if err != nil {
				return err
			}
			got[attr] = v
		}
		if got["enabled"] != enabled || got["userName"] != user || got["password"] != password {
			// Never print the password: only whether it matched.
			return fmt.Errorf("host holds enabled=%s userName=%q password matches=%v; want enabled=%s userName=%q and the configured password",
				got["enabled"], got["userName"], got["password"] == password, enabled, user)
		}
		return nil
	}
}

// The coupling: with identity app_pool, anonymous requests run as the
// pool's identity, so a pool running as LocalSystem makes this resource's
// privilege full in the plan, and a pool switched to LocalSystem out of
// band shows as privilege drift on refresh.
func TestAccAnonymousAuthFollowsThePool(t *testing.T) {
	h, n := newAnonTestHost(t)
	// The pool the application is moved to is this test's own too.
	other := uniquePoolName(t, "other")
	h.addPoolOutOfBand(t, other)
	config := h.providerConfig() + anonConfig("test", n.location, `identity = "app_pool"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { setPoolIdentity(t, h, n.pool, "LocalSystem") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectPlanned("account", `NT AUTHORITY\SYSTEM`),
					expectPlanned("privilege", "full"),
					expectPlanned("privilege_reason", `application pool identity of pool "`+n.pool+`", which serves `+n.location+`: `+
						`LocalSystem: full control of the host, acts as the computer account on the network`),
				}},
			},
			{
				PreConfig: func() { setPoolIdentity(t, h, n.pool, "ApplicationPoolIdentity") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// Refresh already saw the pool change: nothing to do.
					plancheck.ExpectEmptyPlan(),
					anonExpectDrift(anonAddr, "privilege", "full", "least"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(anonAddr, tfjsonpath.New("privilege"), knownvalue.StringExact("least")),
				},
			},
			{
				// The administrator moves the pool to LocalSystem: a
				// refresh-only run records the rise.
				PreConfig:    func() { setPoolIdentity(t, h, n.pool, "LocalSystem") },
				RefreshState: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(anonAddr, "privilege", "full"),
					resource.TestCheckResourceAttr(anonAddr, "account", `NT AUTHORITY\SYSTEM`),
					resource.TestCheckResourceAttr(anonAddr, "identity", "app_pool"),
				),
			},
			{
				// Moving the application to another pool is followed too.
				PreConfig: func() {
					if err := h.admin(t).SetApplicationPool(context.Background(), "Default Web Site", "/"+n.pool, other); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					anonExpectDrift(anonAddr, "account", `NT AUTHORITY\SYSTEM`, `IIS AppPool\`+other),
					anonExpectDrift(anonAddr, "privilege", "full", "least"),
				}},
			},
		},
	})
}

// anonExpectDrift checks that the plan reports a change made outside
// Terraform (resource_drift): attr went from before to after.
func anonExpectDrift(addr, attr, before, after string) plancheck.PlanCheck {
	return anonDriftCheck{addr: addr, attr: attr, before: before, after: after}
}

type anonDriftCheck struct{ addr, attr, before, after string }

func (c anonDriftCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceDrift {
		if rc.Address != c.addr || rc.Change == nil {
			continue
		}
		b, _ := rc.Change.Before.(map[string]any)
		a, _ := rc.Change.After.(map[string]any)
		if b[c.attr] == c.before && a[c.attr] == c.after {
			return
		}
		resp.Error = fmt.Errorf("%s drifted %s from %v to %v, want %q -> %q", c.addr, c.attr, b[c.attr], a[c.attr], c.before, c.after)
		return
	}
	resp.Error = fmt.Errorf("no drift reported for %s; want %s %q -> %q", c.addr, c.attr, c.before, c.after)
}

// An administrator switches the location to a specific user out of band:
// the refresh shows who anonymous requests now run as, and the next apply
// puts the pool identity back. A location whose own settings are removed
// out of band is created again.
func TestAccAnonymousAuthDrift(t *testing.T) {
	h, n := newAnonTestHost(t)
	config := h.providerConfig() + anonConfig("test", n.location, `identity = "app_pool"`)
	poolReason := anonPoolReason(n)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					ctx := context.Background()
					if err := h.admin(t).AddGroupMember(ctx, "Administrators", n.user); err != nil {
						t.Fatal(err)
					}
					for attr, v := range map[string]string{"userName": n.user, "password": anonUserPassword} {
						if err := h.admin(t).SetAnonymousAuth(ctx, n.location, attr, v); err != nil {
							t.Fatal(err)
						}
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(anonAddr, plancheck.ResourceActionUpdate),
					// Exactly the switch is put back, and the privilege
					// falls with it.
					expectOnlyChanges(anonAddr, map[string]move{
						"identity":         movedStr("specific_user", "app_pool"),
						"username":         moved(knownvalue.StringExact(n.user), knownvalue.Null()),
						"account":          movedStr(n.user, `IIS AppPool\`+n.pool),
						"privilege":        movedStr("full", "least"),
						"privilege_reason": moved(knownvalue.StringExact(n.user+": member of Administrators: full control of the host"), poolReason),
					}),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(anonAddr, "identity", "specific_user"),
					resource.TestCheckResourceAttr(anonAddr, "username", n.user),
					resource.TestCheckResourceAttr(anonAddr, "account", n.user),
					resource.TestCheckResourceAttr(anonAddr, "privilege", "full"),
					resource.TestCheckResourceAttr(anonAddr, "privilege_reason", n.user+": member of Administrators: full control of the host"),
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(anonAddr, plancheck.ResourceActionUpdate),
					expectPlanned("privilege", "least"),
				}},
				Check: func(*terraform.State) error {
					return expectAnonOnHost(t, h, n.location, "true", "", "")(nil)
				},
			},
			{
				PreConfig: func() {
					if err := h.admin(t).ClearAnonymousAuth(context.Background(), n.location); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(anonAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// The anonymous user's password removed on the host is drift: the refresh
// drops it from state, and the plan sets exactly it again.
func TestAccAnonymousAuthPasswordRemovedOutOfBand(t *testing.T) {
	h, n := newAnonTestHost(t)
	config := h.providerConfig() + anonConfig("test", n.location, `identity = "specific_user"`,
		`username = "`+n.user+`"`, `password = `+hclString(anonUserPassword))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{Config: config, Check: expectAnonOnHost(t, h, n.location, "true", n.user, anonUserPassword)},
			{
				PreConfig: func() {
					if err := h.admin(t).SetAnonymousAuth(context.Background(), n.location, "password", ""); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					expectOnlyChanges(anonAddr, map[string]move{"password": moved(knownvalue.Null(), knownvalue.NotNull())}),
				}},
				Check: resource.TestCheckNoResourceAttr(anonAddr, "password"),
			},
			{Config: config, Check: expectAnonOnHost(t, h, n.location, "true", n.user, anonUserPassword)},
		},
	})
}

// The anonymous user's password changed (not removed) on the host is
// drift too: the host proves which password it holds with a salted digest,
// never the password, and the plan sets exactly the configured one again.
// Neither password reaches state.
func TestAccAnonymousAuthPasswordChangedOutOfBand(t *testing.T) {
	h, n := newAnonTestHost(t)
	const changed = `Ch@nged "by" $(an admin)`
	config := h.providerConfig() + anonConfig("test", n.location, `identity = "specific_user"`,
		`username = "`+n.user+`"`, `password_wo = `+hclString(anonUserPassword), `password_wo_version = 1`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   writeOnlyNeedsTF111,
		Steps: []resource.TestStep{
			{Config: config, Check: expectAnonOnHost(t, h, n.location, "true", n.user, anonUserPassword)},
			{
				// Unchanged: no drift, whatever the digest costs.
				RefreshState: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				PreConfig: func() {
					if err := h.admin(t).SetAnonymousAuth(context.Background(), n.location, "password", changed); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					expectOnlyChanges(anonAddr, map[string]move{"password_wo_version": moved(knownvalue.Null(), knownvalue.Int64Exact(1))}),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(resource.TestCheckNoResourceAttr(anonAddr, "password_wo_version"),
					secretNowhere(anonUserPassword), secretNowhere(changed)),
			},
			{Config: config, Check: expectAnonOnHost(t, h, n.location, "true", n.user, anonUserPassword)},
		},
	})
}

// The server level exists on every host: managing it at stock values needs
// no import, its privilege with app_pool is the most privileged pool's, and
// destroying it restores the stock settings rather than the schema's
// (which would disable anonymous access everywhere).
func TestAccAnonymousAuthServerLevel(t *testing.T) {
	h := newAnonSimHost(t)
	config := h.providerConfig() + anonConfig("test", "", `identity = "app_pool"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy: func(*terraform.State) error {
			v := anonOnHost(t, h, "")
			if v.Attrs["enabled"] != "true" || v.Attrs["userName"] != "IUSR" {
				return fmt.Errorf("server level after destroy: %v, want the stock enabled=true userName=IUSR", v.Attrs)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() { setPoolIdentity(t, h, "shop", "NetworkService") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(anonAddr, plancheck.ResourceActionCreate),
					expectPlanned("id", "/"),
					expectPlanned("account", `NT AUTHORITY\NETWORK SERVICE`),
					expectPlanned("privilege", "medium"),
				}},
				Check: func(*terraform.State) error {
					if v := anonOnHost(t, h, "Default Web Site"); v.Attrs["userName"] != "" {
						return fmt.Errorf("the site does not inherit the server level: userName=%q", v.Attrs["userName"])
					}
					return nil
				},
			},
			{Config: config, ResourceName: anonAddr, ImportState: true, ImportStateId: "/", ImportStateVerify: true},
		},
	})
}

// Settings that exist are never adopted silently: a location with its own
// settings, or a server level changed from the stock values.
func TestAccAnonymousAuthExistingIsNotAdopted(t *testing.T) {
	h := newAnonSimHost(t)
	if err := h.admin(t).SetAnonymousAuth(context.Background(), anonShop, "enabled", "false"); err != nil {
		t.Fatal(err)
	}
	if err := h.admin(t).SetAnonymousAuth(context.Background(), "", "userName", ""); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config:      h.providerConfig() + anonConfig("test", anonShop),
				ExpectError: regexp.MustCompile(`Location "Default Web Site/shop" on host \S+ already has its own\s+anonymous[\s\S]*import[\s\S]*"Default Web Site/shop"`),
			},
			{
				Config:      h.providerConfig() + anonConfig("test", ""),
				ExpectError: regexp.MustCompile(`The server level on host \S+ already has anonymous[\s\S]*other\s+than\s+the\s+stock[\s\S]*import[\s\S]*"/"`),
			},
		},
	})
}

// Bad locations and identity/credential combinations fail at plan time,
// at the attribute at fault, saying what is accepted. Nothing is applied,
// and the location need not exist: it runs on a real host too.
func TestAccAnonymousAuthInvalidConfigurations(t *testing.T) {
	h := newTestHost(t, simOptions{})
	tests := []struct {
		location string
		attrs    []string
		want     string
	}{
		{"/", nil, `must not start or end with '/'[\s\S]*write "" for the server level`},
		{"Default Web Site/", nil, `must not start or end with '/'`},
		{`Default Web Site\shop`, nil, `separate the site and the application path with '/'`},
		{anonShop, []string{`identity = "iusr"`, `username = "bob"`}, `identity = "iusr" takes no username`},
		{anonShop, []string{`identity = "app_pool"`, `password = "x"`}, `identity = "app_pool" takes no password`},
		{anonShop, []string{`username = "bob"`}, `identity = "iusr" takes no username`},
		{anonShop, []string{`identity = "specific_user"`, `password = "x"`}, `needs username`},
		{anonShop, []string{`identity = "specific_user"`, `username = "bob"`}, `needs the account's password`},
		{anonShop, []string{`identity = "specific_user"`, `username = ""`, `password = "x"`}, `An empty user name means the application pool identity`},
		{anonShop, []string{`identity = "specific_user"`, `username = "IUSR"`, `password = "x"`}, `IUSR is the built-in anonymous account: set identity = "iusr"`},
		{anonShop, []string{`identity = "specific_user"`, `username = "bob"`, `password = "x"`, `password_wo = "y"`, `password_wo_version = 1`}, `Set either password`},
		{anonShop, []string{`identity = "specific_user"`, `username = "bob"`, `password_wo = "y"`}, `set password_wo_version`},
		{anonShop, []string{`identity = "specific_user"`, `username = "bob"`, `password = "x"`, `password_wo_version = 1`}, `set password_wo too`},
		{anonShop, []string{`identity = "anonymous"`}, `value must be one of`},
	}
	var steps []resource.TestStep
	for _, tt := range tests {
		steps = append(steps, resource.TestStep{
			Config:   h.providerConfig() + anonConfig("test", tt.location, tt.attrs...),
			PlanOnly: true,
			// Terraform wraps diagnostics, so any space may be a line break.
			ExpectError: regexp.MustCompile(strings.ReplaceAll(tt.want, " ", `\s+`)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   writeOnlyNeedsTF111,
		Steps:                    steps,
	})
}

// Neither password reaches a log line (Terraform's or the provider's, at
// TRACE), and the write-only one reaches neither plan nor state; the
// sensitive one is in state, marked sensitive, as Terraform keeps it. Not
// parallel: it sets the log path for the process.
func TestAccAnonymousAuthPasswordsNeverShown(t *testing.T) {
	const (
		sensitivePw = "Sens1tive-anon-pw-7f3c"
		writeOnlyPw = "Wr1te-only-anon-pw-9b2d"
	)
	logFile := t.TempDir() + "/tf.log"
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	h, n := newAnonTestHost(t)
	// A second application of the test's own, in the same pool.
	blog := n.location + "-b"
	h.addApplicationOutOfBand(t, "Default Web Site", "/"+n.pool+"-b", n.pool)
	// The passwords come from variables, as they would in real use: a
	// literal would sit in the configuration, which Terraform copies into
	// the plan and the test harness into its log, as written. The
	// write-only one is ephemeral, so Terraform keeps it out of the plan.
	cfg := func(version int) string {
		return h.providerConfig() + `
variable "anon_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "anon_sensitive_password" {
  type      = string
  sensitive = true
}
` +
			anonConfig("sensitive", blog, `identity = "specific_user"`, `username = "`+n.user+`"`,
				`password = var.anon_sensitive_password`) +
			anonConfig("write_only", n.location, `identity = "specific_user"`, `username = "`+n.user+`"`,
				`password_wo = var.anon_password`, fmt.Sprintf("password_wo_version = %d", version))
	}
	vars := func(version int) config.Variables {
		return config.Variables{
			"anon_password":           config.StringVariable(writeOnlyPw + fmt.Sprint(version)),
			"anon_sensitive_password": config.StringVariable(sensitivePw + fmt.Sprint(version)),
		}
	}
	secrets := []string{sensitivePw, writeOnlyPw}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   writeOnlyNeedsTF111,
		Steps: []resource.TestStep{
			{
				Config:          cfg(1),
				ConfigVariables: vars(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					anonPasswordsHidden{writeOnly: writeOnlyPw},
				}},
				ConfigStateChecks: []statecheck.StateCheck{anonNotInState{writeOnlyPw}},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectAnonOnHost(t, h, n.location, "true", n.user, writeOnlyPw+"1"),
					expectAnonOnHost(t, h, blog, "true", n.user, sensitivePw+"1"),
				),
			},
			{
				// Rotating both sends both again, still unseen.
				Config:          cfg(2),
				ConfigVariables: vars(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("iis_anonymous_authentication.sensitive", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("iis_anonymous_authentication.write_only", plancheck.ResourceActionUpdate),
					anonPasswordsHidden{writeOnly: writeOnlyPw},
				}},
				ConfigStateChecks: []statecheck.StateCheck{anonNotInState{writeOnlyPw}},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectAnonOnHost(t, h, n.location, "true", n.user, writeOnlyPw+"2"),
					expectAnonOnHost(t, h, blog, "true", n.user, sensitivePw+"2"),
				),
			},
		},
	})
	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("read the log: %v", err)
	}
	log := string(raw)
	// The log must hold the provider's own lines, or its silence proves
	// nothing.
	if !strings.Contains(log, hostapi.OpAnonAuthSet) {
		t.Fatalf("the log (%d bytes) has no provider lines about %s", len(raw), hostapi.OpAnonAuthSet)
	}
	for _, s := range secrets {
		if i := strings.Index(log, s); i >= 0 {
			// Show what leads up to it, not the password itself.
			t.Errorf("a password appears in the log %s after %q", logFile, log[max(0, i-300):i])
		}
	}
}

// anonPasswordsHidden checks the plan: the write-only password is nowhere in
// it, and the sensitive one is marked sensitive, so the CLI shows
// "(sensitive value)".
type anonPasswordsHidden struct{ writeOnly string }

func (c anonPasswordsHidden) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	if i := strings.Index(string(raw), c.writeOnly); i >= 0 {
		resp.Error = fmt.Errorf("the write-only password is in the plan: %s", string(raw)[max(0, i-300):i])
		return
	}
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != "iis_anonymous_authentication.sensitive" {
			continue
		}
		if s, _ := rc.Change.AfterSensitive.(map[string]any); s["password"] != true {
			resp.Error = fmt.Errorf("password is not marked sensitive in the plan: %v", rc.Change.AfterSensitive)
		}
		return
	}
	resp.Error = fmt.Errorf("the plan has no change for iis_anonymous_authentication.sensitive")
}

// anonNotInState checks that a value appears nowhere in the state.
type anonNotInState struct{ value string }

func (c anonNotInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(raw), c.value) {
		resp.Error = fmt.Errorf("the write-only password is in the state")
	}
}

// Once someone unlocks the section and sets it in the application's
// web.config, what the provider writes to applicationHost.config no longer
// decides: the apply says so, and takes its write back.
func TestAccAnonymousAuthOverriddenByWebConfig(t *testing.T) {
	h := newAnonSimHost(t)
	ctx := context.Background()
	if err := h.host.SetAnonymousAuthOverrideMode(ctx, "Allow"); err != nil {
		t.Fatal(err)
	}
	if err := h.host.SetAnonymousAuthWebConfig(ctx, anonShop, "userName", ""); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config: h.providerConfig() + anonConfig("test", anonShop, `identity = "iusr"`),
			ExpectError: regexp.MustCompile(`(?s)` + strings.ReplaceAll(
				`written as enabled=true, identity iusr in applicationHost.config, but requests there get enabled=true, identity app_pool.*web.config`, " ", `\s+`)),
		}},
		CheckDestroy: func(*terraform.State) error {
			if v := anonOnHost(t, h, anonShop); len(v.Explicit) != 0 {
				return fmt.Errorf("the refused write stayed in applicationHost.config: %v", v.Explicit)
			}
			return nil
		},
	})
}

// A site and its anonymous settings, created by one apply: the plan cannot
// see the site yet, so it leaves the account and privilege to the apply
// instead of refusing the location; the apply records them.
func TestAccAnonymousAuthOnASiteCreatedInTheSameApply(t *testing.T) {
	h, name, dir := newAnonSiteTestHost(t)
	cfg := h.providerConfig() + siteConfig("shop", name, `physical_path = `+hclString(dir), `application_pool = `+hclString(name),
		httpBinding(name+".example.test")) + `
resource "iis_anonymous_authentication" "test" {
  location = iis_website.shop.name
  identity = "app_pool"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(anonAddr, plancheck.ResourceActionCreate),
					expectPlanned("id", name),
					plancheck.ExpectUnknownValue(anonAddr, tfjsonpath.New("account")),
					plancheck.ExpectUnknownValue(anonAddr, tfjsonpath.New("privilege")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(anonAddr, tfjsonpath.New("account"), knownvalue.StringExact(`IIS AppPool\`+name)),
					statecheck.ExpectKnownValue(anonAddr, tfjsonpath.New("privilege"), knownvalue.StringExact("least")),
				},
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// A location that no site or application in the configuration creates
// either fails the apply, naming the locations the host has.
func TestAccAnonymousAuthMissingLocationFailsTheApply(t *testing.T) {
	h := newTestHost(t, simOptions{})
	// The server level must come through unchanged, whatever it is on
	// this host.
	serverUser := func() string {
		v, err := h.admin(t).AnonymousAuthValue(context.Background(), "", "userName")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := serverUser()
	var steps []resource.TestStep
	for _, loc := range []string{"tfacc No Such Site", "Default Web Site/tfacc-nope"} {
		steps = append(steps, resource.TestStep{
			Config: h.providerConfig() + anonConfig("test", loc),
			ExpectError: regexp.MustCompile(strings.ReplaceAll(`Location "`+loc+`" does not exist on host `+h.Host+
				// The host's own locations follow, the server level first.
				`[\s\S]*Locations on the host: "",`, " ", `\s+`)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy: func(*terraform.State) error {
			if after := serverUser(); after != before {
				return fmt.Errorf("server level userName changed from %q to %q", before, after)
			}
			return nil
		},
		Steps: steps,
	})
}

// Anonymous settings that map a site's anonymous requests to the account
// another site already runs as warn, as terraform plan prints it, naming
// that site; the pool identity does not.
func TestAccAnonymousAuthBoundaryWarning(t *testing.T) {
	h := newTwoSiteSimHost(t)
	ctx := context.Background()
	// Every site on its pool's identity, but blog back on IUSR.
	for _, err := range []error{
		h.host.SetAnonymousAuth(ctx, "", "userName", ""),
		h.host.SetAnonymousAuth(ctx, "blog", "userName", "IUSR"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	w := newTFWorkdir(t)
	plan := func(identity string) string {
		t.Helper()
		w.configure(h.providerConfig() + anonConfig("test", "shop", `identity = "`+identity+`"`))
		return strings.Join(strings.Fields(w.mustRun("plan", "-no-color")), " ")
	}
	w.mustRun("init", "-no-color")
	out := plan("iusr")
	for _, want := range []string{
		`Warning: The boundary between site "shop" and "blog" is gone`,
		`Anonymous requests to site "shop" would run as NT AUTHORITY\IUSR, an account that already runs code in "blog"`,
		`identity = "app_pool"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if out := plan("app_pool"); strings.Contains(out, "The boundary between") {
		t.Errorf("the pool identity warned:\n%s", out)
	}
}

// max_privilege still holds for settings at a site the same apply
// creates: the plan cannot judge them, the plan Terraform makes just
// before the create does, and the apply stops there.
func TestAccAnonymousAuthOnANewSiteHeldToMaxPrivilege(t *testing.T) {
	h, name, dir := newAnonSiteTestHost(t)
	user := h.addUserOutOfBand(t, anonUserPassword)
	cfg := h.providerConfig(`max_privilege = "least"`) + siteConfig("shop", name, `physical_path = `+hclString(dir),
		`application_pool = `+hclString(name), httpBinding(name+".example.test")) + `
resource "iis_anonymous_authentication" "test" {
  location = iis_website.shop.name
  identity = "specific_user"
  username = "` + user + `"
  password = "not-shown-1"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`Privilege medium is above max_privilege "least"`),
		}},
	})
}
