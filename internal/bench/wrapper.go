package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The wrapper stands in for the provider binary in Terraform's
// dev_overrides directory: Terraform starts it, it runs the real provider
// with the same arguments, standard streams and environment, and when the
// provider exits it records the provider's peak resident memory (from the
// kernel's accounting of the child, which sees the whole run, not samples)
// in the usage directory.
const (
	envRealProvider = "IIS_BENCH_REAL_PROVIDER"
	envUsageDir     = "IIS_BENCH_USAGE_DIR"
)

// Usage is what the wrapper records for one provider process.
type Usage struct {
	PID          int           `json:"pid"`
	PeakRSSBytes int64         `json:"peak_rss_bytes"`
	CPU          time.Duration `json:"cpu"`
	Wall         time.Duration `json:"wall"`
	// WrapperCPU is the wrapper's own CPU, which is in terraform's rusage
	// (terraform waits for the wrapper) but is no part of the provider's.
	WrapperCPU time.Duration `json:"wrapper_cpu"`
}

// RunWrapper runs the wrapper when the environment asks for it, and
// reports whether it did and the exit code to leave with.
func RunWrapper() (code int, ran bool) {
	real := os.Getenv(envRealProvider)
	if real == "" {
		return 0, false
	}
	dir := os.Getenv(envUsageDir)
	cmd := exec.Command(real, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = withoutBenchEnv(os.Environ())
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "bench wrapper: start %s: %v\n", real, err)
		return 1, true
	}
	// Terraform stops plugins by signal as well as over gRPC; the provider
	// must see the signal, not the wrapper.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	signal.Stop(sigs)
	close(sigs)
	u := Usage{PID: cmd.Process.Pid, Wall: time.Since(start)}
	if st := cmd.ProcessState; st != nil {
		u.CPU = st.UserTime() + st.SystemTime()
		u.PeakRSSBytes = peakRSS(st)
	}
	u.WrapperCPU = selfCPU()
	if dir != "" {
		if werr := writeUsage(dir, u); werr != nil {
			fmt.Fprintf(os.Stderr, "bench wrapper: %v\n", werr)
		}
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, true
	case errors.As(err, &exit):
		return max(exit.ExitCode(), 1), true
	default:
		fmt.Fprintf(os.Stderr, "bench wrapper: %v\n", err)
		return 1, true
	}
}

func withoutBenchEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, envRealProvider+"=") || strings.HasPrefix(kv, envUsageDir+"=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func writeUsage(dir string, u Usage) error {
	raw, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode usage: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("usage-%d.json", u.PID))
	if err := os.WriteFile(path+".tmp", raw, 0o644); err != nil {
		return fmt.Errorf("write usage: %w", err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return fmt.Errorf("write usage: %w", err)
	}
	return nil
}

// readUsages reads and removes what the wrapper recorded in dir.
func readUsages(dir string) ([]Usage, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "usage-*.json"))
	if err != nil {
		return nil, fmt.Errorf("read usage: %w", err)
	}
	var out []Usage
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read usage: %w", err)
		}
		var u Usage
		if err := json.Unmarshal(raw, &u); err != nil {
			return nil, fmt.Errorf("usage %s: %w", p, err)
		}
		out = append(out, u)
		if err := os.Remove(p); err != nil {
			return nil, fmt.Errorf("read usage: %w", err)
		}
	}
	return out, nil
}
