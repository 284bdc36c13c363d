package bench

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/simulate"
)

// Report is a benchmark's runs with the verdicts on issue 8's targets.
type Report struct {
	Command string                 `json:"command"`
	Env     Env                    `json:"environment"`
	Latency simulate.LatencyReport `json:"latency_model"`
	Runs    []Run                  `json:"runs"`
	Targets []Target               `json:"targets"`
}

// Target is one of issue 8's targets and how the run measured against it.
type Target struct {
	Name     string `json:"name"`
	Measured string `json:"measured"`
	Met      bool   `json:"met"`
	// Known is false when the runs needed to judge it were not made.
	Known bool `json:"known"`
	// SlowerBy is, for the speed target, each baseline's no-change plan
	// wall over the default mode's; JudgedOn names the one the verdict
	// follows.
	SlowerBy map[Mode]float64 `json:"baseline_over_sessions,omitempty"`
	JudgedOn Mode             `json:"judged_on,omitempty"`
	// Bound is, for the lower-bound target, the figures behind it.
	Bound *BoundFigures `json:"bound,omitempty"`
}

// BoundFigures compare the no-change plan with the lower bound
// and with the terraform floor, which is this benchmark's addition: the
// issue's bound counts the host's work only, as if the client cost
// nothing.
type BoundFigures struct {
	Wall              time.Duration `json:"wall_ns"`
	HostBound         time.Duration `json:"host_bound_ns"`
	WallOverHostBound float64       `json:"wall_over_host_bound"`
	// TerraformFloor is the floor's no-change plan on the same workload,
	// and WallOverMaxBound the wall over the larger of it and HostBound;
	// both zero when the floor was not run. The verdict does not use
	// them.
	TerraformFloor   time.Duration `json:"terraform_floor_ns,omitempty"`
	WallOverMaxBound float64       `json:"wall_over_max_of_host_bound_and_terraform_floor,omitempty"`
}

// NewReport judges runs against the targets. command is how the run was
// started, for the reader who wants to repeat it.
func NewReport(runs []Run, env Env, command string) Report {
	r := Report{Command: command, Env: env, Runs: runs}
	if len(runs) > 0 {
		r.Latency = runs[0].model
	}
	r.Targets = judge(runs, env.CPUs)
	return r
}

// JSON is the report for machines.
func (r Report) JSON() ([]byte, error) {
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode the report: %w", err)
	}
	return append(raw, '\n'), nil
}

// find returns the run of a workload, mode and phase at the report's
// max_sessions_per_host (not the sweep's).
func find(runs []Run, workload string, m Mode, p Phase) (Run, bool) {
	for _, r := range runs {
		if !r.Sweep && r.Workload == workload && r.Mode == m && r.Phase == p {
			return r, true
		}
	}
	return Run{}, false
}

func perResource(n int64, resources int) float64 { return float64(n) / float64(max(resources, 1)) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// judge measures the runs against issue 8's targets, all at 500 resources
// on one host with the default (sessions) mode.
func judge(runs []Run, cpus int) []Target {
	const at = "500"
	s, haveS := find(runs, at, Sessions, Plan)
	var ts []Target
	add := func(name string, known bool, measured string, met bool) {
		ts = append(ts, Target{Name: name, Known: known, Measured: measured, Met: known && met})
	}
	ts = append(ts, speedTarget(runs))
	if haveS {
		rt := perResource(s.RoundTrips, s.Resources)
		add("at most 0.5 HTTP round trips per resource (no-change plan)", true, fmt.Sprintf("%.2f (%d for %d resources)", rt, s.RoundTrips, s.Resources), rt <= 0.5)
		add(fmt.Sprintf("PowerShell starts no more than the session pool (%d)", s.Sessions), true, fmt.Sprint(s.PowerShellStarts), s.PowerShellStarts <= int64(s.Sessions))
		ts = append(ts, boundTarget(s, runs, cpus))
	} else {
		for _, n := range []string{"at most 0.5 HTTP round trips per resource (no-change plan)", "PowerShell starts no more than the session pool", "within 2x the lower bound (no-change plan)"} {
			add(n, false, "not run", false)
		}
	}
	ts = append(ts, linearity(runs))
	var peak int64
	for _, r := range runs {
		if r.Mode == Sessions && r.Workload == at && !r.Sweep {
			peak = max(peak, r.PeakRSSBytes)
		}
	}
	add("provider peak memory under 100 MiB", peak > 0, fmt.Sprintf("%.0f MiB", mib(peak)), mib(peak) < 100)
	return ts
}

// speedName is the speed target as issue 8 words it.
const speedName = "no-change plan at least 10x faster than one-shot"

// speedTarget compares the no-change plan at 500 resources with both
// baselines. The "one-shot" meant the way every peer works, one
// process and one read per resource; the provider's one-shot mode as
// shipped shares reads, so it asks the host as few questions as the
// default mode and is reported beside the per-resource baseline, which the
// verdict follows.
func speedTarget(runs []Run) Target {
	const at = "500"
	t := Target{Name: speedName, Measured: "not run"}
	s, haveS := find(runs, at, Sessions, Plan)
	o, haveO := find(runs, at, OneShot, Plan)
	pr, haveP := find(runs, at, PerResource, Plan)
	if !haveS || (!haveO && !haveP) {
		return t
	}
	t.SlowerBy = map[Mode]float64{}
	var parts []string
	if haveO {
		x := o.Wall.Seconds() / s.Wall.Seconds()
		t.SlowerBy[OneShot] = x
		parts = append(parts, fmt.Sprintf("One-shot mode as shipped (a shell and a powershell.exe per operation, reads still shared): %.1fx (%.1f s vs %.1f s); "+
			"%.1fx the round trips, %d vs %d PowerShell starts; it asks the host the same %d vs %d questions as the default mode, "+
			"so even with CPU to spare its ratio could not pass that of the host bounds, %.1fx (%.2f s vs %.2f s)",
			x, s.Wall.Seconds(), o.Wall.Seconds(), float64(o.RoundTrips)/float64(max(s.RoundTrips, 1)), o.PowerShellStarts, s.PowerShellStarts,
			o.HostOps, s.HostOps, o.LowerBound.Seconds()/s.LowerBound.Seconds(), o.LowerBound.Seconds(), s.LowerBound.Seconds()))
	}
	if !haveP {
		parts = append(parts, "Not judged: the per-resource baseline, which the verdict follows, was not run")
		t.Measured = strings.Join(parts, ". ")
		return t
	}
	x := pr.Wall.Seconds() / s.Wall.Seconds()
	t.SlowerBy[PerResource] = x
	parts = append(parts, fmt.Sprintf("Per-resource baseline, the way peer providers work (a shell and a powershell.exe per operation, one read per resource): "+
		"%.1fx (%.1f s vs %.1f s); %.1fx the round trips, %d vs %d PowerShell starts, %d vs %d host ops",
		x, s.Wall.Seconds(), pr.Wall.Seconds(), float64(pr.RoundTrips)/float64(max(s.RoundTrips, 1)), pr.PowerShellStarts, s.PowerShellStarts,
		pr.HostOps, s.HostOps))
	if pr.HostOps < int64(pr.Resources)/2 {
		// A provider that ignores IIS_SHARE_READS shares its reads in
		// this mode too: the run is then one-shot again, not the peers'
		// way, and the reader must know.
		parts = append(parts, fmt.Sprintf("Caution: the per-resource run asked the host %d questions for %d resources, so the provider shared its reads "+
			"(IIS_SHARE_READS=false had no effect) and this baseline is not the peers' way", pr.HostOps, pr.Resources))
	}
	t.Known, t.Met, t.JudgedOn = true, x >= 10, PerResource
	verdict := "below 10x: not met"
	if t.Met {
		verdict = "at least 10x: met"
	}
	parts = append(parts, fmt.Sprintf("Judged on the per-resource baseline: %.1fx, %s", x, verdict))
	t.Measured = strings.Join(parts, ". ")
	return t
}

// boundTarget measures the no-change plan at 500 resources against the
// issue's lower bound, and shows beside it the bounds the issue leaves
// out: the machine's CPU and terraform's own cost (the terraform floor).
// The verdict stays on the definition.
func boundTarget(s Run, runs []Run, cpus int) Target {
	x := s.Wall.Seconds() / s.LowerBound.Seconds()
	bf := &BoundFigures{Wall: s.Wall, HostBound: s.LowerBound, WallOverHostBound: x}
	floor := cpuFloor(s, cpus).Seconds()
	measured := fmt.Sprintf("%.1fx (%.2f s vs host bound %.2f s)", x, s.Wall.Seconds(), s.LowerBound.Seconds())
	if floor > s.LowerBound.Seconds() {
		// The host bound assumes the client costs nothing; here the
		// CPU the run needed is the higher bound, and says who used it.
		cpu := s.TerraformCPU + s.ProviderCPU + s.SimulatorCPU
		measured += fmt.Sprintf(". The binding bound on this machine is its CPU, not the host: %.1f s terraform + %.1f s provider + %.1f s simulator "+
			"(the provider %.0f%% of it) over %d CPUs is a floor of %.1f s, %.0fx the host bound, and the run took %.1fx that floor",
			s.TerraformCPU.Seconds(), s.ProviderCPU.Seconds(), s.SimulatorCPU.Seconds(), 100*s.ProviderCPU.Seconds()/cpu.Seconds(),
			max(cpus, 1), floor, floor/s.LowerBound.Seconds(), s.Wall.Seconds()/floor)
	}
	if f, ok := find(runs, s.Workload, Floor, Plan); ok {
		bound := max(s.LowerBound, f.Wall)
		bf.TerraformFloor, bf.WallOverMaxBound = f.Wall, s.Wall.Seconds()/bound.Seconds()
		measured += fmt.Sprintf(". Our addition, not the issue's definition (the verdict stays on that): terraform floor %.2f s "+
			"(terraform alone planning the same graph, see Terraform floor); the wall is %.1fx max(host bound, terraform floor) = %.2f s",
			f.Wall.Seconds(), bf.WallOverMaxBound, bound.Seconds())
	}
	return Target{Name: "within 2x the lower bound (no-change plan)", Known: true, Measured: measured, Met: x <= 2, Bound: bf}
}

// linearity compares the no-change plan's cost per resource at 500 with
// that at 100: growing linearly, it stays the same; a cost that grows
// with the square of the resources (one host-wide read per resource, say)
// would multiply it by five. The 10-resource run is dominated by fixed
// costs (Terraform's start, the sessions' start) and says little either
// way, so it is shown, not judged.
func linearity(runs []Run) Target {
	name := "cost grows linearly from 10 to 500 resources (no-change plan, per resource: 500 within 1.25x of 100)"
	small, ok1 := find(runs, "100", Sessions, Plan)
	large, ok2 := find(runs, "500", Sessions, Plan)
	tiny, ok3 := find(runs, "10", Sessions, Plan)
	if !ok1 || !ok2 {
		return Target{Name: name, Measured: "not run"}
	}
	per := func(r Run) float64 { return r.Wall.Seconds() / float64(r.Resources) }
	rt := func(r Run) float64 { return perResource(r.RoundTrips, r.Resources) }
	measured := fmt.Sprintf("%.1f / %.1f ms and %.2f / %.2f round trips per resource at 100 / 500",
		1000*per(small), 1000*per(large), rt(small), rt(large))
	if ok3 {
		measured += fmt.Sprintf(" (%.1f ms, %.2f at 10)", 1000*per(tiny), rt(tiny))
	}
	met := per(large) <= 1.25*per(small) && rt(large) <= 1.25*rt(small)+0.01
	return Target{Name: name, Known: true, Measured: measured, Met: met}
}

// Markdown is the report for people: the environment, the verdicts, one
// row per workload, phase and mode, and the terraform floor.
func (r Report) Markdown() string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	fmt.Fprintf(&b, "Made by `make bench`, which runs `go run ./cmd/iisbench %s`, on %s", r.Command, r.Env.Date.Format("2006-01-02 15:04 MST"))
	if r.Env.Commit != "" {
		fmt.Fprintf(&b, " at commit `%s`", r.Env.Commit)
	}
	fmt.Fprintf(&b, ": terraform %s, %s, %d CPUs, load average %s before and %s after (1, 5, 15 min); the whole benchmark took %s.\n\n",
		r.Env.Terraform, r.Env.GoVersion, r.Env.CPUs, orDash(r.Env.LoadBefore), orDash(r.Env.LoadAfter), r.Env.Duration.Round(time.Second))
	l := r.Latency
	fmt.Fprintf(&b, "Every run is the real `terraform` CLI (`-parallelism=%d`, Terraform's default) against fresh simulated hosts "+
		"(`terraform-provider-iis simulate --latency %s`) that each already have %d firewall rules. "+
		"Latency model: round trip %s, shell creation %s, PowerShell start %s, %s per operation plus %s per firewall rule in the store for firewall operations, "+
		"%s (sources in `internal/simulate/latency.go`). Round trips and PowerShell starts are counted by the simulators, server side; "+
		"peak memory is the provider process's ru_maxrss. The provider keeps up to %d sessions per host.\n\n",
		r.Env.Parallelism, l.Model, PreexistingRules, l.RTT, l.ShellCreate, l.PowerShellStart, l.PerOp, l.PerFirewallRule, hostCPUsText(l.HostCPUs), r.Env.MaxSessions)
	b.WriteString("Modes: `sessions` is the provider's default (long-lived sessions, reads shared between resources: bulk lists and a read cache). " +
		"`one-shot` is its one-shot mode as shipped (`IIS_ONE_SHOT=true`): a shell and a `powershell.exe` per operation, reads still shared. " +
		"`per-resource` adds `IIS_SHARE_READS=false`: a shell and a `powershell.exe` per operation and one read per resource, " +
		"the way peer WinRM providers work (`reference/winrm.md` section 5), and the baseline the speed target is judged on. " +
		"The terraform floor is terraform alone, without the provider (see below).\n\n")

	b.WriteString("## Targets (500 resources on one host)\n\n| target | measured | met |\n|---|---|---|\n")
	for _, t := range r.Targets {
		verdict := "no"
		switch {
		case !t.Known:
			verdict = "not measured"
		case t.Met:
			verdict = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.Name, t.Measured, verdict)
	}

	b.WriteString("\n## Runs\n\n")
	b.WriteString("Per resource figures divide by the workload's resources. The host bound is the busiest host's own work " +
		"(operations, PowerShell starts, shell creations) divided by its sessions, or by its processors when it has fewer, plus one round trip; " +
		"one-shot and per-resource calls run as many at once as Terraform has in flight, so their bound divides by the parallelism or the processors. " +
		"CPU is what terraform (its own, without the plugins it waited for), the provider processes and the simulators used during the run; " +
		"divided by the CPUs it is a second floor, which on a small machine is the higher one. " +
		"The last column is each baseline's figures over the default mode's: one-shot / sessions on one-shot rows, per-resource / sessions on per-resource rows.\n\n")
	b.WriteString("| resources | command | mode | wall | per resource | HTTP round trips | per resource | PowerShell starts | host ops | host bound | wall / bound | CPU terraform + provider + simulator | provider peak | one-shot / sessions, per-resource / sessions |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, run := range r.Runs {
		if run.Sweep || run.Mode == Floor {
			continue
		}
		ratio := ""
		if run.Mode.baseline() {
			if s, ok := find(r.Runs, run.Workload, Sessions, run.Phase); ok && s.Wall > 0 {
				ratio = fmt.Sprintf("%.1fx time, %.1fx round trips", run.Wall.Seconds()/s.Wall.Seconds(),
					float64(run.RoundTrips)/float64(max(s.RoundTrips, 1)))
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f s | %.1f ms | %d | %.2f | %d | %d | %.2f s | %.1fx | %.1f + %.1f + %.1f s | %.0f MiB | %s |\n",
			run.Workload, run.Phase, run.Mode, run.Wall.Seconds(), 1000*run.Wall.Seconds()/float64(run.Resources),
			run.RoundTrips, perResource(run.RoundTrips, run.Resources), run.PowerShellStarts, run.HostOps,
			run.LowerBound.Seconds(), run.Wall.Seconds()/run.LowerBound.Seconds(),
			run.TerraformCPU.Seconds(), run.ProviderCPU.Seconds(), run.SimulatorCPU.Seconds(), mib(run.PeakRSSBytes), ratio)
	}
	r.floorMarkdown(&b)
	r.sweepMarkdown(&b)
	return b.String()
}

// floorMarkdown is the table of the terraform floor: what terraform alone
// costs for each workload's graph.
func (r Report) floorMarkdown(b *strings.Builder) {
	if !slices.ContainsFunc(r.Runs, func(run Run) bool { return run.Mode == Floor }) {
		return
	}
	b.WriteString("\n## Terraform floor\n\n")
	fmt.Fprintf(b, "Terraform alone on each workload's graph: the same configuration with every resource replaced by the builtin `terraform_data` "+
		"(no provider process, no host), with the same `for_each` and the same attribute values as its `input`, applied once, "+
		"then timed as the runs above (`-parallelism=%d`). It is terraform's own cost of the graph, with no plugin and no host: "+
		"a floor that the issue's lower bound leaves out.\n\n", r.Env.Parallelism)
	b.WriteString("| resources | command | terraform floor | per resource | terraform CPU | sessions wall / floor |\n|---|---|---|---|---|---|\n")
	for _, run := range r.Runs {
		if run.Mode != Floor {
			continue
		}
		ratio := ""
		if s, ok := find(r.Runs, run.Workload, Sessions, run.Phase); ok && run.Wall > 0 {
			ratio = fmt.Sprintf("%.1fx", s.Wall.Seconds()/run.Wall.Seconds())
		}
		fmt.Fprintf(b, "| %s | %s | %.2f s | %.1f ms | %.1f s | %s |\n", run.Workload, run.Phase, run.Wall.Seconds(),
			1000*run.Wall.Seconds()/float64(max(run.Resources, 1)), run.TerraformCPU.Seconds(), ratio)
	}
}

// sweep returns the runs of the sessions sweep for one phase, in order of
// sessions, with the report's own run at the default among them.
func (r Report) sweep(p Phase) []Run {
	var workload string
	for _, run := range r.Runs {
		if run.Sweep {
			workload = run.Workload
		}
	}
	if workload == "" {
		return nil
	}
	var out []Run
	for _, run := range r.Runs {
		if run.Workload == workload && run.Mode == Sessions && run.Phase == p {
			out = append(out, run)
		}
	}
	slices.SortFunc(out, func(a, b Run) int { return a.Sessions - b.Sessions })
	return out
}

// sweepMarkdown is the table max_sessions_per_host's default is chosen
// by: the same workload at each number of sessions.
func (r Report) sweepMarkdown(b *strings.Builder) {
	if !slices.ContainsFunc(r.Runs, func(run Run) bool { return run.Sweep }) {
		return
	}
	b.WriteString("\n## Sessions per host\n\n")
	b.WriteString("The same workload at each `max_sessions_per_host` (fresh hosts each time), in the default mode. " +
		"More sessions divide the host's work (the host bound) but each is one more `powershell.exe` on the host " +
		"and one more of the user's WinRM shells (`MaxShellsPerUser`, 30 by default, shared by every Terraform run " +
		"and every other tool that user runs), and batches fewer calls per round trip.\n\n")
	b.WriteString("| resources | command | sessions | wall | HTTP round trips | PowerShell starts | host bound | CPU terraform + provider + simulator | CPU floor | provider peak |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, p := range Phases {
		for _, run := range r.sweep(p) {
			fmt.Fprintf(b, "| %s | %s | %d | %.2f s | %d | %d | %.2f s | %.1f + %.1f + %.1f s | %.1f s | %.0f MiB |\n",
				run.Workload, run.Phase, run.Sessions, run.Wall.Seconds(), run.RoundTrips, run.PowerShellStarts,
				run.LowerBound.Seconds(), run.TerraformCPU.Seconds(), run.ProviderCPU.Seconds(), run.SimulatorCPU.Seconds(),
				cpuFloor(run, r.Env.CPUs).Seconds(), mib(run.PeakRSSBytes))
		}
	}
}

// cpuFloor is the CPU terraform, the provider and the simulators used
// during a run, spread over the machine's CPUs: no run on this machine
// could be shorter.
func cpuFloor(run Run, cpus int) time.Duration {
	return (run.TerraformCPU + run.ProviderCPU + run.SimulatorCPU) / time.Duration(max(cpus, 1))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// hostCPUsText says how many processors each simulated host works on.
func hostCPUsText(n int) string {
	if n <= 0 {
		return "on as many processors as the work asks for (no limit)"
	}
	return fmt.Sprintf("all of it run on %d processors per host, where starts and operations beyond them queue", n)
}
