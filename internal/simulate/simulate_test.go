package simulate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var readyLine = regexp.MustCompile(`(?m)^ready: (https?)://([0-9.]+):(\d+)/wsman$`)

// startSimulator runs the simulate command in the background the way a
// user would, and waits for its ready line.
func startSimulator(t *testing.T, args ...string) (out *syncBuffer, scheme, host string, port int, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, args, out, out) }()
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("the simulator did not stop within 10s of its context ending")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := readyLine.FindStringSubmatch(out.String()); m != nil {
			port, _ = strconv.Atoi(m[3])
			return out, m[1], m[2], port, stop
		}
		select {
		case code := <-done:
			t.Fatalf("the simulator exited with %d before its ready line:\n%s", code, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no ready line within 10s:\n%s", out.String())
	return
}

func hostInfo(t *testing.T, cfg remote.Config) (hostapi.HostInfo, error) {
	t.Helper()
	cfg.Scripts = remote.Scripts{CommandLine: hostscript.CommandLine(), AgentLine: hostscript.AgentLine()}
	pool := remote.NewPool(nil)
	defer pool.Close()
	c, err := pool.Client(cfg)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	var info hostapi.HostInfo
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = c.Call(ctx, hostapi.OpHostInfo, nil, &info)
	return info, err
}

// The command serves HTTPS with the CA it writes, answers the provider's
// agent, and sees changes made by "simulate admin" on the same state file
// while it runs.
func TestSimulateServesAndAdminChangesTheRunningHost(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "host.json")
	t.Setenv(PasswordEnv, "Sim-Pa55word")
	out, scheme, host, port, stop := startSimulator(t,
		"--listen", "127.0.0.1:0", "--tls", "--state", state, "--computer-name", "WEB07")
	if scheme != "https" {
		t.Fatalf("scheme %s, want https", scheme)
	}
	if strings.Contains(out.String(), "Sim-Pa55word") {
		t.Errorf("the password from %s was printed:\n%s", PasswordEnv, out.String())
	}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatalf("the CA was not written next to the state file: %v", err)
	}

	cfg := remote.Config{Host: host, Port: port, HTTPS: true, CACert: ca, Username: "administrator", Password: "Sim-Pa55word"}
	info, err := hostInfo(t, cfg)
	if err != nil {
		t.Fatalf("host.info: %v", err)
	}
	if info.ComputerName != "WEB07" || info.DomainJoined {
		t.Fatalf("host.info = %+v, want WEB07 in a workgroup", info)
	}

	var adminOut bytes.Buffer
	if code := Main(context.Background(), []string{"admin", "--state", state, "join-domain", "corp.example.com"}, &adminOut, &adminOut); code != 0 {
		t.Fatalf("admin exited %d: %s", code, adminOut.String())
	}
	info, err = hostInfo(t, cfg)
	if err != nil {
		t.Fatalf("host.info after admin: %v", err)
	}
	if !info.DomainJoined || info.Domain != "corp.example.com" {
		t.Fatalf("the running simulator does not see the admin change: %+v", info)
	}

	bad := cfg
	bad.Password = "wrong"
	if _, err := hostInfo(t, bad); !remote.IsKind(err, protocol.AccessDenied) {
		t.Fatalf("a wrong password must be refused, got %v", err)
	}

	if code := stop(); code != 0 {
		t.Fatalf("exit code %d after SIGINT-like stop:\n%s", code, out.String())
	}
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("an explicit --state file must survive the run: %v", err)
	}
}

// Without a password anywhere, one is generated, printed once, and works.
func TestSimulateGeneratesAPassword(t *testing.T) {
	t.Setenv(PasswordEnv, "")
	out, _, host, port, stop := startSimulator(t, "--listen", "127.0.0.1:0", "--allow-unencrypted")
	m := regexp.MustCompile(`(?m)^  password:  (\S+)   \(generated`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no generated password in:\n%s", out.String())
	}
	info, err := hostInfo(t, remote.Config{Host: host, Port: port, Username: "administrator", Password: m[1]})
	if err != nil {
		t.Fatalf("host.info with the generated password: %v", err)
	}
	if info.ComputerName != "WIN-IIS01" {
		t.Fatalf("computer name %q", info.ComputerName)
	}
	stop()
}

func TestSimulateAdminRefusesAMissingStateFile(t *testing.T) {
	var out bytes.Buffer
	missing := filepath.Join(t.TempDir(), "nope.json")
	if code := Main(context.Background(), []string{"admin", "--state", missing, "show"}, &out, &out); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, out.String())
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("admin created a host nobody runs")
	}
}

func TestSimulateUsageErrorsExit2(t *testing.T) {
	var out bytes.Buffer
	if code := Main(context.Background(), []string{"--latency", "moon"}, &out, &out); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	out.Reset()
	if code := Main(context.Background(), []string{"--help"}, &out, &out); code != 0 || !strings.Contains(out.String(), "Usage:") {
		t.Fatalf("help: exit %d, %q", code, out.String())
	}
}
