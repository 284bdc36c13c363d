package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// policyFile is the Rego policy shipped for teams that gate plans with OPA
// or conftest.
const policyFile = "../../examples/policy/iis.rego"

// opaPath finds the opa binary: IIS_OPA_PATH (make test sets it to the one
// it builds), then PATH, then the Makefile's tools directory.
func opaPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IIS_OPA_PATH"); p != "" {
		return p
	}
	if p, err := exec.LookPath("opa"); err == nil {
		return p
	}
	if p, err := filepath.Abs("../../.tools/bin/opa"); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("no opa: make test builds one into .tools/bin and sets IIS_OPA_PATH")
	return ""
}

// policyVerdict is what the policy says of a plan.
type policyVerdict struct {
	Deny []string `json:"deny"`
	Warn []string `json:"warn"`
}

// evalPolicy runs `opa eval` on the plan's JSON, as a CI job would.
func evalPolicy(t *testing.T, opa string, plan []byte) policyVerdict {
	t.Helper()
	input := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(input, plan, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, opa, "eval", "--format", "json", "--data", policyFile, "--input", input, "data.iis")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("opa eval: %v\n%s", err, stderr.String())
	}
	var res struct {
		Result []struct {
			Expressions []struct {
				Value policyVerdict `json:"value"`
			} `json:"expressions"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Result) != 1 || len(res.Result[0].Expressions) != 1 {
		t.Fatalf("opa eval output %s: %v", out, err)
	}
	v := res.Result[0].Expressions[0].Value
	sort.Strings(v.Deny)
	sort.Strings(v.Warn)
	return v
}

// expectMessages checks that each want is part of exactly one message, and
// that there are no other messages.
func expectMessages(t *testing.T, kind string, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d messages, want %d:\n  %s", kind, len(got), len(want), strings.Join(got, "\n  "))
		return
	}
	for _, w := range want {
		n := 0
		for _, g := range got {
			if strings.Contains(g, w) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d messages contain %q, want 1:\n  %s", kind, n, w, strings.Join(got, "\n  "))
		}
	}
}

// The shipped Rego policy, run by the real opa on plans the real terraform
// CLI makes against the simulated host: it lets a least-privilege,
// scoped configuration through, denies a LocalSystem pool and a rule open
// to the internet with the provider's reasons unless the resource accepts
// the level, denies levels known only after apply, and warns about drift
// that raised a level.
func TestAccPolicyOnRealPlans(t *testing.T) {
	t.Parallel()
	opa := opaPath(t)
	h := newSimHost(t, simOptions{})
	w := newTFWorkdir(t)
	scoped := []string{`name = "web"`, `display_name = "Web"`, `protocol = "TCP"`, `local_ports = ["443"]`,
		`remote_addresses = ["10.1.2.0/24"]`, `profiles = ["Domain"]`}

	w.configure(goldenConfig(h, "safe", []string{`identity_type = "ApplicationPoolIdentity"`}, scoped, ""))
	w.mustRun("init", "-no-color")
	v := evalPolicy(t, opa, w.planJSON())
	expectMessages(t, "deny (safe)", v.Deny)
	expectMessages(t, "warn (safe)", v.Warn, "iis_firewall_rule.web: exposure rises from none to low")
	w.apply()

	w.configure(goldenConfig(h, "risky", []string{`identity_type = "LocalSystem"`},
		[]string{`name = "web"`, `display_name = "Web"`, `protocol = "UDP"`, `local_ports = ["1024-65535"]`, `remote_addresses = ["Any"]`}, ""))
	v = evalPolicy(t, opa, w.planJSON())
	expectMessages(t, "deny (risky)", v.Deny,
		`iis_app_pool_identity.shop: privilege full is above the ceiling medium and the resource does not set accept_privilege = "full": LocalSystem: full control of the host`,
		`iis_firewall_rule.web: exposure critical is above the ceiling medium and the resource does not set accept_exposure = "critical": inbound UDP 1024-65535 from Any on all profiles`)
	expectMessages(t, "warn (risky)", v.Warn, "privilege rises from least to full", "exposure rises from low to critical")

	// Accepted in the resource's code, as the provider's guardrail takes it:
	// the policy lets the pool through and still denies the rule.
	w.configure(goldenConfig(h, "accepted", []string{`identity_type = "LocalSystem"`, `accept_privilege = "full"`},
		[]string{`name = "web"`, `display_name = "Web"`, `protocol = "UDP"`, `local_ports = ["1024-65535"]`, `remote_addresses = ["Any"]`}, ""))
	v = evalPolicy(t, opa, w.planJSON())
	expectMessages(t, "deny (accepted)", v.Deny, `iis_firewall_rule.web: exposure critical is above the ceiling medium`)

	w.configure(goldenConfig(h, "unknown", []string{`identity_type = "ApplicationPoolIdentity"`},
		[]string{`name = "web"`, `display_name = "Web"`, `protocol = "TCP"`, `local_ports = ["443"]`, `remote_addresses = [terraform_data.addr.output]`},
		"resource \"terraform_data\" \"addr\" {\n  input = \"10.9.0.0/16\"\n}\n"))
	v = evalPolicy(t, opa, w.planJSON())
	expectMessages(t, "deny (unknown)", v.Deny, "iis_firewall_rule.web: exposure is known only after apply")

	// An administrator switches the pool to LocalSystem behind Terraform's
	// back: a refresh-only plan warns.
	h.oob(t).setPool("shop", "processModel.identityType", "LocalSystem")
	w.configure(goldenConfig(h, "safe", []string{`identity_type = "ApplicationPoolIdentity"`}, scoped, ""))
	v = evalPolicy(t, opa, w.planJSON("-refresh-only"))
	expectMessages(t, "deny (drift)", v.Deny)
	expectMessages(t, "warn (drift)", v.Warn, "iis_app_pool_identity.shop: changed outside Terraform, privilege rose from least to full")
}
