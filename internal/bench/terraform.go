package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Phase is one terraform command of a run.
type Phase string

const (
	// Apply creates every resource on hosts that have none of them.
	Apply Phase = "apply"
	// Plan is a plan with no changes: every resource is refreshed and
	// planned, nothing is written.
	Plan Phase = "plan"
	// Refresh is a refresh-only plan, as drift detection runs it.
	Refresh Phase = "refresh-only"
)

// Phases in the order a run takes them.
var Phases = []Phase{Apply, Plan, Refresh}

// args are the terraform arguments of the phase. The plans use
// -detailed-exitcode so that a plan that is not empty fails the run: the
// benchmark measures a converged configuration, and says so if it is not.
// A refresh-only plan exits 2 when it found drift right after the apply.
func (p Phase) args(parallelism int) []string {
	par := fmt.Sprintf("-parallelism=%d", parallelism)
	switch p {
	case Apply:
		return []string{"apply", "-auto-approve", "-input=false", "-no-color", par}
	case Plan:
		return []string{"plan", "-input=false", "-no-color", "-detailed-exitcode", par}
	default:
		return []string{"plan", "-refresh-only", "-input=false", "-no-color", "-detailed-exitcode", par}
	}
}

// terraformRun is one terraform command in a prepared directory.
type terraformRun struct {
	terraform string
	dir       string
	env       []string
	logPath   string
}

// run executes the phase and returns its wall time and the CPU time of
// terraform's rusage, which on Linux includes the plugins it waited for
// (terraformOwnCPU takes them off). The output goes to the log file; a
// failure quotes its end.
func (t terraformRun) run(ctx context.Context, p Phase, parallelism int) (wall, cpu time.Duration, err error) {
	logf, err := os.Create(t.logPath)
	if err != nil {
		return 0, 0, fmt.Errorf("terraform log: %w", err)
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, t.terraform, p.args(parallelism)...)
	cmd.Dir = t.dir
	cmd.Env = t.env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if st := cmd.ProcessState; st != nil {
		cpu = st.UserTime() + st.SystemTime()
	}
	if err != nil {
		var exit *exec.ExitError
		what := err.Error()
		if errors.As(err, &exit) && exit.ExitCode() == 2 && p != Apply {
			what = "the plan is not empty: the workload did not converge"
			if p == Refresh {
				what = "drift right after apply"
			}
		}
		return wall, cpu, fmt.Errorf("terraform %s: %s; last lines of %s:\n%s", p, what, t.logPath, tail(t.logPath, 30))
	}
	return wall, cpu, nil
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// cliConfig points Terraform at the wrapper in overrideDir instead of a
// registry, as scripts/demo.sh does with the provider itself.
func cliConfig(path, overrideDir string) error {
	text := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "iisguard/iis" = %q
  }
  direct {}
}
`, overrideDir)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write the CLI configuration: %w", err)
	}
	return nil
}

// installWrapper puts a copy of this program in dir under the provider's
// name; Terraform starts it, and it runs provider (RunWrapper).
func installWrapper(dir string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the benchmark binary: %w", err)
	}
	raw, err := os.ReadFile(self)
	if err != nil {
		return fmt.Errorf("copy the benchmark binary: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform-provider-iis"), raw, 0o755); err != nil {
		return fmt.Errorf("install the wrapper: %w", err)
	}
	return nil
}
