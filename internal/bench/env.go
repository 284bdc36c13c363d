package bench

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Env is where and how a benchmark ran, for the reader who wants to know
// whether two reports can be compared.
type Env struct {
	Date        time.Time     `json:"date"`
	Commit      string        `json:"commit"`
	GoVersion   string        `json:"go_version"`
	Terraform   string        `json:"terraform_version"`
	CPUs        int           `json:"cpus"`
	LoadBefore  string        `json:"load_average_before"`
	LoadAfter   string        `json:"load_average_after"`
	Duration    time.Duration `json:"duration_ns"`
	Parallelism int           `json:"parallelism"`
	MaxSessions int           `json:"max_sessions_per_host"`
}

// Environment records the machine and versions before a run.
func Environment(ctx context.Context, o Options) Env {
	e := Env{
		Date:        time.Now().UTC().Truncate(time.Second),
		GoVersion:   runtime.Version(),
		CPUs:        runtime.NumCPU(),
		LoadBefore:  LoadAverage(),
		Parallelism: o.Parallelism,
		MaxSessions: o.sessions(),
	}
	if out, err := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty").Output(); err == nil {
		e.Commit = strings.TrimSpace(string(out))
	}
	if out, err := exec.CommandContext(ctx, o.Terraform, "version", "-json").Output(); err == nil {
		var v struct {
			Version string `json:"terraform_version"`
		}
		if json.Unmarshal(out, &v) == nil {
			e.Terraform = v.Version
		}
	}
	return e
}

// LoadAverage is the 1, 5 and 15 minute load averages, or "" where
// /proc/loadavg does not exist. Other processes compete for the CPUs the
// simulator, Terraform and the provider share, so the report shows it.
func LoadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
