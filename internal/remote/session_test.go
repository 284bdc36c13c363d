package remote_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// simHost is a simulated Windows host running the agent emulator.
type simHost struct {
	srv  *winsim.Server
	host *host.Host
	emu  *proc.Emulator
}

func startHost(t *testing.T, opts winsim.Options, hostOpts host.Options) *simHost {
	t.Helper()
	h := host.New(hostOpts)
	emu := proc.New(h, proc.Options{})
	if opts.Runner == nil {
		opts.Runner = emu
	}
	if !opts.TLS {
		opts.AllowUnencrypted = true // masterzen's NTLM does not seal
	}
	return &simHost{srv: startSim(t, opts), host: h, emu: emu}
}

func TestHostInfoThroughSession(t *testing.T) {
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
			sim := startHost(t, winsim.Options{TLS: tc.tls, AllowBasic: true, ComputerName: "WEB01"},
				host.Options{ComputerName: "WEB01"})
			_, c := newClient(t, configFor(sim.srv, tc.auth))
			ctx := callCtx(t)

			var info hostapi.HostInfo
			if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil {
				t.Fatalf("host.info: %v", err)
			}
			if info.ComputerName != "WEB01" || info.PSVersion == "" || info.OSVersion == "" {
				t.Errorf("host.info = %+v, want the simulated host's facts", info)
			}
			first := c.Stats()
			if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil {
				t.Fatalf("second host.info: %v", err)
			}
			st := c.Stats()
			if st.PowerShellStarts != 1 || st.Sessions != 1 || st.Ops != 2 {
				t.Errorf("stats after two calls = %+v, want one session and one PowerShell start", st)
			}
			// A warm session costs a Send and the Receive that carries the
			// answer (plus the next long poll), never a shell or a process.
			if d := st.RoundTrips - first.RoundTrips; d > 4 {
				t.Errorf("second call cost %d round trips on a warm session", d)
			}
			if by := sim.srv.Stats().ByAction; by["Create"] != 1 || by["Command"] != 1 {
				t.Errorf("server actions = %v, want one Create and one Command", by)
			}
		})
	}
}

// Concurrent calls share batches (the host takes a little while per
// operation, so calls gather), and each caller still gets its own answer:
// creates their own rule back, reads their own not_found.
func TestConcurrentCallsGetTheirOwnResponses(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{Latency: host.Latency{PerOp: 10 * time.Millisecond}})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.MaxSessions = 2
	_, c := newClient(t, cfg)
	ctx := callCtx(t)

	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Names with quotes, subexpressions and non-ASCII travel as data.
			name := fmt.Sprintf("rule-%d ' \" `$(calc) ]]> ü", i)
			if i%2 == 0 {
				var got hostapi.FirewallRule
				err := c.Call(ctx, hostapi.OpFirewallRuleCreate, hostapi.FirewallRule{
					Name: name, DisplayName: name, Description: fmt.Sprintf("desc %d", i),
					Enabled: "True", Direction: "Inbound", Action: "Allow", Protocol: "TCP",
					LocalPort: []string{fmt.Sprint(8000 + i)},
				}, &got)
				if err != nil {
					errs <- fmt.Errorf("create %d: %w", i, err)
				} else if got.Name != name || got.Description != fmt.Sprintf("desc %d", i) {
					errs <- fmt.Errorf("create %d answered with rule %q (%q)", i, got.Name, got.Description)
				}
				return
			}
			err := c.Call(ctx, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: name}, nil)
			if !remote.IsKind(err, protocol.NotFound) || !strings.Contains(err.Error(), name) {
				errs <- fmt.Errorf("get %d = %v, want not_found naming its own rule", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := c.Stats(); st.Sessions > 2 || st.PowerShellStarts > 2 {
		t.Errorf("stats = %+v, want at most MaxSessions=2 sessions", st)
	}
	sends := sim.srv.Stats().ByAction["Send"]
	t.Logf("%d calls, %d Sends", n, sends)
	if sends > n/2 {
		t.Errorf("%d calls took %d Sends: they were not batched, so the test shows nothing of batches", n, sends)
	}
}

// Requests that arrive while a Send is in flight share the next Send.
func TestRequestsAreBatched(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{Latency: winsim.Latency{RTT: 20 * time.Millisecond}}, host.Options{})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.MaxSessions = 1
	_, c := newClient(t, cfg)
	ctx := callCtx(t)
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil { // warm up the session
		t.Fatal(err)
	}
	before := sim.srv.Stats().ByAction["Send"]

	const n = 30
	hostInfoBurst(ctx, t, c, n)
	sends := sim.srv.Stats().ByAction["Send"] - before
	t.Logf("%d concurrent calls took %d Sends", n, sends)
	if sends >= n/2 {
		t.Errorf("%d calls took %d Sends, want them coalesced", n, sends)
	}
}

// A burst of calls on a fresh client waits for the first sessions still
// opening, a few calls each, instead of starting a powershell.exe per
// call; once the sessions are up and busy, further calls open more, up to
// MaxSessions.
func TestBurstWaitsForSessionsStillOpening(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.MaxSessions = 4
	_, c := newClient(t, cfg)
	ctx := callCtx(t)

	hostInfoBurst(ctx, t, c, 4)
	if st := c.Stats(); st.PowerShellStarts != 1 {
		t.Fatalf("4 calls on a fresh client started %d PowerShell processes, want 1 (they wait for the one opening)", st.PowerShellStarts)
	}
	hostInfoBurst(ctx, t, c, 40)
	if st := c.Stats(); st.PowerShellStarts < 2 || st.PowerShellStarts > 4 {
		t.Fatalf("40 calls on busy sessions: %d PowerShell processes, want more than one and at most MaxSessions=4", st.PowerShellStarts)
	}
}

// hostInfoBurst makes n host.info calls at once and waits for them all.
func hostInfoBurst(ctx context.Context, t *testing.T, c *remote.Client, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestOneShotCostsAProcessPerCall(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{})
	ctx := callCtx(t)

	measure := func(oneShot bool) remote.Stats {
		cfg := configFor(sim.srv, remote.AuthNTLM)
		cfg.OneShot = oneShot
		pool, c := newClient(t, cfg)
		for i := range 3 {
			var info hostapi.HostInfo
			if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil || info.ComputerName == "" {
				t.Fatalf("oneShot=%t call %d: %v (%+v)", oneShot, i, err, info)
			}
		}
		if err := pool.Close(); err != nil {
			t.Fatal(err)
		}
		return c.Stats()
	}
	session, oneShot := measure(false), measure(true)
	t.Logf("3 calls: session %+v, one-shot %+v", session, oneShot)
	if oneShot.PowerShellStarts != 3 || session.PowerShellStarts != 1 {
		t.Errorf("PowerShell starts: one-shot %d (want 3), session %d (want 1)", oneShot.PowerShellStarts, session.PowerShellStarts)
	}
	if oneShot.RoundTrips <= session.RoundTrips {
		t.Errorf("one-shot took %d round trips, session %d: want one-shot dearer", oneShot.RoundTrips, session.RoundTrips)
	}
	if open := sim.srv.Stats().ShellsOpen; open != 0 {
		t.Errorf("%d shells still open after both pools closed", open)
	}
}

// killable runs the real agent emulator but lets a test end its processes
// as TerminateProcess (Stop-Process, a crash) would on Windows: at once, and
// with nothing more written to stdout after the kill.
type killable struct {
	inner proc.Runner
	mu    sync.Mutex
	kills []func()
}

func (k *killable) Run(ctx context.Context, c proc.Command) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := &cutWriter{w: c.Stdout}
	c.Stdout = out
	k.mu.Lock()
	k.kills = append(k.kills, func() { out.cut(); cancel() })
	k.mu.Unlock()
	return k.inner.Run(ctx, c)
}

func (k *killable) killAll() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, kill := range k.kills {
		kill()
	}
	k.kills = nil
}

// cutWriter stops passing writes on once cut.
type cutWriter struct {
	mu     sync.Mutex
	w      io.Writer
	isDead bool
}

func (c *cutWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isDead {
		return len(p), nil
	}
	return c.w.Write(p)
}

func (c *cutWriter) cut() {
	c.mu.Lock()
	c.isDead = true
	c.mu.Unlock()
}

func TestAgentDeathFailsPendingCallsAndNextCallRecovers(t *testing.T) {
	t.Parallel()
	h := host.New(host.Options{Latency: host.Latency{PerOp: time.Second}})
	k := &killable{inner: proc.New(h, proc.Options{})}
	srv := startSim(t, winsim.Options{Runner: k, AllowUnencrypted: true})
	cfg := configFor(srv, remote.AuthNTLM)
	cfg.MaxSessions = 1
	_, c := newClient(t, cfg)
	ctx := callCtx(t)

	pending := make(chan error, 1)
	go func() { pending <- c.Call(ctx, hostapi.OpHostInfo, nil, nil) }()
	// Wait until the request is with the agent, then kill the process.
	deadline := time.Now().Add(10 * time.Second)
	for h.Stats().Ops == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	k.killAll()

	start := time.Now()
	err := <-pending
	if !remote.IsKind(err, protocol.Unavailable) || !strings.Contains(err.Error(), "agent process exited (exit code 0xC000013A)") {
		t.Fatalf("pending call = %v, want unavailable because the agent exited", err)
	}
	if waited := time.Since(start); waited > 5*time.Second { // the call's own deadline is 10 s
		t.Errorf("the pending call learnt of the death after %s", waited)
	}
	t.Log(err)

	if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
		t.Fatalf("call after the death: %v", err)
	}
	if st := c.Stats(); st.PowerShellStarts != 2 || st.Sessions != 2 {
		t.Errorf("stats = %+v, want a second session and PowerShell start", st)
	}
}

func TestTransportFailureDiscardsSession(t *testing.T) {
	t.Parallel()
	faults := &winsim.Faults{}
	sim := startHost(t, winsim.Options{Faults: faults}, host.Options{})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.MaxSessions = 1
	_, c := newClient(t, cfg)
	ctx := callCtx(t)
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
		t.Fatal(err)
	}
	// The Receive polling now fails with a fault: masterzen's snapshot
	// would poll again forever; the session must die instead.
	faults.HTTP500NextN(1, "Receive")
	err := c.Call(ctx, hostapi.OpHostInfo, nil, nil)
	for i := 0; err == nil && i < 3; i++ {
		err = c.Call(ctx, hostapi.OpHostInfo, nil, nil)
	}
	// Depending on timing the fault hits the poll that carries an answer
	// (that call fails) or the next one (the session dies idle); either
	// way the next call runs on a fresh session.
	if err != nil && !remote.IsKind(err, protocol.Unavailable) {
		t.Fatalf("call during the fault = %v, want unavailable", err)
	}
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
		t.Fatalf("call after the fault: %v", err)
	}
	if st := c.Stats(); st.Sessions != 2 {
		t.Errorf("sessions = %d, want the broken one replaced", st.Sessions)
	}
	if got := sim.srv.Stats().ByAction["Receive"]; got > 50 {
		t.Errorf("%d Receives: the client kept polling after the fault", got)
	}
}

func TestSecretsNeverReachErrors(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.Secrets = []string{"provider-known-secret"}
	_, c := newClient(t, cfg)
	const userSecret = "Us3r-P@ss \"quoted\" <x>"
	c.Redact(userSecret)
	ctx := callCtx(t)

	for _, secret := range []string{userSecret, simPass, "provider-known-secret"} {
		// PowerShell echoes a value it cannot bind in its error message.
		err := c.Call(ctx, hostapi.OpFirewallRuleCreate, hostapi.FirewallRule{
			Name: "r1", DisplayName: "r1", Enabled: "True", Action: "Allow", Protocol: "TCP",
			Direction: secret,
		}, nil)
		if !remote.IsKind(err, protocol.InvalidArgument) {
			t.Fatalf("create with a bad direction = %v, want invalid_argument", err)
		}
		if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), `"***"`) {
			t.Errorf("error does not mask the secret: %v", err)
		}
	}
}

func TestRetryPolicySeesWhetherTheRequestWasDelivered(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{})
	var mu sync.Mutex
	var attempts []remote.Attempt
	policy := func(a remote.Attempt) (time.Duration, bool) {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, a)
		return time.Millisecond, a.Number < 2 && !a.Delivered
	}

	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.Password = "wrong"
	cfg.Retry = policy
	_, c := newClient(t, cfg)
	err := c.Call(callCtx(t), hostapi.OpHostInfo, nil, nil)
	if !remote.IsKind(err, protocol.AccessDenied) {
		t.Fatalf("Call = %v, want access_denied", err)
	}
	if len(attempts) != 2 || attempts[0].Delivered || attempts[1].Number != 2 || attempts[0].Op != hostapi.OpHostInfo {
		t.Fatalf("attempts = %+v, want two undelivered attempts", attempts)
	}

	// An answer from the agent was delivered: a write must not be retried.
	attempts = nil
	cfg = configFor(sim.srv, remote.AuthNTLM)
	cfg.Retry = policy
	_, c = newClient(t, cfg)
	err = c.Call(callCtx(t), hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: "missing"}, nil)
	if !remote.IsKind(err, protocol.NotFound) {
		t.Fatalf("Call = %v, want not_found", err)
	}
	if len(attempts) != 1 || !attempts[0].Delivered {
		t.Errorf("attempts = %+v, want one delivered attempt", attempts)
	}
}

// The snapshot's CreateShell returns an empty shell id for a fault; the
// client must say it could not open a shell, and recover afterwards.
func TestFaultOnCreate(t *testing.T) {
	t.Parallel()
	faults := &winsim.Faults{}
	sim := startHost(t, winsim.Options{Faults: faults}, host.Options{})
	_, c := newClient(t, configFor(sim.srv, remote.AuthNTLM))
	ctx := callCtx(t)

	faults.HTTP500NextN(1, "Create")
	err := c.Call(ctx, hostapi.OpHostInfo, nil, nil)
	if !remote.IsKind(err, protocol.Unavailable) || !strings.Contains(err.Error(), "could not open a shell") {
		t.Fatalf("Call = %v, want unavailable: could not open a shell", err)
	}
	t.Log(err)
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
		t.Fatalf("call after the fault: %v", err)
	}
}

func TestShellQuota(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{MaxShellsPerUser: 1}, host.Options{})
	ctx := callCtx(t)

	// Another client holds the only shell the user may have.
	_, holder := newClient(t, configFor(sim.srv, remote.AuthNTLM))
	if err := holder.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
		t.Fatal(err)
	}
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.Timeout = 11 * time.Second // a config of its own, not the holder's client
	_, c := newClient(t, cfg)
	err := c.Call(ctx, hostapi.OpHostInfo, nil, nil)
	if !remote.IsKind(err, protocol.Unavailable) || !strings.Contains(err.Error(), "MaxShellsPerUser") {
		t.Fatalf("Call = %v, want unavailable naming MaxShellsPerUser", err)
	}
	t.Log(err)
}

// With room for one shell but MaxSessions 2, the second session hits the
// quota; calls carry on over the first one instead of failing.
func TestQuotaCapsSessions(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{MaxShellsPerUser: 1, Latency: winsim.Latency{RTT: 5 * time.Millisecond}}, host.Options{})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.MaxSessions = 2
	_, c := newClient(t, cfg)
	ctx := callCtx(t)

	for round := range 3 {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
					t.Errorf("round %d: %v", round, err)
				}
			}()
		}
		wg.Wait()
	}
	if st := c.Stats(); st.PowerShellStarts != 1 || st.Sessions != 2 {
		t.Errorf("stats = %+v, want one agent and one refused session", st)
	}
}

func TestLogsCarryNoSecretsOrArguments(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{})
	var mu sync.Mutex
	var lines []string
	pool := remote.NewPool(func(_ context.Context, msg string, fields map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf("%s %v", msg, fields))
	})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	c, err := pool.Client(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const argSecret = "argument-value-7f3a"
	_ = c.Call(callCtx(t), hostapi.OpAnonAuthSet, hostapi.AnonAuthSettings{
		Location: "Default Web Site", Enabled: true, UserName: "svc-" + argSecret, Password: argSecret,
	}, nil)
	_ = c.Call(callCtx(t), hostapi.OpHostInfo, nil, nil)
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) == 0 {
		t.Fatal("nothing was logged")
	}
	var sawOp bool
	for _, l := range lines {
		if strings.Contains(l, argSecret) || strings.Contains(l, simPass) {
			t.Errorf("log line leaks a secret or an argument: %s", l)
		}
		sawOp = sawOp || strings.Contains(l, hostapi.OpAnonAuthSet)
	}
	if !sawOp {
		t.Errorf("no log line names the operation: %q", lines)
	}
}

// Concurrent calls share HTTP connections; NTLM handshakes that interleave
// across them must not surface as authentication failures.
func TestConcurrentOneShotCallsOverNTLM(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{Latency: winsim.Latency{RTT: time.Millisecond}}, host.Options{})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.OneShot = true
	_, c := newClient(t, cfg)
	ctx := callCtx(t)
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 2 {
				if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
					t.Errorf("caller %d call %d: %v", i, j, err)
				}
			}
		}()
	}
	wg.Wait()
	if st := c.Stats(); st.PowerShellStarts != 13 {
		t.Errorf("PowerShellStarts = %d, want one per call (13)", st.PowerShellStarts)
	}
}

// Whatever the network does to one request, the call fails with
// unavailable (or succeeds when the damage did not matter) well before its
// deadline, and the next call works.
func TestInjectedTransportFaults(t *testing.T) {
	t.Parallel()
	arms := map[string]func(f *winsim.Faults, action string){
		"drop":       func(f *winsim.Faults, a string) { f.DropNextN(1, a) },
		"drop reply": func(f *winsim.Faults, a string) { f.DropReplyNextN(1, a) },
		"500":        func(f *winsim.Faults, a string) { f.HTTP500NextN(1, a) },
		"malformed":  func(f *winsim.Faults, a string) { f.MalformedNextN(1, a) },
		"truncated":  func(f *winsim.Faults, a string) { f.TruncateNextN(1, a) },
	}
	for name, arm := range arms {
		for _, action := range []string{"Send", "Receive"} {
			t.Run(name+" on "+action, func(t *testing.T) {
				t.Parallel()
				faults := &winsim.Faults{}
				sim := startHost(t, winsim.Options{Faults: faults}, host.Options{})
				cfg := configFor(sim.srv, remote.AuthNTLM)
				cfg.MaxSessions = 1
				// A fault on the idle Receive that follows the hit call
				// can kill the session under the next call: a read is
				// then tried again, as the provider's policy does.
				cfg.Retry = func(a remote.Attempt) (time.Duration, bool) {
					return 10 * time.Millisecond, a.Number < 3 && !a.Answered
				}
				_, c := newClient(t, cfg)
				ctx := callCtx(t)
				if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil {
					t.Fatal(err)
				}
				arm(faults, action)
				start := time.Now()
				err := c.Call(ctx, hostapi.OpHostInfo, nil, nil)
				if err != nil && !remote.IsKind(err, protocol.Unavailable) {
					t.Errorf("call hit by the fault = %v, want unavailable", err)
				}
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("call hit by the fault took %s", d)
				}
				var info hostapi.HostInfo
				if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil || info.ComputerName == "" {
					t.Errorf("call after the fault = %v (%+v)", err, info)
				}
			})
		}
	}
}
