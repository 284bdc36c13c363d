package provider

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// refreshOnlyGate runs the drift gate CI runs, `terraform plan -refresh-only
// -detailed-exitcode`, and returns its exit code and the addresses the
// plan's JSON reports as changed outside Terraform.
func (w *tfWorkdir) refreshOnlyGate() (int, []string) {
	w.t.Helper()
	_, err := w.run("plan", "-refresh-only", "-detailed-exitcode", "-no-color", "-out=gate.out")
	code := 0
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			w.t.Fatal(err)
		}
		code = 2
	}
	var plan struct {
		ResourceDrift []struct {
			Address string `json:"address"`
		} `json:"resource_drift"`
	}
	if err := json.Unmarshal([]byte(w.mustRun("show", "-json", "gate.out")), &plan); err != nil {
		w.t.Fatal(err)
	}
	var drifted []string
	for _, d := range plan.ResourceDrift {
		drifted = append(drifted, d.Address)
	}
	return code, drifted
}

// The drift gate of the guides, through the real CLI: right after an
// apply, `terraform plan -refresh-only -detailed-exitcode` exits 0 for every
// resource type, run after run; each out-of-band change makes it exit 2
// and names the resource changed. Terraform up to 1.12 compares the
// refreshed state with reflect.DeepEqual, so before jsonReadServer answered
// refreshes in JSON every number attribute (a pool's limits, a binding's
// port) made it exit 2, and two sensitive attributes on one resource
// (password and password_wo) did so one run in two.
func TestAccDriftGateExitCode(t *testing.T) {
	h := newTwoSiteSimHost(t)
	ctx := context.Background()
	for _, err := range []error{
		h.host.MakeDir(ctx, `C:\sites\gate\uploads`),
		h.host.AddUser(ctx, "anon-gate", `An0n-G@te "pw"`),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	w := newTFWorkdir(t)
	w.skipWithoutWriteOnly() // the pool identity and the anonymous user take password_wo
	w.configure(h.providerConfig() + `
resource "iis_app_pool" "pool" {
  name = "gate"
}

resource "iis_app_pool_identity" "identity" {
  pool                = iis_app_pool.pool.name
  identity_type       = "SpecificUser"
  username            = ".\\deploy"
  password_wo         = "D3ploy \"pw\" $(x)"
  password_wo_version = 1
}

resource "iis_website" "site" {
  name             = "gate"
  physical_path    = "C:\\sites\\gate"
  application_pool = iis_app_pool.pool.name
  # identities names who runs the site: read after the pool's identity is set
  depends_on = [iis_app_pool_identity.identity]
  bindings         = [{ protocol = "http", port = 8080, host_name = "gate.example.com" }]
}

resource "iis_application" "app" {
  site             = "shop"
  path             = "/uploads"
  physical_path    = "C:\\sites\\gate\\uploads"
  application_pool = "shop"
}

resource "iis_anonymous_authentication" "anon" {
  location            = "Default Web Site"
  identity            = "specific_user"
  username            = "anon-gate"
  password_wo         = "An0n-G@te \"pw\""
  password_wo_version = 1
}

resource "iis_firewall_rule" "rule" {
  name             = "gate-http-in"
  display_name     = "Gate (HTTP in)"
  protocol         = "TCP"
  local_ports      = ["8080"]
  remote_addresses = ["10.20.0.0/16"]
}

resource "iis_content_access" "content" {
  path     = "C:\\sites\\blog"
  app_pool = "blog"
  access   = "read"
}
`)
	w.mustRun("init", "-no-color")
	applied := w.mustRun("apply", "-no-color", "-auto-approve")
	// password_wo is write-only and, since this fix, not marked sensitive:
	// neither the plan shown, nor the state, nor the plan's values hold it.
	// (The configuration part of the plan's JSON quotes any literal, marked
	// sensitive or not; hence the ephemeral variables of the examples.)
	var plan map[string]json.RawMessage
	if err := json.Unmarshal(w.planJSON("-refresh-only"), &plan); err != nil {
		t.Fatal(err)
	}
	delete(plan, "configuration")
	values, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{`D3ploy "pw" $(x)`, `An0n-G@te "pw"`} {
		for where, text := range map[string]string{"apply output": applied, "state": string(state), "plan JSON": string(values)} {
			if strings.Contains(text, secret) || strings.Contains(text, strings.ReplaceAll(secret, `"`, `\"`)) {
				t.Errorf("the %s holds the password %q", where, secret)
			}
		}
	}
	// The sensitive attributes' order was a coin toss per run: a few runs.
	for i := range 3 {
		if code, drifted := w.refreshOnlyGate(); code != 0 || len(drifted) != 0 {
			t.Fatalf("refresh-only run %d right after apply: exit %d, drift %v; want 0 and none", i+1, code, drifted)
		}
	}

	for _, c := range []struct {
		addr   string
		change func() error
	}{
		// Passwords changed, not removed: the host proves which one it
		// holds with a digest, never the password.
		{"iis_app_pool_identity.identity", func() error {
			return h.host.SetAppPoolAttr(ctx, "gate", "processModel.password", "Ch@nged-1")
		}},
		{"iis_anonymous_authentication.anon", func() error {
			return h.host.SetAnonymousAuth(ctx, "Default Web Site", "password", "Ch@nged-2")
		}},
		{"iis_app_pool.pool", func() error { return h.host.SetAppPoolState(ctx, "gate", false) }},
		{"iis_app_pool_identity.identity", func() error {
			return h.host.SetAppPoolAttr(ctx, "gate", "processModel.identityType", "LocalSystem")
		}},
		{"iis_website.site", func() error { return h.host.SetSiteState(ctx, "gate", false) }},
		{"iis_application.app", func() error { return h.host.SetApplicationPool(ctx, "shop", "/uploads", "gate") }},
		{"iis_anonymous_authentication.anon", func() error { return h.host.SetAnonymousAuth(ctx, "Default Web Site", "enabled", "false") }},
		{"iis_firewall_rule.rule", func() error { return h.host.SetFirewallRuleEnabled(ctx, "gate-http-in", false) }},
		{"iis_content_access.content", func() error { return h.host.RemoveAccessRules(ctx, `C:\sites\blog`, `IIS AppPool\blog`) }},
	} {
		if err := c.change(); err != nil {
			t.Fatalf("out-of-band change to %s: %v", c.addr, err)
		}
		code, drifted := w.refreshOnlyGate()
		if code != 2 || !slices.Contains(drifted, c.addr) {
			t.Errorf("after an out-of-band change to %s: exit %d, drift %v; want 2 naming it", c.addr, code, drifted)
		}
		// Accept it, as an auditor would, so the next change is seen alone.
		w.mustRun("apply", "-refresh-only", "-auto-approve", "-no-color")
		if code, drifted := w.refreshOnlyGate(); code != 0 {
			t.Errorf("after accepting the change to %s: exit %d, drift %v; want 0", c.addr, code, drifted)
		}
	}
}
