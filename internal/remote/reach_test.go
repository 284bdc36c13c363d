package remote_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
)

// A host that never answers is reported within the wait asked for, as
// unavailable, naming the address; masterzen alone would wait 30 s.
func TestCheckReachableSilentHost(t *testing.T) {
	t.Parallel()
	s, err := winsim.ListenSilent("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg := remote.Config{Host: s.Host(), Port: s.Port(), Username: simUser, Password: simPass}
	_, c := newClient(t, withScripts(cfg))
	start := time.Now()
	err = c.CheckReachable(t.Context(), 500*time.Millisecond)
	took := time.Since(start)
	if !remote.IsKind(err, protocol.Unavailable) {
		t.Fatalf("CheckReachable = %v, want unavailable", err)
	}
	if took < 400*time.Millisecond || took > 3*time.Second {
		t.Errorf("gave up after %s, want about 500ms", took)
	}
	want := net.JoinHostPort(s.Host(), strconv.Itoa(s.Port())) + " within 500ms"
	if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), simPass) {
		t.Errorf("error %q should name %q and never the password", err, want)
	}
}

// A listening host passes; so does one that refuses, because a refusal
// comes from a running machine and is Call's (and its retries') to report.
func TestCheckReachableAnsweringHosts(t *testing.T) {
	t.Parallel()
	srv := startSim(t, winsim.Options{AllowUnencrypted: true})
	_, up := newClient(t, configFor(srv, remote.AuthNTLM))
	if err := up.CheckReachable(t.Context(), time.Second); err != nil {
		t.Errorf("listening host: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now: connections are refused
	cfg := remote.Config{Host: "127.0.0.1", Port: port, Username: simUser, Password: simPass}
	_, refused := newClient(t, withScripts(cfg))
	if err := refused.CheckReachable(t.Context(), time.Second); err != nil {
		t.Errorf("refusing host: %v", err)
	}
}

// The caller's context bounds the wait too.
func TestCheckReachableHonoursContext(t *testing.T) {
	t.Parallel()
	s, err := winsim.ListenSilent("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg := remote.Config{Host: s.Host(), Port: s.Port(), Username: simUser, Password: simPass}
	_, c := newClient(t, withScripts(cfg))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = c.CheckReachable(ctx, 5*time.Second)
	if !remote.IsKind(err, protocol.Unavailable) || time.Since(start) > 2*time.Second {
		t.Errorf("CheckReachable = %v after %s, want unavailable soon after the context ended", err, time.Since(start))
	}
}

func withScripts(cfg remote.Config) remote.Config {
	cfg.Scripts = remote.Scripts{CommandLine: hostscript.CommandLine(), AgentLine: hostscript.AgentLine()}
	return cfg
}
