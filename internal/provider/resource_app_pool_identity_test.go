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
)

// checkIdentityReset is a CheckDestroy: the pool runs as
// ApplicationPoolIdentity again, with no credentials left behind.
func checkIdentityReset(a oobAdmin, pool string) func(*terraform.State) error {
	return func(*terraform.State) error {
		typ, user, pw := a.poolValue(pool, "processModel.identityType"), a.poolValue(pool, "processModel.userName"), a.poolValue(pool, "processModel.password")
		if typ != "ApplicationPoolIdentity" || user != "" || pw != "" {
			return fmt.Errorf("after destroy %s runs as %s (user %q, password set: %t)", pool, typ, user, pw != "")
		}
		return nil
	}
}

func expectPrivilege(level string) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(identityAddr, tfjsonpath.New("privilege"), knownvalue.StringExact(level))
}

// The plan knows the privilege before anything is applied, and shows it
// rise from least to full when the pool goes to LocalSystem; the
// credentials of a specific user never reach state; import; destroy puts
// the pool back to least privilege.
func TestAccAppPoolIdentityLifecycle(t *testing.T) {
	h := newTestHost(t, simOptions{})
	admin := h.oob(t)
	const secret = `Pool-P@ss "quoted" $(never run) ${nor} this`
	user := h.addUserOutOfBand(t, secret)
	shop := uniquePoolName(t, "shop")
	computer := h.hostComputer(t)
	pool := poolConfig("shop", shop)
	identity := func(attrs ...string) string {
		return h.providerConfig() + pool + identityConfig("test", "iis_app_pool.shop.name", attrs...)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   writeOnlyNeedsTF111,
		CheckDestroy:             checkPoolGone(t, agentClient(t, h), shop),
		Steps: []resource.TestStep{
			{
				Config: identity(`identity_type = "ApplicationPoolIdentity"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionCreate),
					expectPrivilege("least"),
					plancheck.ExpectKnownValue(identityAddr, tfjsonpath.New("account"), knownvalue.StringExact(`IIS AppPool\`+shop)),
					plancheck.ExpectKnownValue(identityAddr, tfjsonpath.New("privilege_reason"), knownvalue.StringRegexp(wrappedText("per-pool virtual account", "computer account ("+computer+"$)"))),
				}},
			},
			{
				Config: identity(`identity_type = "LocalSystem"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionUpdate),
					expectPrivilege("full"),
					expectChange(identityAddr, "privilege", "least", "full"),
					expectChange(identityAddr, "account", `IIS AppPool\`+shop, `NT AUTHORITY\SYSTEM`),
					plancheck.ExpectKnownValue(identityAddr, tfjsonpath.New("privilege_reason"),
						knownvalue.StringExact("LocalSystem: full control of the host, acts as the computer account on the network")),
				}},
				Check: func(*terraform.State) error {
					if got := admin.poolValue(shop, "processModel.identityType"); got != "LocalSystem" {
						return fmt.Errorf("identity on the host: %s", got)
					}
					return nil
				},
			},
			{
				Config: identity(`identity_type = "SpecificUser"`, `username = `+hclString(`.\`+user),
					`password_wo = `+hclString(secret), `password_wo_version = 1`, `logon_type = "LogonService"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// An ordinary local account, resolved on the host at plan time.
					expectChange(identityAddr, "privilege", "full", "medium"),
					plancheck.ExpectKnownValue(identityAddr, tfjsonpath.New("account"), knownvalue.StringExact(`.\`+user)),
					plancheck.ExpectKnownValue(identityAddr, tfjsonpath.New("privilege_reason"), knownvalue.StringRegexp(wrappedText("ordinary local account"))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(identityAddr, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(identityAddr, tfjsonpath.New("password"), knownvalue.Null()),
					statecheck.ExpectKnownValue(identityAddr, tfjsonpath.New("password_wo_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(identityAddr, tfjsonpath.New("logon_type"), knownvalue.StringExact("LogonService")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					secretNowhere(secret),
					func(*terraform.State) error {
						// An administrator reads it back in clear text (windows-host.md 1.1).
						if admin.poolValue(shop, "processModel.password") != secret || admin.poolValue(shop, "processModel.userName") != `.\`+user {
							return fmt.Errorf("the host did not get the credentials")
						}
						return nil
					},
				),
			},
			{
				ResourceName:      identityAddr,
				ImportState:       true,
				ImportStateId:     shop,
				ImportStateVerify: true,
				// Passwords cannot be read back, by design.
				ImportStateVerifyIgnore: []string{"password_wo_version"},
			},
			{
				// Leaving SpecificUser clears the credentials on the host.
				Config: identity(`identity_type = "NetworkService"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChange(identityAddr, "privilege", "medium", "medium"),
					plancheck.ExpectKnownValue(identityAddr, tfjsonpath.New("account"), knownvalue.StringExact(`NT AUTHORITY\NETWORK SERVICE`)),
				}},
				Check: func(*terraform.State) error {
					if admin.poolValue(shop, "processModel.userName") != "" || admin.poolValue(shop, "processModel.password") != "" {
						return fmt.Errorf("credentials left on the host")
					}
					return nil
				},
			},
		},
	})
}

// Changing a started pool's identity recycles it, so its worker processes
// run as the new identity. It stays on the simulator: the recycle count is
// the simulated host's, and a real host keeps none an administrator reads.
func TestAccAppPoolIdentityChangeRecyclesThePool(t *testing.T) {
	h := newSimHost(t, simOptions{})
	admin := h.oob(t)
	identity := func(typ string) string {
		return h.providerConfig() + poolConfig("shop", "shop") + identityConfig("test", "iis_app_pool.shop.name", `identity_type = "`+typ+`"`)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{Config: identity("ApplicationPoolIdentity")},
			{
				Config: identity("LocalSystem"),
				Check: func(*terraform.State) error {
					if n := admin.poolValue("shop", "recycles"); n != "1" {
						return fmt.Errorf("recycles = %s, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

// An identity someone already chose is never taken over by a create: it
// must be imported, after which the plan shows the change. Destroying the
// identity of a pool the configuration does not own (the test's own,
// created out of band) then returns it to ApplicationPoolIdentity, not to
// whatever it ran as before.
func TestAccAppPoolIdentityDestroyReturnsToLeastPrivilege(t *testing.T) {
	h := newTestHost(t, simOptions{})
	admin := h.oob(t)
	pool := uniquePoolName(t, "pool")
	h.addPoolOutOfBand(t, pool)
	admin.setPool(pool, "processModel.identityType", "NetworkService")
	// The configuration spells the pool in capitals: IIS names are
	// case-insensitive.
	spelled := strings.ToUpper(pool)
	config := h.providerConfig() + identityConfig("test", hclString(spelled), `identity_type = "LocalService"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkIdentityReset(admin, pool),
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: wrappedText(`Application pool "`+spelled+`" on host`, `already runs as NetworkService`, `import it`),
		}, {
			PreConfig: func() {
				if got := admin.poolValue(pool, "processModel.identityType"); got != "NetworkService" {
					t.Fatalf("the refused create changed the identity to %s", got)
				}
			},
			Config: config + "import {\n  to = " + identityAddr + "\n  id = " + hclString(spelled) + "\n}\n",
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionUpdate),
				expectChange(identityAddr, "privilege", "medium", "low"),
			}},
		}, {
			// The configuration's spelling of the pool is no diff.
			Config:           config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
}

// An account added to Administrators outside Terraform is privilege drift:
// a refresh records it, and a plan reports it as changed outside Terraform.
func TestAccAppPoolIdentityPrivilegeDrift(t *testing.T) {
	h := newTestHost(t, simOptions{})
	admin := h.oob(t)
	pool := uniquePoolName(t, "pool")
	h.addPoolOutOfBand(t, pool)
	user := h.addUserOutOfBand(t, "Api-Passw0rd!")
	account := h.hostComputer(t) + `\` + user
	config := h.providerConfig() + identityConfig("test", hclString(pool), `identity_type = "SpecificUser"`,
		`username = `+hclString(account), `password = "Api-Passw0rd!"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkIdentityReset(admin, pool),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectPrivilege("medium"),
					plancheck.ExpectSensitiveValue(identityAddr, tfjsonpath.New("password")),
				}},
			},
			{
				PreConfig:    func() { admin.addToGroup("Administrators", user) },
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(identityAddr, "privilege", "full"),
					resource.TestCheckResourceAttr(identityAddr, "privilege_reason", account+`: member of Administrators: full control of the host`),
				),
			},
			{
				PreConfig: func() { admin.removeFromGroup("Administrators", user) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectDrift(identityAddr, "privilege", "full", "medium"),
					plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

// An administrator switches the pool's identity out of band: the refresh
// records who the pool runs as now, privilege included, and the plan puts
// back exactly the configured identity, which the apply writes. Deleted
// with its pool, the identity is created again with it; imported by
// host/name, it reads back as in state.
func TestAccAppPoolIdentityDrift(t *testing.T) {
	h := newTestHost(t, simOptions{})
	admin := h.oob(t)
	shop := uniquePoolName(t, "shop")
	config := h.providerConfig() + poolConfig("shop", shop) +
		identityConfig("test", "iis_app_pool.shop.name", `host = `+hclString(h.Host), `identity_type = "NetworkService"`)
	onHost := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := admin.poolValue(shop, "processModel.identityType"); got != want {
				return fmt.Errorf("%s runs as %s on the host, want %s", shop, got, want)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkPoolGone(t, agentClient(t, h), shop),
		Steps: []resource.TestStep{
			{Config: config, Check: onHost("NetworkService")},
			{
				PreConfig:          func() { admin.setPool(shop, "processModel.identityType", "LocalSystem") },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					expectOnlyChanges(identityAddr, map[string]move{
						"identity_type": movedStr("LocalSystem", "NetworkService"),
						"account":       movedStr(`NT AUTHORITY\SYSTEM`, `NT AUTHORITY\NETWORK SERVICE`),
						"privilege":     movedStr("full", "medium"),
						"privilege_reason": moved(knownvalue.StringRegexp(regexp.MustCompile(`^LocalSystem: full control`)),
							knownvalue.StringRegexp(regexp.MustCompile(`^NetworkService: `))),
					}),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(identityAddr, "identity_type", "LocalSystem"),
					resource.TestCheckResourceAttr(identityAddr, "account", `NT AUTHORITY\SYSTEM`),
					resource.TestCheckResourceAttr(identityAddr, "privilege", "full"),
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionUpdate),
				}},
				Check: onHost("NetworkService"),
			},
			{
				PreConfig: func() { admin.do("remove pool "+shop, h.admin(t).RemoveAppPool(context.Background(), shop)) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("iis_app_pool.shop", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionCreate),
				}},
				Check: onHost("NetworkService"),
			},
			{Config: config, ResourceName: identityAddr, ImportState: true, ImportStateId: h.Host + "/" + shop, ImportStateVerify: true},
		},
	})
}

// A password changed on the host is found without reading it: the write-only
// password's version reads as unset, and the next apply puts it back.
func TestAccAppPoolIdentityPasswordDrift(t *testing.T) {
	h := newTestHost(t, simOptions{})
	admin := h.oob(t)
	pool := uniquePoolName(t, "pool")
	h.addPoolOutOfBand(t, pool)
	user := h.addUserOutOfBand(t, "Acc0unt-Pw!")
	config := h.providerConfig() + identityConfig("test", hclString(pool), `identity_type = "SpecificUser"`,
		`username = `+hclString(`.\`+user), `password_wo = "First-Secret-1"`, `password_wo_version = 1`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   writeOnlyNeedsTF111,
		CheckDestroy:             checkIdentityReset(admin, pool),
		Steps: []resource.TestStep{
			{Config: config, Check: secretNowhere("First-Secret-1")},
			{
				// Unchanged on the host: a refresh finds nothing.
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(identityAddr, "password_wo_version", "1"),
			},
			{
				PreConfig:          func() { admin.setPool(pool, "processModel.password", "rotated-by-hand") },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestCheckNoResourceAttr(identityAddr, "password_wo_version"),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionUpdate),
					expectOnlyChanges(identityAddr, map[string]move{"password_wo_version": moved(knownvalue.Null(), knownvalue.Int64Exact(1))}),
				}},
				Check: func(*terraform.State) error {
					if admin.poolValue(pool, "processModel.password") != "First-Secret-1" {
						return fmt.Errorf("the configured password was not set again")
					}
					return nil
				},
			},
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// The same for the sensitive password: it reads as changed, so the plan
// sets it again.
func TestAccAppPoolIdentitySensitivePasswordDrift(t *testing.T) {
	h := newTestHost(t, simOptions{})
	admin := h.oob(t)
	pool := uniquePoolName(t, "pool")
	h.addPoolOutOfBand(t, pool)
	user := h.addUserOutOfBand(t, "Acc0unt-Pw!")
	config := h.providerConfig() + identityConfig("test", hclString(pool), `identity_type = "SpecificUser"`,
		`username = `+hclString(`.\`+user), `password = "Sensitive-1"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() { admin.setPool(pool, "processModel.password", "rotated") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					if admin.poolValue(pool, "processModel.password") != "Sensitive-1" {
						return fmt.Errorf("the configured password was not set again")
					}
					return nil
				},
			},
		},
	})
}

// A group managed service account needs no password, and one the host
// cannot resolve is judged high: nobody can say what it may do.
func TestAccAppPoolIdentityManagedServiceAccount(t *testing.T) {
	h := newTestHost(t, simOptions{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config: h.providerConfig() + identityConfig("test", `"DefaultAppPool"`, `identity_type = "SpecificUser"`, `username = "CONTOSO\\web$"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				expectPrivilege("high"),
				plancheck.ExpectKnownValue(identityAddr, tfjsonpath.New("privilege_reason"), knownvalue.StringRegexp(wrappedText("cannot resolve this account"))),
			}},
		}},
	})
}

// Identity and credentials that do not go together are refused at plan
// time, at the attribute at fault.
func TestAccAppPoolIdentityInvalidCombinations(t *testing.T) {
	h := newTestHost(t, simOptions{})
	tests := []struct {
		attrs []string
		want  string
	}{
		{[]string{`identity_type = "SpecificUser"`}, `identity_type = "SpecificUser" needs username`},
		{[]string{`identity_type = "SpecificUser"`, `username = "CONTOSO\\svc"`}, `User "CONTOSO\\svc" needs a password: set password_wo`},
		{[]string{`identity_type = "SpecificUser"`, `username = "CONTOSO\\web$"`, `password = "x"`}, `is a group managed service account`},
		{[]string{`identity_type = "SpecificUser"`, `username = "CONTOSO\\svc"`, `password_wo = "x"`}, `Set password_wo_version`},
		{[]string{`identity_type = "SpecificUser"`, `username = "CONTOSO\\svc"`, `password = "x"`, `password_wo_version = 1`}, `set password_wo too`},
		{[]string{`identity_type = "SpecificUser"`, `username = "CONTOSO\\svc"`, `password = "x"`, `password_wo = "x"`, `password_wo_version = 1`}, `cannot be specified when`},
		{[]string{`identity_type = "LocalSystem"`, `username = "CONTOSO\\svc"`}, `username applies only when identity_type = "SpecificUser"; with "LocalSystem" the pool runs as NT AUTHORITY\SYSTEM`},
		{[]string{`identity_type = "NetworkService"`, `password = "x"`}, `password applies only when identity_type = "SpecificUser"`},
		{[]string{`identity_type = "ApplicationPoolIdentity"`, `logon_type = "LogonService"`}, `logon_type applies only when`},
		{[]string{`identity_type = "Administrator"`}, `value must be one of`},
		{[]string{`identity_type = "SpecificUser"`, `username = ""`}, `account name is empty`},
	}
	var steps []resource.TestStep
	for _, tt := range tests {
		steps = append(steps, resource.TestStep{
			Config:      h.providerConfig() + identityConfig("test", `"DefaultAppPool"`, tt.attrs...),
			PlanOnly:    true,
			ExpectError: wrappedText(tt.want),
		})
	}
	steps = append(steps, resource.TestStep{
		Config:      h.providerConfig() + identityConfig("test", `"a/b"`, `identity_type = "LocalService"`),
		PlanOnly:    true,
		ExpectError: wrappedText(`contains "/"`),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   writeOnlyNeedsTF111,
		Steps:                    steps,
	})
	if n := hostOps(h, "apppool.identity.set"); n != 0 {
		t.Fatalf("%d identity writes reached the host", n)
	}
}
