package simulate

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/cpu"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// serve runs the simulator until ctx ends. Everything a user needs to
// connect is printed before the ready line, so a script that waits for
// "ready: " can read the rest from the lines above it.
func serve(ctx context.Context, o serveOptions, stdout, stderr io.Writer) error {
	if o.State == "" {
		dir, err := os.MkdirTemp("", "iis-sim-")
		if err != nil {
			return fmt.Errorf("create a temporary state directory: %w", err)
		}
		defer os.RemoveAll(dir)
		o.State = filepath.Join(dir, "host.json")
	}
	lat := latencyPresets[o.Latency]
	cpus := cpu.New(o.HostCPUs)
	lat.host.CPUs, lat.proc.CPUs, lat.wsman.CPUs = cpus, cpus, cpus
	h, err := host.Open(o.State, host.Options{ComputerName: o.ComputerName, Latency: lat.host})
	if err != nil {
		return fmt.Errorf("open host state %s: %w", o.State, err)
	}
	// The listener must answer to the name the host has, which a state
	// file from an earlier run (or an admin rename) decides, not the flag.
	st, err := h.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("read the host from %s: %w", o.State, err)
	}
	sys := st.System
	name := sys.ComputerName

	generated := false
	if o.Password == "" {
		if o.Password, err = randomPassword(); err != nil {
			return err
		}
		generated = true
	}

	srv, err := winsim.Start(ctx, winsim.Options{
		Addr:             o.Listen,
		TLS:              o.TLS,
		Users:            map[string]string{o.User: o.Password},
		AllowUnencrypted: o.AllowUnencrypted,
		AllowBasic:       o.AllowBasic,
		Runner:           proc.New(h, lat.proc),
		Latency:          lat.wsman,
		ComputerName:     name,
		Logf:             lineLogger(stderr, o.Verbose),
	})
	if err != nil {
		return fmt.Errorf("start the WinRM listener: %w", err)
	}
	defer srv.Close()

	if o.StatsFile != "" {
		// The first report is there before the ready line, so whoever
		// waits for that line can read it.
		if err := writeStatsNow(o.StatsFile, srv, h, cpus, latencyReport(o.Latency, o.HostCPUs)); err != nil {
			return err
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := writeStatsUntil(ctx, o.StatsFile, srv, h, cpus, latencyReport(o.Latency, o.HostCPUs)); err != nil {
				fmt.Fprintf(stderr, "simulate: %v\n", err)
			}
		}()
		defer func() { <-done }() // the report written at exit is complete
	}

	caPath := ""
	if o.TLS {
		caPath = o.CAOut
		if caPath == "" {
			caPath = filepath.Join(filepath.Dir(o.State), "ca.pem")
		}
		if err := os.WriteFile(caPath, srv.CACertPEM(), 0o644); err != nil {
			return fmt.Errorf("write the CA certificate: %w", err)
		}
	}

	w := &errWriter{w: stdout}
	w.printf("Simulated Windows host %s (%s, IIS %d.%d)\n", name, sys.OSCaption, sys.IISMajor, sys.IISMinor)
	w.printf("  endpoint:  %s\n", srv.URL())
	w.printf("  auth:      %s\n", authSummary(o))
	w.printf("  user:      %s\n", o.User)
	switch {
	case generated:
		w.printf("  password:  %s   (generated for this run; set %s to choose one)\n", o.Password, PasswordEnv)
	case o.PasswordFromEnv:
		w.printf("  password:  from %s\n", PasswordEnv)
	default:
		w.printf("  password:  from --password\n")
	}
	w.printf("  state:     %s\n", o.State)
	if caPath != "" {
		w.printf("  ca cert:   %s\n", caPath)
	}
	if o.Latency != "none" {
		w.printf("  latency:   %s\n", o.Latency)
	}
	w.printf("  provider:  %s\n", providerHint(srv, o, caPath))
	w.printf("ready: %s\n", srv.URL())
	if w.err != nil {
		return fmt.Errorf("write to stdout: %w", w.err)
	}

	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	if err := srv.Close(); err != nil {
		return fmt.Errorf("stop the listener: %w", err)
	}
	return nil
}

func authSummary(o serveOptions) string {
	methods := "NTLM"
	if o.AllowBasic {
		methods = "NTLM, Basic"
	}
	switch {
	case o.TLS:
		return methods + " over HTTPS"
	case o.AllowUnencrypted:
		return methods + " over HTTP (unencrypted messages allowed)"
	default:
		return methods + " over HTTP; unencrypted messages refused, as on Windows (add --allow-unencrypted for a lab host)"
	}
}

// providerHint is the provider block that reaches this simulator.
func providerHint(srv *winsim.Server, o serveOptions, caPath string) string {
	parts := []string{fmt.Sprintf("host = %q", srv.Host()), fmt.Sprintf("port = %d", srv.Port())}
	if o.TLS {
		parts = append(parts, fmt.Sprintf("ca_cert = file(%q)", caPath))
	} else {
		parts = append(parts, "https = false")
	}
	parts = append(parts, fmt.Sprintf("username = %q", o.User))
	return strings.Join(parts, ", ")
}

func randomPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate a password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// lineLogger writes the listener's log lines to w when verbose. The
// listener never passes passwords, tokens or message bodies to it.
func lineLogger(w io.Writer, verbose bool) func(string, ...any) {
	if !verbose {
		return nil
	}
	var mu sync.Mutex
	return func(format string, args ...any) {
		line := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(w, line)
	}
}

// errWriter keeps the first write error, so a sequence of prints needs
// one check.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
