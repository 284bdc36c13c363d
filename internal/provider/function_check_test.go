package provider

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// functionChecks uses both functions in outputs, check blocks and a
// variable validation, the places teams put them.
const functionChecks = `
variable "pool_identity" {
  type = string
}
variable "open_to_all" {
  type    = bool
  default = false
}
variable "gated_identity" {
  type    = string
  default = "ApplicationPoolIdentity"
  validation {
    condition     = provider::iis::identity_privilege(var.gated_identity, null).level != "full"
    error_message = "Not allowed: ${provider::iis::identity_privilege(var.gated_identity, null).reason}."
  }
}
locals {
  rule = {
    protocol         = "UDP"
    local_ports      = var.open_to_all ? ["1024-65535"] : ["443"]
    remote_addresses = var.open_to_all ? ["Any"] : ["10.1.2.0/24"]
    profiles         = ["Domain"]
  }
  pool = provider::iis::identity_privilege(var.pool_identity, null)
}
output "pool" {
  value = local.pool
}
output "rule" {
  value = provider::iis::rule_exposure(local.rule)
}
check "pool_least_privilege" {
  assert {
    condition     = contains(["least", "low"], local.pool.level)
    error_message = "The pool would run with ${local.pool.level} privilege: ${local.pool.reason}."
  }
}
check "rule_not_internet" {
  assert {
    condition     = !contains(["high", "critical"], provider::iis::rule_exposure(local.rule).level)
    error_message = "Exposure ${provider::iis::rule_exposure(local.rule).level}: ${provider::iis::rule_exposure(local.rule).reason}."
  }
}
`

// planChecks is the part of `terraform show -json` that records check
// block results and output values.
type planChecks struct {
	Checks []struct {
		Address struct {
			ToDisplay string `json:"to_display"`
		} `json:"address"`
		Status    string `json:"status"`
		Instances []struct {
			Problems []struct {
				Message string `json:"message"`
			} `json:"problems"`
		} `json:"instances"`
	} `json:"checks"`
	OutputChanges map[string]struct {
		After map[string]string `json:"after"`
	} `json:"output_changes"`
}

func (p planChecks) status(name string) (string, string) {
	for _, c := range p.Checks {
		if c.Address.ToDisplay == "check."+name {
			var msgs []string
			for _, i := range c.Instances {
				for _, pr := range i.Problems {
					msgs = append(msgs, pr.Message)
				}
			}
			return c.Status, strings.Join(msgs, "\n")
		}
	}
	return "absent", ""
}

// Check blocks built on the functions pass for a least-privilege pool and
// a scoped rule, and warn with the functions' reasons when the pool runs
// as LocalSystem and the rule opens UDP high ports to everyone; outputs
// carry the same verdicts; a variable validation can refuse a level.
func TestAccFunctionsInOutputsAndChecks(t *testing.T) {
	t.Parallel()
	w := newTFWorkdir(t)
	w.configure(functionChecks + functionsOnlyProvider)
	w.mustRun("init", "-no-color")

	read := func(raw []byte) planChecks {
		t.Helper()
		var p planChecks
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("plan JSON: %v", err)
		}
		return p
	}
	safe := read(w.planJSON("-var", "pool_identity=ApplicationPoolIdentity"))
	for _, name := range []string{"pool_least_privilege", "rule_not_internet"} {
		if status, msg := safe.status(name); status != "pass" {
			t.Errorf("check %s: %s (%s), want pass", name, status, msg)
		}
	}
	if got := safe.OutputChanges["pool"].After["level"]; got != "least" {
		t.Errorf("output pool.level = %q, want least", got)
	}
	if got := safe.OutputChanges["rule"].After["level"]; got != "low" {
		t.Errorf("output rule.level = %q, want low", got)
	}

	stdout := w.mustRun("plan", "-no-color", "-out=plan.out", "-var", "pool_identity=LocalSystem", "-var", "open_to_all=true")
	risky := read([]byte(w.mustRun("show", "-json", "plan.out")))
	status, msg := risky.status("pool_least_privilege")
	if status != "fail" || msg != "The pool would run with full privilege: LocalSystem: full control of the host, acts as the computer account on the network." {
		t.Errorf("check pool_least_privilege: %s, %q", status, msg)
	}
	status, msg = risky.status("rule_not_internet")
	if status != "fail" || !strings.Contains(msg, "Exposure high: inbound UDP 1024-65535 from Any on Domain: 64512 ports reachable from the internet") {
		t.Errorf("check rule_not_internet: %s, %q", status, msg)
	}
	if !strings.Contains(stdout, "Check block assertion failed") || !strings.Contains(stdout, "LocalSystem: full control of the host") {
		t.Errorf("plan does not warn with the function's reason:\n%s", stdout)
	}

	_, err := w.run("plan", "-no-color", "-var", "pool_identity=ApplicationPoolIdentity", "-var", "gated_identity=LocalSystem")
	if err == nil || !strings.Contains(strings.Join(strings.Fields(err.Error()), " "), "Not allowed: LocalSystem: full control of the host") {
		t.Errorf("variable validation with the function did not refuse LocalSystem: %v", err)
	}
}

// The examples under examples/functions plan cleanly with the real CLI,
// their checks pass, and their outputs say what their comments promise.
func TestAccFunctionExamplesPlan(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"identity_privilege", "rule_exposure"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join("..", "..", "examples", "functions", name, "function.tf"))
			if err != nil {
				t.Fatal(err)
			}
			w := newTFWorkdir(t)
			w.configure(string(src) + functionsOnlyProvider)
			w.mustRun("init", "-no-color")
			var p planChecks
			if err := json.Unmarshal(w.planJSON(), &p); err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Checks {
				if c.Address.ToDisplay != "" && strings.HasPrefix(c.Address.ToDisplay, "check.") && c.Status != "pass" {
					t.Errorf("%s: %s", c.Address.ToDisplay, c.Status)
				}
			}
			for out, v := range p.OutputChanges {
				if reason := v.After["reason"]; !strings.Contains(string(src), reason) {
					t.Errorf("output %s reason %q is not the one the example's comment shows", out, reason)
				}
			}
		})
	}
}
