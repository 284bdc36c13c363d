package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/simulate"
)

// simHost is one `terraform-provider-iis simulate` process.
type simHost struct {
	cmd     *exec.Cmd
	address string // the listen address, 127.0.0.N:port
	ip      string
	port    string
	caPath  string
	stats   string
	exited  chan struct{}
	waitErr error
	log     *os.File
}

// simSpec says how to start one simulated host.
type simSpec struct {
	provider     string // the provider binary, which has the simulate command
	dir          string // holds its state, CA, stats and log
	listen       string // 127.0.0.N:port, or :0 for any free port
	latency      string // lan, wan or none
	hostCPUs     int    // -1 for the latency model's
	computerName string
	user         string
	password     string // passed through the environment, never argv
}

// startSim starts a simulator on a state file SeedHost has prepared and
// waits for its ready line.
func startSim(ctx context.Context, s simSpec) (*simHost, error) {
	h := &simHost{
		caPath: filepath.Join(s.dir, "ca.pem"),
		stats:  filepath.Join(s.dir, "stats.json"),
		exited: make(chan struct{}),
	}
	logf, err := os.Create(filepath.Join(s.dir, "simulate.log"))
	if err != nil {
		return nil, fmt.Errorf("simulator log: %w", err)
	}
	h.log = logf
	cmd := exec.Command(s.provider, "simulate",
		"--listen", s.listen, "--tls", "--ca-out", h.caPath,
		"--state", filepath.Join(s.dir, "host.json"),
		"--user", s.user, "--computer-name", s.computerName,
		"--latency", s.latency, "--host-cpus", strconv.Itoa(s.hostCPUs), "--stats-file", h.stats)
	cmd.Env = append(os.Environ(), simulate.PasswordEnv+"="+s.password)
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, fmt.Errorf("simulator stdout: %w", err)
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start the simulator: %w", err)
	}
	h.cmd = cmd
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			if url, ok := strings.CutPrefix(line, "ready: "); ok && !sent {
				ready <- url
				sent = true
			}
		}
		_, _ = io.Copy(logf, out)
	}()
	go func() {
		h.waitErr = cmd.Wait()
		close(h.exited)
	}()
	select {
	case url := <-ready:
		hostport := strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
		hostport, _, _ = strings.Cut(hostport, "/")
		h.address = hostport
		h.ip, h.port, _ = strings.Cut(hostport, ":")
		return h, nil
	case <-h.exited:
		return nil, fmt.Errorf("the simulator exited before it was ready (%v); see %s", h.waitErr, logf.Name())
	case <-time.After(30 * time.Second):
		h.stop()
		return nil, fmt.Errorf("the simulator was not ready within 30s; see %s", logf.Name())
	case <-ctx.Done():
		h.stop()
		return nil, ctx.Err()
	}
}

// stop ends the simulator the way Ctrl-C would, so it writes its last
// stats, and kills it if it does not stop.
func (h *simHost) stop() {
	if h.cmd.Process == nil {
		return
	}
	_ = h.cmd.Process.Signal(os.Interrupt)
	select {
	case <-h.exited:
	case <-time.After(10 * time.Second):
		_ = h.cmd.Process.Kill()
		<-h.exited
	}
	h.log.Close()
}

// statsAfter returns the simulator's counters as read after t: every
// request a client finished before t is in them.
func (h *simHost) statsAfter(ctx context.Context, t time.Time) (simulate.StatsReport, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := simulate.ReadStats(h.stats)
		if err == nil && r.At.After(t) {
			return r, nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errors.New("no report newer than the run")
			}
			return r, fmt.Errorf("simulator stats %s: %w", h.stats, err)
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-h.exited:
			return r, fmt.Errorf("the simulator exited (%v); see %s", h.waitErr, h.log.Name())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
