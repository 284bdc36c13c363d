package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/simulate"
)

// Mode is how the provider reaches the hosts.
type Mode string

const (
	// Sessions is the default: long-lived agent sessions per host.
	Sessions Mode = "sessions"
	// OneShot is the provider's one-shot mode as shipped
	// (IIS_ONE_SHOT=true): a shell and a powershell.exe per operation,
	// but reads still shared between resources (bulk lists, the read
	// cache), so it asks the host as few questions as Sessions does.
	OneShot Mode = "one-shot"
	// PerResource is the way peer WinRM providers work (reference/winrm.md
	// section 5): a shell and a powershell.exe per operation and one read
	// per resource (IIS_ONE_SHOT=true, IIS_SHARE_READS=false). Issue 8's
	// speed target is judged against it.
	PerResource Mode = "per-resource"
	// Floor is no provider at all: terraform alone on the same graph
	// (Workload.FloorConfig), timed for plan and refresh-only.
	Floor Mode = "terraform-floor"
)

// Modes are the provider modes Options.Modes may hold, in report order.
var Modes = []Mode{Sessions, OneShot, PerResource}

// baseline reports whether the mode is one the default mode is compared
// against.
func (m Mode) baseline() bool { return m == OneShot || m == PerResource }

// env is the provider environment of the mode.
func (m Mode) env() []string {
	return []string{
		fmt.Sprintf("IIS_ONE_SHOT=%t", m.baseline()),
		fmt.Sprintf("IIS_SHARE_READS=%t", m != PerResource),
	}
}

// Options configure a benchmark run.
type Options struct {
	Provider  string // the provider binary
	Terraform string // the terraform CLI
	WorkDir   string // scratch space; the caller removes it
	Latency   string // the simulator's latency model: lan or wan
	// HostCPUs is each simulated host's processor count; -1 keeps the
	// latency model's, 0 lifts the limit (simulate --host-cpus).
	HostCPUs    int
	Workloads   []Workload
	Modes       []Mode
	Parallelism int // terraform -parallelism
	MaxSessions int // max_sessions_per_host; 0 for the provider's default
	// SessionSweep lists further max_sessions_per_host values to run
	// SweepWorkload at in the default mode, for choosing the default: the
	// runs at the default itself are not repeated.
	SessionSweep  []int
	SweepWorkload Workload
	// Floor times terraform alone on each workload's graph as well
	// (executeFloor).
	Floor bool
	Log   io.Writer
}

// Run is what one terraform command cost.
type Run struct {
	Workload  string `json:"workload"`
	Resources int    `json:"resources"`
	Hosts     int    `json:"hosts"`
	Mode      Mode   `json:"mode"`
	Phase     Phase  `json:"phase"`
	Latency   string `json:"latency"`

	Wall             time.Duration `json:"wall_ns"`
	RoundTrips       int64         `json:"http_round_trips"`
	PowerShellStarts int64         `json:"powershell_starts"`
	Shells           int64         `json:"shells"`
	HostOps          int64         `json:"host_ops"`
	// OpsByName splits HostOps by operation, summed over hosts.
	OpsByName map[string]uint64 `json:"host_ops_by_name"`
	// ByAction splits RoundTrips by WS-Management action (Create,
	// Command, Send, Receive, Signal, Delete; NTLM's 401 rounds are in
	// RoundTrips only).
	ByAction map[string]int64 `json:"round_trips_by_action"`
	// HostWork is what the hosts themselves spent (operations, PowerShell
	// starts, shell creations), summed over hosts.
	HostWork time.Duration `json:"host_work_ns"`
	// LowerBound is the busiest host's work divided by the sessions that
	// share it, plus one round trip: no client could finish sooner.
	LowerBound time.Duration `json:"lower_bound_ns"`
	Sessions   int           `json:"sessions_per_host"`
	// Sweep marks the runs made only for the sessions sweep (at another
	// max_sessions_per_host than the rest of the report).
	Sweep bool `json:"session_sweep,omitempty"`
	// PeakRSSBytes is the largest peak resident set of the provider
	// processes Terraform started for the command.
	PeakRSSBytes      int64 `json:"provider_peak_rss_bytes"`
	ProviderProcesses int   `json:"provider_processes"`
	// CPU time of terraform, of the provider processes and of the
	// simulators during the run: on a machine with few cores, a wall time
	// far above the lower bound is often CPU the three compete for.
	TerraformCPU time.Duration `json:"terraform_cpu_ns"`
	ProviderCPU  time.Duration `json:"provider_cpu_ns"`
	SimulatorCPU time.Duration `json:"simulator_cpu_ns"`

	model simulate.LatencyReport // the simulators', for the report
}

// Execute runs every workload in every mode and returns the runs in order.
// A failure stops the benchmark: a figure from a broken run means nothing.
func Execute(ctx context.Context, o Options) ([]Run, error) {
	var runs []Run
	for _, w := range o.Workloads {
		for _, m := range o.Modes {
			rs, err := executeOne(ctx, o, w, m)
			if err != nil {
				return runs, fmt.Errorf("workload %s, %s: %w", w.Name(), m, err)
			}
			runs = append(runs, rs...)
		}
		if o.Floor {
			rs, err := executeFloor(ctx, o, w)
			if err != nil {
				return runs, fmt.Errorf("workload %s, %s: %w", w.Name(), Floor, err)
			}
			runs = append(runs, rs...)
		}
	}
	for _, n := range o.SessionSweep {
		if n == o.sessions() {
			continue // the main runs are this point of the sweep
		}
		so := o
		so.MaxSessions = n
		rs, err := executeOne(ctx, so, o.SweepWorkload, Sessions)
		if err != nil {
			return runs, fmt.Errorf("sessions sweep at %d, workload %s: %w", n, o.SweepWorkload.Name(), err)
		}
		for i := range rs {
			rs[i].Sweep = true
		}
		runs = append(runs, rs...)
	}
	return runs, nil
}

// sessions is the max_sessions_per_host the provider runs with.
func (o Options) sessions() int {
	if o.MaxSessions > 0 {
		return o.MaxSessions
	}
	return DefaultSessions
}

// executeOne starts fresh hosts for one workload and mode and runs each
// phase against them.
func executeOne(ctx context.Context, o Options, w Workload, m Mode) ([]Run, error) {
	dir, err := os.MkdirTemp(o.WorkDir, strings.NewReplacer("/", "-", " ", "").Replace(w.Name())+"-"+string(m)+"-")
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	password, err := randomPassword()
	if err != nil {
		return nil, err
	}
	hosts, err := startHosts(ctx, o, w, dir, password)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, h := range hosts {
			h.stop()
		}
	}()
	tf, usageDir, err := prepareTerraform(o, w, m, dir, hosts, password)
	if err != nil {
		return nil, err
	}
	sessions := o.sessions()
	if m.baseline() {
		// One-shot calls are not pooled: as many run at once as
		// Terraform has calls in flight.
		sessions = o.Parallelism
	}
	var runs []Run
	for _, p := range Phases {
		fmt.Fprintf(o.Log, "  %-12s %-15s %2d %-13s ", w.Name(), m, sessions, p)
		tf.logPath = filepath.Join(dir, string(p)+".log")
		r, err := measure(ctx, tf, p, o.Parallelism, hosts, usageDir)
		if err != nil {
			fmt.Fprintln(o.Log, "failed")
			return runs, err
		}
		r.Workload, r.Resources, r.Hosts, r.Mode, r.Phase, r.Latency = w.Name(), w.Resources, w.Hosts, m, p, o.Latency
		r.Sessions = sessions
		r.LowerBound = lowerBound(r.perHostWork, sessions, r.model.HostCPUs, r.rtt)
		fmt.Fprintf(o.Log, "%8.2fs  %6d round trips  %4d PowerShell starts  %5d host ops  bound %.2fs  cpu tf %.1fs provider %.1fs sim %.1fs  %v\n",
			r.Wall.Seconds(), r.RoundTrips, r.PowerShellStarts, r.HostOps, r.LowerBound.Seconds(),
			r.TerraformCPU.Seconds(), r.ProviderCPU.Seconds(), r.SimulatorCPU.Seconds(), r.ByAction)
		runs = append(runs, r.Run)
	}
	return runs, nil
}

// DefaultSessions is the provider's max_sessions_per_host default, which
// the lower bound divides by when Options.MaxSessions is zero.
const DefaultSessions = 4

// measured is a Run with what lowerBound needs.
type measured struct {
	Run
	perHostWork []time.Duration
	rtt         time.Duration
}

// measure runs one phase and takes the difference of the simulators'
// counters around it.
func measure(ctx context.Context, tf terraformRun, p Phase, parallelism int, hosts []*simHost, usageDir string) (measured, error) {
	var r measured
	before, err := allStats(ctx, hosts, time.Now())
	if err != nil {
		return r, err
	}
	if _, err := readUsages(usageDir); err != nil { // anything left from setup
		return r, err
	}
	simCPU := make([]time.Duration, len(hosts))
	for i, h := range hosts {
		simCPU[i] = processCPU(h.cmd.Process.Pid)
	}
	wall, tfCPU, err := tf.run(ctx, p, parallelism)
	if err != nil {
		return r, err
	}
	end := time.Now()
	after, err := allStats(ctx, hosts, end)
	if err != nil {
		return r, err
	}
	r.Wall = wall
	for i, h := range hosts {
		r.SimulatorCPU += processCPU(h.cmd.Process.Pid) - simCPU[i]
		b, a := before[i], after[i]
		lat := a.Latency
		r.rtt, r.model = lat.RTT, lat
		starts := a.Server.Commands - b.Server.Commands
		shells := a.Server.Shells - b.Server.Shells
		work := (a.Host.Work - b.Host.Work) +
			time.Duration(starts)*lat.PowerShellStart + time.Duration(shells)*lat.ShellCreate
		r.RoundTrips += a.Server.Requests - b.Server.Requests
		r.PowerShellStarts += starts
		r.Shells += shells
		r.HostOps += int64(a.Host.Ops - b.Host.Ops)
		for op, n := range a.Host.ByOp {
			if d := n - b.Host.ByOp[op]; d > 0 {
				if r.OpsByName == nil {
					r.OpsByName = map[string]uint64{}
				}
				r.OpsByName[op] += d
			}
		}
		for act, n := range a.Server.ByAction {
			if d := n - b.Server.ByAction[act]; d > 0 {
				if r.ByAction == nil {
					r.ByAction = map[string]int64{}
				}
				r.ByAction[act] += d
			}
		}
		r.HostWork += work
		r.perHostWork = append(r.perHostWork, work)
	}
	usages, err := readUsages(usageDir)
	if err != nil {
		return r, err
	}
	r.ProviderProcesses = len(usages)
	for _, u := range usages {
		r.PeakRSSBytes = max(r.PeakRSSBytes, u.PeakRSSBytes)
		r.ProviderCPU += u.CPU
	}
	r.TerraformCPU = terraformOwnCPU(tfCPU, usages, rusageCountsWaitedChildren)
	return r, nil
}

// terraformOwnCPU is the CPU terraform itself used, from its rusage. On
// Linux that rusage counts every descendant terraform waited for, and
// terraform waits for each plugin it starts: the bench wrapper, whose
// rusage in turn counts the provider it waited for. Both are in usages
// (the provider's CPU, which the report shows as ProviderCPU, and the
// wrapper's own, which belongs to no one a user would run), so they come
// off; left in, the provider would count twice and the CPU floor would be
// higher than the machine's. The result is clamped at zero because a
// plugin terraform killed without reaping is in usages but not in its
// rusage.
func terraformOwnCPU(rusage time.Duration, usages []Usage, countsChildren bool) time.Duration {
	if !countsChildren {
		return rusage
	}
	own := rusage
	for _, u := range usages {
		own -= u.CPU + u.WrapperCPU
	}
	return max(own, 0)
}

// lowerBound is the busiest host's work spread over its sessions, plus
// one round trip: the time no client could beat, whatever it batched.
func lowerBound(perHostWork []time.Duration, sessions, hostCPUs int, rtt time.Duration) time.Duration {
	var busiest time.Duration
	for _, w := range perHostWork {
		busiest = max(busiest, w)
	}
	// A host does at most as much at once as it has processors, however
	// many sessions (or one-shot calls) share them.
	at := max(sessions, 1)
	if hostCPUs > 0 {
		at = min(at, hostCPUs)
	}
	return busiest/time.Duration(at) + rtt
}

func allStats(ctx context.Context, hosts []*simHost, t time.Time) ([]simulate.StatsReport, error) {
	out := make([]simulate.StatsReport, len(hosts))
	for i, h := range hosts {
		r, err := h.statsAfter(ctx, t)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// startHosts seeds and starts one simulator per host. Hosts listen on
// 127.0.0.1, 127.0.0.2, ... with one port, because the provider's port
// setting is shared by every host it manages; the first picks a free port
// and the others follow it.
func startHosts(ctx context.Context, o Options, w Workload, dir, password string) ([]*simHost, error) {
	var hosts []*simHost
	stopAll := func() {
		for _, h := range hosts {
			h.stop()
		}
	}
	port := "0"
	for i := range max(w.Hosts, 1) {
		hdir := filepath.Join(dir, fmt.Sprintf("host-%d", i+1))
		if err := os.MkdirAll(hdir, 0o755); err != nil {
			stopAll()
			return nil, fmt.Errorf("host directory: %w", err)
		}
		name := fmt.Sprintf("WEB%02d", i+1)
		if err := SeedHost(filepath.Join(hdir, "host.json"), name, w.PerHost()); err != nil {
			stopAll()
			return nil, err
		}
		h, err := startSim(ctx, simSpec{
			provider: o.Provider, dir: hdir, listen: fmt.Sprintf("127.0.0.%d:%s", i+1, port),
			latency: o.Latency, hostCPUs: o.HostCPUs, computerName: name, user: "administrator", password: password,
		})
		if err != nil {
			stopAll()
			return nil, fmt.Errorf("host %s: %w", name, err)
		}
		hosts = append(hosts, h)
		port = h.port
	}
	return hosts, nil
}

// prepareTerraform writes the configuration, the CLI configuration and the
// CA bundle, and returns the command template and the usage directory.
func prepareTerraform(o Options, w Workload, m Mode, dir string, hosts []*simHost, password string) (terraformRun, string, error) {
	var none terraformRun
	tfDir := filepath.Join(dir, "tf")
	overrideDir := filepath.Join(dir, "plugin")
	usageDir := filepath.Join(dir, "usage")
	for _, d := range []string{tfDir, overrideDir, usageDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return none, "", fmt.Errorf("prepare %s: %w", d, err)
		}
	}
	ips := make([]string, len(hosts))
	var bundle []byte
	for i, h := range hosts {
		ips[i] = h.ip
		pem, err := os.ReadFile(h.caPath)
		if err != nil {
			return none, "", fmt.Errorf("read the CA of %s: %w", h.address, err)
		}
		bundle = append(bundle, pem...)
	}
	caPath := filepath.Join(dir, "ca-bundle.pem")
	if err := os.WriteFile(caPath, bundle, 0o644); err != nil {
		return none, "", fmt.Errorf("write the CA bundle: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tfDir, "main.tf"), []byte(w.Config(ips)), 0o644); err != nil {
		return none, "", fmt.Errorf("write the configuration: %w", err)
	}
	if err := installWrapper(overrideDir); err != nil {
		return none, "", err
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := cliConfig(rc, overrideDir); err != nil {
		return none, "", err
	}
	env := append(terraformEnv(rc),
		envRealProvider+"="+o.Provider,
		envUsageDir+"="+usageDir,
		"IIS_HOST="+hosts[0].ip,
		"IIS_PORT="+hosts[0].port,
		"IIS_CA_CERT="+caPath,
		// Every simulator's certificate names localhost; the hosts are
		// reached by address.
		"IIS_TLS_SERVER_NAME=localhost",
		"IIS_USERNAME=administrator",
		"IIS_PASSWORD="+password,
	)
	// A provider binary older than share_reads ignores IIS_SHARE_READS,
	// and its per-resource runs share reads as one-shot ones do: the
	// report's host ops show which happened.
	env = append(env, m.env()...)
	if o.MaxSessions > 0 {
		env = append(env, fmt.Sprintf("IIS_MAX_SESSIONS_PER_HOST=%d", o.MaxSessions))
	}
	return terraformRun{terraform: o.Terraform, dir: tfDir, env: env}, usageDir, nil
}

func randomPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate a password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// terraformEnv is the environment every terraform command of the
// benchmark runs with, the floor's included.
func terraformEnv(cliConfigPath string) []string {
	return append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+cliConfigPath,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
	)
}

// executeFloor times terraform alone on the workload's graph: the
// configuration with terraform_data in place of every resource
// (Workload.FloorConfig), applied once untimed, then a no-change plan and
// a refresh-only plan timed as executeOne times them, with the same
// -parallelism and CLI configuration. terraform_data is built into
// terraform, so no plugin starts and terraform's rusage is its own CPU;
// no host is started either, the addresses are only values.
func executeFloor(ctx context.Context, o Options, w Workload) ([]Run, error) {
	dir, err := os.MkdirTemp(o.WorkDir, strings.NewReplacer("/", "-", " ", "").Replace(w.Name())+"-"+string(Floor)+"-")
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	tfDir := filepath.Join(dir, "tf")
	overrideDir := filepath.Join(dir, "plugin")
	for _, d := range []string{tfDir, overrideDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", d, err)
		}
	}
	ips := make([]string, max(w.Hosts, 1))
	for i := range ips {
		ips[i] = fmt.Sprintf("127.0.0.%d", i+1) // as startHosts assigns them
	}
	if err := os.WriteFile(filepath.Join(tfDir, "main.tf"), []byte(w.FloorConfig(ips)), 0o644); err != nil {
		return nil, fmt.Errorf("write the configuration: %w", err)
	}
	// The same CLI configuration as the provider runs, so terraform reads
	// and warns about the same dev_overrides; the directory stays empty.
	rc := filepath.Join(dir, "terraformrc")
	if err := cliConfig(rc, overrideDir); err != nil {
		return nil, err
	}
	tf := terraformRun{terraform: o.Terraform, dir: tfDir, env: terraformEnv(rc), logPath: filepath.Join(dir, "apply.log")}
	fmt.Fprintf(o.Log, "  %-12s %-15s    apply (setup, not timed) ", w.Name(), Floor)
	if _, _, err := tf.run(ctx, Apply, o.Parallelism); err != nil {
		fmt.Fprintln(o.Log, "failed")
		return nil, err
	}
	fmt.Fprintln(o.Log, "done")
	var runs []Run
	for _, p := range []Phase{Plan, Refresh} {
		fmt.Fprintf(o.Log, "  %-12s %-15s    %-13s ", w.Name(), Floor, p)
		tf.logPath = filepath.Join(dir, string(p)+".log")
		wall, cpu, err := tf.run(ctx, p, o.Parallelism)
		if err != nil {
			fmt.Fprintln(o.Log, "failed")
			return runs, err
		}
		fmt.Fprintf(o.Log, "%8.2fs  cpu tf %.1fs\n", wall.Seconds(), cpu.Seconds())
		runs = append(runs, Run{
			Workload: w.Name(), Resources: w.Resources, Hosts: w.Hosts, Mode: Floor, Phase: p,
			Wall: wall, TerraformCPU: cpu,
		})
	}
	return runs, nil
}
