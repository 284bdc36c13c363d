package simulate

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// --stats-file shows, from the server's side, what a client's calls cost:
// the HTTP requests, the PowerShell it started, the operations, and the
// modelled work; and the last report, written at exit, covers the run.
func TestStatsFileCountsWhatAClientCost(t *testing.T) {
	dir := t.TempDir()
	stats := filepath.Join(dir, "stats.json")
	t.Setenv(PasswordEnv, "Sim-Pa55word")
	_, _, host, port, stop := startSimulator(t,
		"--listen", "127.0.0.1:0", "--allow-unencrypted", "--state", filepath.Join(dir, "host.json"), "--stats-file", stats)

	first, err := ReadStats(stats)
	if err != nil {
		t.Fatalf("no report right after start: %v", err)
	}
	if first.Server.Requests != 0 || first.Host.Ops != 0 || first.Latency.Model != "none" {
		t.Fatalf("a fresh simulator reports %+v", first)
	}
	if _, err := hostInfo(t, remote.Config{Host: host, Port: port, Username: "administrator", Password: "Sim-Pa55word"}); err != nil {
		t.Fatalf("host.info: %v", err)
	}
	called := time.Now()
	if code := stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	last, err := ReadStats(stats)
	if err != nil {
		t.Fatal(err)
	}
	if !last.At.After(called) {
		t.Fatalf("the report at exit (%s) is older than the call (%s)", last.At, called)
	}
	// One session: Create, Command, Sends and Receives, then teardown.
	if last.Server.Requests < 5 || last.Server.Commands != 1 || last.Server.Shells != 1 {
		t.Errorf("server counters %+v: want one shell, one PowerShell and at least five requests", last.Server)
	}
	if last.Host.Ops != 1 || last.Host.ByOp[hostapi.OpHostInfo] != 1 {
		t.Errorf("host counters %+v: want the one host.info", last.Host)
	}
}

// The lan preset charges what latency.go says it does, and the report
// carries the figures so a reader can turn counts into time.
func TestLatencyReportMatchesThePreset(t *testing.T) {
	r := latencyReport("lan", 2)
	if r.RTT != 500*time.Microsecond || r.PowerShellStart != 250*time.Millisecond || r.PerFirewallRule != time.Millisecond || r.HostCPUs != 2 {
		t.Fatalf("lan report %+v", r)
	}
	if none := latencyReport("none", 0); none.RTT != 0 || none.PowerShellStart != 0 || none.PerOp != 0 || none.HostCPUs != 0 {
		t.Fatalf("none report %+v", none)
	}
}
