package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

const fleetRule = "tfacc-fleet-https"

// fleetConfig is one rule on every host of the fleet through for_each,
// three more rules on the provider's own host, and the audit of every
// host's pools.
func fleetConfig(f *fleet, displayName string) string {
	return f.config(`max_sessions_per_host = 1`) + `
resource "iis_firewall_rule" "https" {
  for_each         = toset(local.hosts)
  host             = each.key
  name             = "` + fleetRule + `"
  display_name     = "` + displayName + `"
  protocol         = "TCP"
  local_ports      = ["443"]
  remote_addresses = ["10.0.0.0/8"]
}

resource "iis_firewall_rule" "extra" {
  for_each         = toset(["8081", "8082", "8083"])
  name             = "tfacc-fleet-${each.key}"
  display_name     = "Extra ${each.key}"
  protocol         = "TCP"
  local_ports      = [each.key]
  remote_addresses = ["10.0.0.0/8"]
}

data "iis_app_pools" "audit" {
  for_each = toset(local.hosts)
  host     = each.key
}

output "audit" {
  value = { for h, d in data.iis_app_pools.audit : h => [for p in d.pools : "${p.name}=${p.privilege}"] }
}
`
}

// One provider block manages three hosts through for_each (which
// plugin-testing's state checks cannot index, hence the CLI directly), with
// one agent per host however many resources it carries. A host switched off
// between plan and apply fails its own resource within the bounded connect
// wait, naming itself, while the two others apply; a plan while it is off
// fails as fast and names only it; once it is back, the next apply brings
// it in line.
func TestAccFleet(t *testing.T) {
	t.Parallel()
	f := newFleet(t, 3)
	w := newTFWorkdir(t)
	displayOn := func(i int, want string) {
		t.Helper()
		if r, ok := f.rule(i, fleetRule); !ok || r.DisplayName != want {
			t.Errorf("host %s holds %+v (exists %v), want display name %q", f.hosts[i].Host, r, ok, want)
		}
	}

	w.configure(fleetConfig(f, "HTTPS"))
	w.mustRun("init", "-no-color")
	w.planJSON()
	w.apply()
	for i := range f.hosts {
		displayOn(i, "HTTPS")
		if _, ok := f.rule(i, "tfacc-fleet-8081"); ok != (i == 0) {
			t.Errorf("host %s: extra rule present %v, want it on the provider's host only", f.hosts[i].Host, ok)
		}
	}
	// Four rules on the first host cost it as many PowerShell agents as
	// one rule costs each of the others.
	first := f.hosts[0].sim.Stats().Commands
	for _, h := range f.hosts[1:] {
		if n := h.sim.Stats().Commands; n != first || n == 0 {
			t.Errorf("agents started: %s %d, %s %d; want the same on every host", f.hosts[0].Host, first, h.Host, n)
		}
	}
	audit := w.mustRun("output", "-no-color", "-json", "audit")
	for _, h := range f.hosts {
		if !strings.Contains(audit, fmt.Sprintf(`%q:["DefaultAppPool=least"`, h.Host)) {
			t.Errorf("audit output %s lacks DefaultAppPool on %s", audit, h.Host)
		}
	}

	// Host 3 goes off after the plan.
	w.configure(fleetConfig(f, "HTTPS v2"))
	w.planJSON()
	f.switchOff(2)
	start := time.Now()
	stdout, err := w.run("apply", "-no-color", "-auto-approve", "plan.out")
	took := time.Since(start)
	if err == nil {
		t.Fatalf("apply succeeded with host %s switched off", f.hosts[2].Host)
	}
	onlyHost3(t, "apply", stderrOf(err, stdout), took)
	for _, addr := range []string{`iis_firewall_rule.https["127.0.0.1"]: Modifications complete`, `iis_firewall_rule.https["127.0.0.2"]: Modifications complete`} {
		if !strings.Contains(stdout, addr) {
			t.Errorf("apply output lacks %q:\n%s", addr, stdout)
		}
	}
	displayOn(0, "HTTPS v2")
	displayOn(1, "HTTPS v2")
	displayOn(2, "HTTPS")

	// While it is off, a plan cannot refresh its rule.
	start = time.Now()
	stdout, err = w.run("plan", "-no-color")
	if err == nil {
		t.Fatalf("plan succeeded with host %s switched off", f.hosts[2].Host)
	}
	onlyHost3(t, "plan", stderrOf(err, stdout), time.Since(start))

	// Back on: only its rule is left to change.
	f.switchOn(2)
	w.planJSON()
	out := w.mustRun("apply", "-no-color", "-auto-approve", "plan.out")
	if !strings.Contains(out, "0 added, 1 changed, 0 destroyed") {
		t.Errorf("after the host came back the apply did:\n%s", out)
	}
	displayOn(2, "HTTPS v2")

	w.mustRun("destroy", "-no-color", "-auto-approve")
	for i := range f.hosts {
		if _, ok := f.rule(i, fleetRule); ok {
			t.Errorf("%s is still on host %s after destroy", fleetRule, f.hosts[i].Host)
		}
	}
}

// onlyHost3 checks what a run printed to stderr while host 3 was off:
// errors about host 3 only, one per object on it, saying nothing answered
// within the connect bound, and that they came well before masterzen's own
// 30 s connect timeout (which the retry policy would pay again on every
// attempt).
func onlyHost3(t *testing.T, what, stderr string, took time.Duration) {
	t.Helper()
	flat := strings.Join(strings.Fields(stderr), " ")
	if n, m := strings.Count(flat, "Error: "), strings.Count(flat, "on host 127.0.0.3 "); n == 0 || n != m {
		t.Errorf("%s printed %d errors, %d of them about host 127.0.0.3; want all:\n%s", what, n, m, stderr)
	}
	if !strings.Contains(flat, `iis_firewall_rule.https["127.0.0.3"]`) ||
		!regexpMatch(`on host 127\.0\.0\.3 .*nothing answered at 127\.0\.0\.3:\d+ within 10s`, flat) {
		t.Errorf("%s error does not name host 127.0.0.3 and the bounded wait:\n%s", what, stderr)
	}
	if strings.Contains(flat, "127.0.0.1") || strings.Contains(flat, "127.0.0.2") {
		t.Errorf("%s error mentions the hosts that answered:\n%s", what, stderr)
	}
	if took > 25*time.Second {
		t.Errorf("%s took %s to give up on the switched-off host", what, took)
	}
}

// stderrOf is what a failed tfWorkdir.run printed to stderr: its error
// carries stdout, then stderr.
func stderrOf(err error, stdout string) string {
	msg := err.Error()
	if stdout == "" {
		return msg
	}
	if i := strings.Index(msg, stdout); i >= 0 {
		return msg[i+len(stdout):]
	}
	return msg
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
