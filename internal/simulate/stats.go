package simulate

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/cpu"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// StatsReport is what --stats-file holds: the simulator's counters since
// it started, seen from the server side, which no client can miscount. The
// benchmark (internal/bench) reads it before and after each run.
type StatsReport struct {
	// At is when the counters were read; a reader that needs every request
	// up to a moment waits for a report taken after it.
	At      time.Time     `json:"at"`
	Latency LatencyReport `json:"latency"`
	Server  winsim.Stats  `json:"server"`
	Host    host.Stats    `json:"host"`
	// CPU is the host processors' busy and queueing time.
	CPU cpu.Stats `json:"cpu"`
}

// LatencyReport is the latency model the simulator runs with, so that a
// reader can turn counts into time without knowing the presets.
type LatencyReport struct {
	Model           string        `json:"model"`
	RTT             time.Duration `json:"rtt"`
	ShellCreate     time.Duration `json:"shell_create"`
	PowerShellStart time.Duration `json:"powershell_start"`
	PerOp           time.Duration `json:"per_op"`
	PerFirewallRule time.Duration `json:"per_firewall_rule"`
	HostCPUs        int           `json:"host_cpus"` // 0: no limit
}

func latencyReport(name string, cpus int) LatencyReport {
	m := latencyPresets[name]
	return LatencyReport{
		Model:           name,
		RTT:             m.wsman.RTT,
		ShellCreate:     m.wsman.ShellCreate,
		PowerShellStart: m.proc.PowerShellStart,
		PerOp:           m.host.PerOp,
		PerFirewallRule: m.host.PerFirewallRule,
		HostCPUs:        cpus,
	}
}

// statsInterval is how often --stats-file is rewritten: often enough that
// a benchmark waits a fraction of a second after a run, rarely enough to
// cost nothing measurable.
const statsInterval = 100 * time.Millisecond

// writeStatsUntil rewrites path with the counters every statsInterval,
// and once more when ctx ends, so the last report covers the whole run.
func writeStatsUntil(ctx context.Context, path string, srv *winsim.Server, h *host.Host, cpus *cpu.CPUs, lat LatencyReport) error {
	write := func() error { return writeStatsNow(path, srv, h, cpus, lat) }
	t := time.NewTicker(statsInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return write()
		case <-t.C:
			if err := write(); err != nil {
				return err
			}
		}
	}
}

// writeStatsNow writes the counters as they are now.
func writeStatsNow(path string, srv *winsim.Server, h *host.Host, cpus *cpu.CPUs, lat LatencyReport) error {
	return writeStats(path, StatsReport{At: time.Now(), Latency: lat, Server: srv.Stats(), Host: h.Stats(), CPU: cpus.Stats()})
}

// writeStats replaces path atomically, so a reader never sees half a
// report.
func writeStats(path string, r StatsReport) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode stats: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".stats-*")
	if err != nil {
		return fmt.Errorf("write stats: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("write stats: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write stats: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write stats: %w", err)
	}
	return nil
}

// ReadStats reads a report --stats-file wrote.
func ReadStats(path string) (StatsReport, error) {
	var r StatsReport
	raw, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("read simulator stats: %w", err)
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("simulator stats %s: %w", path, err)
	}
	return r, nil
}
