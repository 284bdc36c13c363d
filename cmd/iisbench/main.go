// Command iisbench is `make bench`: it runs the terraform CLI against
// simulated hosts for several workloads, in the provider's default mode
// and in the baselines (one-shot mode, and per-resource: one process and
// one read per resource, as peer providers work), times terraform alone
// on the same graphs, and writes what each run cost to a markdown table
// and a JSON file (see internal/bench).
//
// Terraform also starts this program, as the provider: in the benchmark's
// plugin directory it stands in for the provider binary, runs the real one
// and records its peak memory.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/bench"
)

func main() {
	if code, ran := bench.RunWrapper(); ran {
		os.Exit(code)
	}
	os.Exit(run())
}

func run() int {
	var (
		o         bench.Options
		workloads string
		modes     string
		sweep     string
		sweepAt   string
		out       string
		jsonOut   string
		keep      bool
		noFloor   bool
	)
	flag.StringVar(&o.Provider, "provider", "bin/terraform-provider-iis", "the provider binary (make build)")
	flag.StringVar(&o.Terraform, "terraform", "terraform", "the terraform CLI")
	flag.StringVar(&o.Latency, "latency", "lan", "the simulator's latency model: lan or wan")
	flag.IntVar(&o.HostCPUs, "host-cpus", -1, "each simulated host's processors; -1 keeps the latency model's (2), 0 for no limit")
	flag.StringVar(&workloads, "workloads", "10,100,500,500x5", "resources per run, RESOURCESxHOSTS for several hosts")
	flag.StringVar(&modes, "modes", "sessions,one-shot,per-resource", "provider modes to run: sessions, one-shot, per-resource")
	flag.IntVar(&o.Parallelism, "parallelism", 10, "terraform -parallelism (10 is terraform's default)")
	flag.IntVar(&o.MaxSessions, "max-sessions", 0, "max_sessions_per_host; 0 keeps the provider's default")
	flag.StringVar(&sweep, "sessions-sweep", "1,2,4,8", "max_sessions_per_host values to run -sweep-workload at as well, to choose the default by; empty for none")
	flag.StringVar(&sweepAt, "sweep-workload", "500", "the workload of the sessions sweep")
	flag.StringVar(&out, "out", "", "write the markdown report here (default: stdout only)")
	flag.StringVar(&jsonOut, "json", "", "write the runs as JSON here")
	flag.BoolVar(&keep, "keep", false, "keep the work directory (logs, state) for inspection")
	flag.BoolVar(&noFloor, "no-floor", false, "skip the terraform floor (terraform alone on each workload's graph, with terraform_data for every resource)")
	flag.Parse()

	var err error
	if o.Workloads, err = bench.ParseWorkloads(workloads); err != nil {
		return usage(err)
	}
	if sweep != "" {
		sw, err := bench.ParseWorkloads(sweepAt)
		if err != nil || len(sw) != 1 {
			return usage(fmt.Errorf("-sweep-workload %q: one workload", sweepAt))
		}
		o.SweepWorkload = sw[0]
		for _, f := range strings.Split(sweep, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 30 {
				return usage(fmt.Errorf("-sessions-sweep %q: numbers from 1 to 30", sweep))
			}
			o.SessionSweep = append(o.SessionSweep, n)
		}
	}
	for _, m := range strings.Split(modes, ",") {
		if !slices.Contains(bench.Modes, bench.Mode(m)) {
			return usage(fmt.Errorf("unknown mode %q: sessions, one-shot or per-resource", m))
		}
		o.Modes = append(o.Modes, bench.Mode(m))
	}
	o.Floor = !noFloor
	if o.Provider, err = absExecutable(o.Provider); err != nil {
		return usage(err)
	}
	if o.Terraform, err = absExecutable(o.Terraform); err != nil {
		return usage(err)
	}
	if o.WorkDir, err = os.MkdirTemp("", "iisbench-"); err != nil {
		fmt.Fprintf(os.Stderr, "iisbench: %v\n", err)
		return 1
	}
	if keep {
		fmt.Fprintf(os.Stderr, "iisbench: work directory %s is kept\n", o.WorkDir)
	} else {
		defer os.RemoveAll(o.WorkDir)
	}
	o.Log = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := bench.Environment(ctx, o)
	started := time.Now()
	runs, err := bench.Execute(ctx, o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "iisbench: %v\n", err)
		return 1
	}
	env.Duration = time.Since(started)
	env.LoadAfter = bench.LoadAverage()
	rep := bench.NewReport(runs, env, strings.Join(os.Args[1:], " "))
	md := rep.Markdown()
	fmt.Print(md)
	if out != "" {
		if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "iisbench: %v\n", err)
			return 1
		}
	}
	if jsonOut != "" {
		raw, err := rep.JSON()
		if err == nil {
			err = os.WriteFile(jsonOut, raw, 0o644)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "iisbench: %v\n", err)
			return 1
		}
	}
	return 0
}

func usage(err error) int {
	fmt.Fprintf(os.Stderr, "iisbench: %v\n", err)
	flag.Usage()
	return 2
}

// absExecutable resolves a path or a command name on PATH.
func absExecutable(p string) (string, error) {
	if !strings.Contains(p, "/") {
		return exec.LookPath(p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return abs, nil
}
