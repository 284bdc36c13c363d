package remote_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
)

const (
	simUser = "deploy"
	simPass = "Tr0ub4dor&3-Ütf'\"$(x)"
)

// startSim starts a simulated host with one account; opts may set more.
func startSim(t *testing.T, opts winsim.Options) *winsim.Server {
	t.Helper()
	if opts.Users == nil {
		opts.Users = map[string]string{simUser: simPass}
	}
	srv, err := winsim.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("winsim.Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// configFor connects to srv the way the provider would: NTLM over HTTP, or
// Basic over HTTPS verifying the simulator's CA.
func configFor(srv *winsim.Server, auth remote.Auth) remote.Config {
	cfg := remote.Config{
		Host:     srv.Host(),
		Port:     srv.Port(),
		Auth:     auth,
		Username: simUser,
		Password: simPass,
		Timeout:  10 * time.Second,
		Scripts:  remote.Scripts{CommandLine: hostscript.CommandLine(), AgentLine: hostscript.AgentLine()},
	}
	if ca := srv.CACertPEM(); ca != nil {
		cfg.HTTPS = true
		cfg.CACert = ca
	}
	return cfg
}

func newClient(t *testing.T, cfg remote.Config) (*remote.Pool, *remote.Client) {
	t.Helper()
	pool := remote.NewPool(nil)
	t.Cleanup(func() {
		if err := pool.Close(); err != nil {
			t.Errorf("pool.Close: %v", err)
		}
	})
	c, err := pool.Client(cfg)
	if err != nil {
		t.Fatalf("pool.Client: %v", err)
	}
	return pool, c
}

func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks a secret: %v", err)
		}
	}
}

func TestWrongPasswordNamesHostAndUserOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		tls  bool
		auth remote.Auth
	}{
		{"ntlm over http", false, remote.AuthNTLM},
		{"basic over https", true, remote.AuthBasic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSim(t, winsim.Options{TLS: tc.tls, AllowUnencrypted: !tc.tls, AllowBasic: true})
			cfg := configFor(srv, tc.auth)
			cfg.Password = "not-the-Password-42"
			_, c := newClient(t, cfg)

			err := c.Call(callCtx(t), hostapi.OpHostInfo, nil, &hostapi.HostInfo{})
			if !remote.IsKind(err, protocol.AccessDenied) {
				t.Fatalf("Call = %v, want access_denied", err)
			}
			msg := err.Error()
			t.Log(msg)
			for _, want := range []string{"host " + srv.Host(), `user "deploy"`, "401", string(tc.auth)} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			assertNoSecret(t, err, cfg.Password, simPass)
			if got := srv.Stats().Shells; got != 0 {
				t.Errorf("server created %d shells for a refused user", got)
			}
		})
	}
}

func TestBasicOverHTTPRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	srv := startSim(t, winsim.Options{AllowUnencrypted: true, AllowBasic: true})
	cfg := configFor(srv, remote.AuthBasic)
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "in the clear") {
		t.Fatalf("Validate = %v, want basic over http refused", err)
	}
	if _, err := remote.NewPool(nil).Client(cfg); err == nil {
		t.Fatal("Pool.Client accepted basic over http")
	}
	cfg.AllowBasicOverHTTP = true
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate with explicit opt-in = %v", err)
	}
	if got := srv.Stats().Requests; got != 0 {
		t.Errorf("%d requests reached the server", got)
	}
}

func TestTLSVerification(t *testing.T) {
	t.Parallel()
	srv := startSim(t, winsim.Options{TLS: true, AllowBasic: true})

	t.Run("without ca_cert the error says how to pass it", func(t *testing.T) {
		cfg := configFor(srv, remote.AuthBasic)
		cfg.CACert = nil
		_, c := newClient(t, cfg)
		err := c.Call(callCtx(t), hostapi.OpHostInfo, nil, nil)
		t.Log(err)
		if err == nil || !strings.Contains(err.Error(), "ca_cert") || !strings.Contains(err.Error(), "could not open a shell") {
			t.Fatalf("Call = %v, want a TLS error with the ca_cert hint", err)
		}
		assertNoSecret(t, err, simPass)
	})

	t.Run("with the simulator's CA the connection verifies", func(t *testing.T) {
		// No agent runs on this host (cmd.exe finds no powershell.exe), so
		// getting that far proves TLS and authentication passed; the
		// failure must come from the host, with its stderr.
		_, c := newClient(t, configFor(srv, remote.AuthBasic))
		err := c.Call(callCtx(t), hostapi.OpHostInfo, nil, nil)
		t.Log(err)
		if !remote.IsKind(err, protocol.Unavailable) {
			t.Fatalf("Call = %v, want unavailable", err)
		}
		for _, want := range []string{"agent process exited (exit code ", "is not recognized"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "TLS") {
			t.Errorf("TLS failed with the right CA: %v", err)
		}
	})
}

// Every HTTP request the client makes, NTLM handshake legs included, is
// counted once: the client's count equals what the server saw.
func TestRoundTripsMatchServer(t *testing.T) {
	t.Parallel()
	srv := startSim(t, winsim.Options{AllowUnencrypted: true})
	pool, c := newClient(t, configFor(srv, remote.AuthNTLM))
	_ = c.Call(callCtx(t), hostapi.OpHostInfo, nil, nil) // fails: no agent on this host
	if err := pool.Close(); err != nil {                 // waits for the shell's deletion
		t.Fatal(err)
	}
	if got, want := c.Stats().RoundTrips, srv.Stats().Requests; got != want || got == 0 {
		t.Errorf("client counted %d round trips, server saw %d requests", got, want)
	}
	if got := c.Stats().PowerShellStarts; got != 1 {
		t.Errorf("PowerShellStarts = %d, want 1", got)
	}
}
