package bench

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hclparse"
)

func TestParseWorkloads(t *testing.T) {
	ws, err := ParseWorkloads("10, 100,500x5")
	if err != nil {
		t.Fatal(err)
	}
	want := []Workload{{10, 1}, {100, 1}, {500, 5}}
	if len(ws) != len(want) {
		t.Fatalf("got %v", ws)
	}
	for i := range want {
		if ws[i] != want[i] {
			t.Fatalf("workload %d = %+v, want %+v", i, ws[i], want[i])
		}
	}
	if ws[2].Name() != "500/5 hosts" || ws[0].Name() != "10" {
		t.Fatalf("names %q %q", ws[0].Name(), ws[2].Name())
	}
	for _, bad := range []string{"", "x", "3", "10x0", "12x5", "10xa", "100x300"} {
		if _, err := ParseWorkloads(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Every workload manages exactly its number of resources, a fifth each of
// pools, identities and anonymous locations.
func TestMixAddsUp(t *testing.T) {
	for _, w := range []Workload{{10, 1}, {100, 1}, {500, 1}, {500, 5}, {7, 1}} {
		m := w.PerHost()
		if m.Total()*w.Hosts != w.Resources {
			t.Errorf("%s: %+v manages %d", w.Name(), m, m.Total()*w.Hosts)
		}
		if m.Pools != m.Identities || m.Pools != m.Anonymous || m.Rules < m.Pools {
			t.Errorf("%s: uneven mix %+v", w.Name(), m)
		}
	}
}

// The configuration is valid HCL and names every host; Terraform itself
// checks the rest in every benchmark run.
func TestConfigParses(t *testing.T) {
	w := Workload{Resources: 500, Hosts: 5}
	hosts := []string{"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}
	src := w.Config(hosts)
	if _, diags := hclparse.NewParser().ParseHCL([]byte(src), "main.tf"); diags.HasErrors() {
		t.Fatalf("%s\n%s", diags.Error(), src)
	}
	for _, h := range hosts {
		if !strings.Contains(src, `"`+h+`"`) {
			t.Errorf("host %s missing", h)
		}
	}
	if !strings.Contains(src, "range(20)") || !strings.Contains(src, "range(40)") {
		t.Errorf("a host's share of 500/5 is 20 pools and 40 rules:\n%s", src)
	}
}

func TestSeedCommandsCoverTheRulesAndApplications(t *testing.T) {
	cmds := seedCommands(Mix{Anonymous: 3})
	rules, apps := 0, 0
	for _, c := range cmds {
		switch c[0] {
		case "add-rule":
			rules++
		case "add-app":
			apps++
		}
	}
	if rules != PreexistingRules || apps != 3 {
		t.Fatalf("%d rules and %d applications", rules, apps)
	}
}

func TestLowerBound(t *testing.T) {
	got := lowerBound([]time.Duration{4 * time.Second, 10 * time.Second}, 2, time.Millisecond)
	if want := 5*time.Second + time.Millisecond; got != want {
		t.Fatalf("got %s, want %s: the busiest host over its sessions, plus a round trip", got, want)
	}
}

func sampleRuns(planSessions, planOneShot time.Duration, rt int64) []Run {
	mk := func(w string, n int, m Mode, p Phase, wall time.Duration, rt int64) Run {
		return Run{Workload: w, Resources: n, Hosts: 1, Mode: m, Phase: p, Wall: wall, RoundTrips: rt,
			PowerShellStarts: 2, Sessions: 2, LowerBound: wall / 2, PeakRSSBytes: 40 << 20}
	}
	return []Run{
		mk("100", 100, Sessions, Plan, planSessions/5, rt/5),
		mk("500", 500, Sessions, Plan, planSessions, rt),
		mk("500", 500, OneShot, Plan, planOneShot, 20*rt),
	}
}

func targetsByName(ts []Target) map[string]Target {
	m := map[string]Target{}
	for _, t := range ts {
		m[t.Name[:12]] = t
	}
	return m
}

func TestJudgeMeetsAndMisses(t *testing.T) {
	ts := targetsByName(judge(sampleRuns(10*time.Second, 120*time.Second, 200), 2))
	for k, tg := range ts {
		if !tg.Known || !tg.Met {
			t.Errorf("%s: %+v, want met", k, tg)
		}
	}
	ts = targetsByName(judge(sampleRuns(10*time.Second, 50*time.Second, 400), 2))
	if ts["no-change pl"].Met {
		t.Error("5x faster than one-shot met the 10x target")
	}
	if ts["at most 0.5 "].Met {
		t.Error("0.8 round trips per resource met the 0.5 target")
	}
	if !ts["provider pea"].Met {
		t.Error("40 MiB missed the 100 MiB target")
	}
	if ts := judge(nil, 2); ts[0].Known || ts[0].Met {
		t.Errorf("no runs, yet judged: %+v", ts[0])
	}
}

func TestMarkdownShowsTheRatioAndCommand(t *testing.T) {
	rep := NewReport(sampleRuns(10*time.Second, 120*time.Second, 200), Env{CPUs: 2}, "-latency lan")
	md := rep.Markdown()
	for _, want := range []string{"go run ./cmd/iisbench -latency lan", "12.0x time", "| 500 | plan | one-shot |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if _, err := rep.JSON(); err != nil {
		t.Fatal(err)
	}
}

// The wrapper's memory figure is the kernel's peak for the child.
func TestPeakRSSOfAChild(t *testing.T) {
	cmd := exec.Command("sh", "-c", "exit 0")
	if err := cmd.Run(); err != nil {
		t.Fatalf("sh: %v", err)
	}
	if rss := peakRSS(cmd.ProcessState); rss < 100<<10 {
		t.Fatalf("peak RSS of sh %d bytes, want at least 100 KiB", rss)
	}
}

func TestUsageRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, u := range []Usage{{PID: 1, PeakRSSBytes: 10}, {PID: 2, PeakRSSBytes: 20}} {
		if err := writeUsage(dir, u); err != nil {
			t.Fatal(err)
		}
	}
	us, err := readUsages(dir)
	if err != nil || len(us) != 2 {
		t.Fatalf("%v %v", us, err)
	}
	if again, _ := readUsages(dir); len(again) != 0 {
		t.Fatalf("read usages are removed, yet %v", again)
	}
}

// The sessions sweep gets its own table, in order of sessions with the
// report's own run among them, and never stands in for the report's runs.
func TestSessionSweep(t *testing.T) {
	runs := sampleRuns(10*time.Second, 120*time.Second, 200)
	for _, n := range []int{8, 1, 4} {
		runs = append(runs, Run{Workload: "500", Resources: 500, Hosts: 1, Mode: Sessions, Phase: Plan, Sweep: true,
			Sessions: n, Wall: time.Duration(100+n) * time.Second, RoundTrips: 9999, LowerBound: time.Second})
	}
	rep := NewReport(runs, Env{CPUs: 2}, "")
	if ts := targetsByName(rep.Targets); !ts["at most 0.5 "].Met || !strings.Contains(ts["at most 0.5 "].Measured, "(200 for") {
		t.Errorf("a sweep run was judged instead of the report's own: %+v", ts["at most 0.5 "])
	}
	var got []int
	for _, r := range rep.sweep(Plan) {
		got = append(got, r.Sessions)
	}
	if !slices.Equal(got, []int{1, 2, 4, 8}) {
		t.Errorf("sweep sessions %v, want 1, 2, 4, 8", got)
	}
	md := rep.Markdown()
	if !strings.Contains(md, "## Sessions per host") || !strings.Contains(md, "| 500 | plan | 8 | 108.00 s | 9999 |") {
		t.Errorf("markdown lacks the sweep:\n%s", md)
	}
	if strings.Contains(md, "| 500 | plan | sessions | 108.00 s") {
		t.Errorf("a sweep run is among the report's runs:\n%s", md)
	}
}

// TestMain lets the test binary stand in for the provider binary, as
// iisbench does in the benchmark's plugin directory.
func TestMain(m *testing.M) {
	if code, ran := RunWrapper(); ran {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// The run that showed 12.1 s of terraform CPU beside 6.1 s of provider
// CPU in a 7.7 s wall on 2 CPUs: terraform's rusage held the provider's
// CPU (and the wrapper's) as well as its own.
func TestTerraformOwnCPUTakesOffThePlugins(t *testing.T) {
	usages := []Usage{
		{PID: 1, CPU: 100 * time.Millisecond, WrapperCPU: 20 * time.Millisecond},
		{PID: 2, CPU: 6 * time.Second, WrapperCPU: 30 * time.Millisecond},
	}
	if got, want := terraformOwnCPU(12100*time.Millisecond, usages, true), 5950*time.Millisecond; got != want {
		t.Errorf("terraform's own CPU %s, want %s: its rusage less the providers and the wrappers", got, want)
	}
	if got := terraformOwnCPU(time.Second, usages, true); got != 0 {
		t.Errorf("plugins that terraform did not reap left %s, want 0", got)
	}
	if got := terraformOwnCPU(time.Second, usages, false); got != time.Second {
		t.Errorf("where rusage holds the child alone nothing comes off, got %s", got)
	}
}
