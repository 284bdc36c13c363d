package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
)

// Every password the provider handles, each one distinct so a leak names
// its source. They hold characters a careless encoder would escape, so a
// leak in an escaped form would still carry the plain prefix searched for.
const (
	traceProviderPw   = "Prov1der-TRACE-pw-a41e"
	traceWrongPw      = "Wr0ng-TRACE-pw-5c0d"
	tracePoolPw       = "P00l-sensitive-TRACE-pw-e9b2"
	tracePoolWoPw     = "P00l-wo-TRACE-pw-17fa"
	traceAnonPw       = "An0n-sensitive-TRACE-pw-3d6c"
	traceAnonWoPw     = "An0n-wo-TRACE-pw-8e01"
	traceSecretSuffix = ` "q" $(x)`
)

// traceSecrets are the values as Terraform receives them.
func traceSecrets() map[string]string {
	return map[string]string{
		"provider_password":  traceProviderPw + traceSecretSuffix,
		"pool_password":      tracePoolPw + traceSecretSuffix,
		"pool_password_wo":   tracePoolWoPw + traceSecretSuffix,
		"anon_password":      traceAnonPw + traceSecretSuffix,
		"anon_password_wo":   traceAnonWoPw + traceSecretSuffix,
		"wrong_provider_pwd": traceWrongPw + traceSecretSuffix,
	}
}

// traceConfig uses every password at once, each from a variable as a
// real configuration would: the test harness copies the configuration
// text into its log, so a literal would be found there by design. The
// provider and write-only passwords come from ephemeral variables, which
// Terraform keeps out of plan and state; the sensitive ones are kept in
// state by design and must be marked sensitive.
func traceConfig(h *testHost, providerVar string) string {
	literal := "  password = " + hclString(h.Password) + "\n"
	provider := strings.Replace(h.providerConfig(), literal, "  password = var."+providerVar+"\n", 1)
	return provider + `
variable "` + providerVar + `" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "pool_password" {
  type      = string
  sensitive = true
}
variable "pool_password_wo" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "anon_password" {
  type      = string
  sensitive = true
}
variable "anon_password_wo" {
  type      = string
  sensitive = true
  ephemeral = true
}
` + poolConfig("a", "trace-a") + poolConfig("b", "trace-b") +
		identityConfig("sensitive", "iis_app_pool.a.name", `identity_type = "SpecificUser"`,
			`username = ".\\svc-trace-a"`, `password = var.pool_password`) +
		identityConfig("write_only", "iis_app_pool.b.name", `identity_type = "SpecificUser"`,
			`username = ".\\svc-trace-b"`, `password_wo = var.pool_password_wo`, `password_wo_version = 1`) +
		anonConfig("sensitive", "Default Web Site/blog", `identity = "specific_user"`, `username = "`+anonUser+`"`,
			`password = var.anon_password`) +
		anonConfig("write_only", anonShop, `identity = "specific_user"`, `username = "`+anonUser+`"`,
			`password_wo = var.anon_password_wo`, `password_wo_version = 1`)
}

// A whole acceptance run at TF_LOG=TRACE with every password the provider
// takes: none appears in any log line, in the error of a failed logon, in
// the plan (where write-only and provider passwords are absent and the
// sensitive ones are marked so), or in state for write-only attributes.
func TestAccSecretsNeverInTraceLogsPlanOrState(t *testing.T) {
	dir := t.TempDir()
	accLog, tfLog := filepath.Join(dir, "acc.log"), filepath.Join(dir, "tf.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", tfLog)
	t.Setenv("TF_ACC_LOG_PATH", accLog)
	secrets := traceSecrets()

	fh := newFaultyHost(t, func(o *winsim.Options) {
		o.Users = map[string]string{simUser: secrets["provider_password"]}
	})
	h := fh.testHost
	admin := h.oob(t)
	admin.addUser("svc-trace-a", secrets["pool_password"])
	admin.addUser("svc-trace-b", secrets["pool_password_wo"])
	ctx := context.Background()
	admin.do("add pool shop", h.admin(t).AddAppPool(ctx, "shop"))
	admin.do("add app /shop", h.admin(t).AddApplication(ctx, "Default Web Site", "/shop", "shop", ""))
	admin.do("add app /blog", h.admin(t).AddApplication(ctx, "Default Web Site", "/blog", "DefaultAppPool", ""))
	admin.addUser(anonUser, anonUserPassword)

	vars := config.Variables{}
	for _, k := range []string{"provider_password", "pool_password", "pool_password_wo", "anon_password", "anon_password_wo"} {
		vars[k] = config.StringVariable(secrets[k])
	}
	writeOnly := []string{secrets["provider_password"], secrets["pool_password_wo"], secrets["anon_password_wo"]}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   writeOnlyNeedsTF111,
		Steps: []resource.TestStep{{
			Config:          traceConfig(h, "provider_password"),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				planHidesSecrets{absent: writeOnly, sensitive: map[string]string{
					"iis_app_pool_identity.sensitive":        "password",
					"iis_anonymous_authentication.sensitive": "password",
				}},
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				anonNotInState{secrets["provider_password"]},
				anonNotInState{secrets["pool_password_wo"]},
				anonNotInState{secrets["anon_password_wo"]},
			},
			Check: func(*terraform.State) error {
				// The passwords did reach the host, so the run exercised them.
				for pool, want := range map[string]string{"trace-a": secrets["pool_password"], "trace-b": secrets["pool_password_wo"]} {
					if got := admin.poolValue(pool, "processModel.password"); got != want {
						return fmt.Errorf("pool %s holds a different password than configured", pool)
					}
				}
				for loc, want := range map[string]string{"Default Web Site/blog": secrets["anon_password"], anonShop: secrets["anon_password_wo"]} {
					if got := anonOnHost(t, h, loc).Attrs["password"]; got != want {
						return fmt.Errorf("anonymous authentication at %q holds a different password than configured", loc)
					}
				}
				return nil
			},
		}},
	})

	// A failed logon: the error names the host and the user, never the
	// password tried or the right one.
	wrongVars := config.Variables{"wrong_provider_pwd": config.StringVariable(secrets["wrong_provider_pwd"])}
	for _, k := range []string{"pool_password", "pool_password_wo", "anon_password", "anon_password_wo"} {
		wrongVars[k] = config.StringVariable(secrets[k])
	}
	var failed error
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   writeOnlyNeedsTF111,
		ErrorCheck: func(err error) error {
			failed = err
			if !regexp.MustCompile(`(?s)Access denied by the host.*"administrator"`).MatchString(err.Error()) {
				return err
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config:          traceConfig(h, "wrong_provider_pwd"),
			ConfigVariables: wrongVars,
			PlanOnly:        true,
		}},
	})
	if failed == nil {
		t.Fatal("a wrong provider password was not refused")
	}
	for name, s := range secrets {
		if strings.Contains(failed.Error(), s) || strings.Contains(failed.Error(), strings.TrimSuffix(s, traceSecretSuffix)) {
			t.Errorf("the logon error shows %s: %s", name, failed)
		}
	}

	scanned := 0
	for _, path := range []string{accLog, tfLog} {
		raw, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatalf("read the log: %v", err)
		}
		scanned += len(raw)
		log := string(raw)
		for name, s := range secrets {
			// The prefix alone: a leak escaped by a JSON or HCL encoder
			// still carries it.
			p := strings.TrimSuffix(s, traceSecretSuffix)
			if i := strings.Index(log, p); i >= 0 {
				t.Errorf("%s appears in %s after %q", name, path, log[max(0, i-200):i])
			}
		}
	}
	raw, _ := os.ReadFile(accLog)
	// The logs must hold the provider's TRACE lines about the writes that
	// carried the passwords, or their silence proves nothing.
	for _, want := range []string{hostapi.OpAppPoolIdentitySet, hostapi.OpAnonAuthSet, "Access denied"} {
		if !strings.Contains(string(raw), want) {
			t.Fatalf("the log (%d bytes over %d files) has no line about %q", len(raw), scanned, want)
		}
	}
}

// planHidesSecrets checks the plan as `terraform show -json` gives it:
// the absent values appear nowhere in it, and the named attributes are
// marked sensitive, so the CLI shows "(sensitive value)".
type planHidesSecrets struct {
	absent    []string
	sensitive map[string]string // resource address -> attribute
}

func (c planHidesSecrets) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	for _, s := range c.absent {
		if i := strings.Index(string(raw), s); i >= 0 {
			resp.Error = fmt.Errorf("a write-only or provider password is in the plan after %s", string(raw)[max(0, i-200):i])
			return
		}
	}
	seen := map[string]bool{}
	for _, rc := range req.Plan.ResourceChanges {
		attr, ok := c.sensitive[rc.Address]
		if !ok {
			continue
		}
		seen[rc.Address] = true
		if s, _ := rc.Change.AfterSensitive.(map[string]any); s[attr] != true {
			resp.Error = fmt.Errorf("%s.%s is not marked sensitive in the plan: %v", rc.Address, attr, rc.Change.AfterSensitive)
			return
		}
	}
	for addr := range c.sensitive {
		if !seen[addr] {
			resp.Error = fmt.Errorf("the plan has no change for %s", addr)
			return
		}
	}
}
