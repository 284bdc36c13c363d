package provider

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// shareReadsRules and shareReadsPools are how many of each the
// share_reads tests manage on one host.
const (
	shareReadsRules = 4
	shareReadsPools = 3
)

// shareReadsConfig is shareReadsRules firewall rules and shareReadsPools
// pools on h, with extra lines in the provider block.
func shareReadsConfig(h *testHost, extra ...string) string {
	return h.providerConfig(extra...) + fmt.Sprintf(`
resource "iis_firewall_rule" "r" {
  count            = %d
  name             = "tfacc-share-${count.index}"
  display_name     = "Share ${count.index}"
  protocol         = "TCP"
  local_ports      = [tostring(9100 + count.index)]
  remote_addresses = ["10.0.0.0/8"]
}

resource "iis_app_pool" "p" {
  count = %d
  name  = "share-${count.index}"
}
`, shareReadsRules, shareReadsPools)
}

// noChangePlanOps applies the configuration in w, then runs a plan, which
// must find nothing to change, and returns the operations that plan cost
// the simulated host h, by operation.
func noChangePlanOps(t *testing.T, w *tfWorkdir, h *testHost) map[string]uint64 {
	t.Helper()
	w.mustRun("init", "-no-color")
	w.mustRun("apply", "-no-color", "-auto-approve")
	before := h.host.Stats().ByOp
	// -detailed-exitcode exits 2 (an error here) when the plan has changes.
	if out, err := w.run("plan", "-no-color", "-detailed-exitcode"); err != nil {
		t.Fatalf("the plan after apply is not empty: %v\n%s", err, out)
	}
	ops := h.host.Stats().ByOp
	for op, n := range before {
		ops[op] -= n
	}
	maps.DeleteFunc(ops, func(_ string, n uint64) bool { return n == 0 })
	return ops
}

// wantOps fails the test unless the plan's operations are exactly want.
func wantOps(t *testing.T, mode string, got, want map[string]uint64) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Errorf("%s: a no-change plan over %d rules and %d pools asked the host %v, want %v",
			mode, shareReadsRules, shareReadsPools, got, want)
	}
}

// perResource is what a plan costs when each resource asks the host
// itself: one read by name per rule and per pool, and no list.
var perResource = map[string]uint64{
	hostapi.OpFirewallRuleGet: shareReadsRules,
	hostapi.OpAppPoolGet:      shareReadsPools,
}

// By default a refresh reads the host's rules and pools once each and
// answers every resource from those lists; with share_reads = false each
// resource asks the host itself, as peer providers do. Both apply the same
// configuration to the same result: the plan after apply is empty.
func TestAccShareReadsPlanReads(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		extra []string
		want  map[string]uint64
	}{
		{"default", nil, map[string]uint64{hostapi.OpFirewallRuleList: 1, hostapi.OpAppPoolList: 1}},
		{"share_reads = false", []string{"share_reads = false"}, perResource},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newSimHost(t, simOptions{}) // counts operations: simulator only
			w := newTFWorkdir(t)
			w.configure(shareReadsConfig(h, c.extra...))
			wantOps(t, c.name, noChangePlanOps(t, w, h), c.want)
		})
	}
}

// IIS_SHARE_READS turns sharing off when the provider block does not say,
// and a value it cannot mean fails the plan, naming the variable and the
// attribute. (The provider serves from this process, so the variable is
// set here rather than for the CLI, and the test cannot run in parallel.)
func TestAccShareReadsFromEnvironment(t *testing.T) {
	t.Run("false", func(t *testing.T) {
		t.Setenv("IIS_SHARE_READS", "false")
		h := newSimHost(t, simOptions{})
		w := newTFWorkdir(t)
		w.configure(shareReadsConfig(h))
		wantOps(t, "IIS_SHARE_READS=false", noChangePlanOps(t, w, h), perResource)
	})
	t.Run("invalid", func(t *testing.T) {
		t.Setenv("IIS_SHARE_READS", "sometimes")
		h := newSimHost(t, simOptions{})
		w := newTFWorkdir(t)
		w.configure(shareReadsConfig(h))
		w.mustRun("init", "-no-color")
		out, err := w.run("plan", "-no-color")
		if err == nil {
			t.Fatalf("the plan succeeded with IIS_SHARE_READS=sometimes:\n%s", out)
		}
		// The CLI wraps the detail to its width.
		msg := strings.Join(strings.Fields(err.Error()), " ")
		for _, want := range []string{"Error: Invalid IIS_SHARE_READS", `in provider "iis"`,
			`The environment variable IIS_SHARE_READS sets "share_reads", which is "sometimes"; accepted forms: true, false, 1, 0.`} {
			if !strings.Contains(msg, want) {
				t.Errorf("the diagnostic lacks %q:\n%v", want, err)
			}
		}
		if n := h.host.Stats().Ops; n != 0 {
			t.Errorf("the host ran %d operations for a provider configuration that is not valid", n)
		}
	})
}
