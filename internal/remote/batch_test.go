package remote_test

import (
	"context"
	"fmt"
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

// getRules asks for n rules that do not exist, all at once, and returns
// each call's error: not_found naming its own rule is an answer.
func getRules(ctx context.Context, c *remote.Client, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.Call(ctx, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: fmt.Sprintf("batch-rule-%d", i)}, nil)
		}()
	}
	wg.Wait()
	return errs
}

func answeredItself(err error, i int) bool {
	return remote.IsKind(err, protocol.NotFound) && strings.Contains(err.Error(), fmt.Sprintf("'batch-rule-%d'", i))
}

// Calls that gather while the agent is busy go out in one Send and their
// answers come back together in one Receive, not one Receive each.
func TestBatchAnswersComeBackInOneReceive(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{Latency: host.Latency{PerOp: 30 * time.Millisecond}})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.MaxSessions = 1
	_, c := newClient(t, cfg)
	ctx := callCtx(t)
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, nil); err != nil { // the session is open
		t.Fatal(err)
	}
	before := sim.srv.Stats().ByAction

	const n = 12
	for i, err := range getRules(ctx, c, n) {
		if !answeredItself(err, i) {
			t.Errorf("call %d: %v, want not_found for its own rule", i, err)
		}
	}
	after := sim.srv.Stats().ByAction
	sends, receives := after["Send"]-before["Send"], after["Receive"]-before["Receive"]
	t.Logf("%d calls: %d Sends, %d Receives", n, sends, receives)
	if sends > n/3 {
		t.Errorf("%d calls took %d Sends, want them gathered", n, sends)
	}
	// One Receive carries each batch's answers; one more may be the long
	// poll that was waiting when the first batch went out.
	if receives > sends+1 {
		t.Errorf("%d Sends came back in %d Receives, want one each", sends, receives)
	}
}

// killOne runs the real agent emulator and lets a test end one chosen
// process at once, as TerminateProcess would, with nothing more written.
type killOne struct {
	inner proc.Runner
	mu    sync.Mutex
	kills []func()
}

func (k *killOne) Run(ctx context.Context, c proc.Command) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := &cutWriter{w: c.Stdout}
	c.Stdout = out
	k.mu.Lock()
	k.kills = append(k.kills, func() { out.cut(); cancel() })
	k.mu.Unlock()
	return k.inner.Run(ctx, c)
}

func (k *killOne) processes() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.kills)
}

func (k *killOne) kill(i int) {
	k.mu.Lock()
	kill := k.kills[i]
	k.mu.Unlock()
	kill()
}

// When the agent of one session dies with a batch in hand, the calls of
// that batch fail and only they: the other session's calls, and calls not
// yet sent, are answered, each with its own answer.
func TestFailedBatchFailsOnlyItsMembers(t *testing.T) {
	t.Parallel()
	h := host.New(host.Options{Latency: host.Latency{PerOp: 200 * time.Millisecond}})
	k := &killOne{inner: proc.New(h, proc.Options{})}
	srv := startSim(t, winsim.Options{Runner: k, AllowUnencrypted: true})
	cfg := configFor(srv, remote.AuthNTLM)
	cfg.MaxSessions = 2
	_, c := newClient(t, cfg)
	ctx := callCtx(t)

	const n = 12
	result := make(chan []error, 1)
	go func() { result <- getRules(ctx, c, n) }()
	deadline := time.Now().Add(10 * time.Second)
	for (k.processes() < 2 || h.Stats().Ops < 2) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	k.kill(0)
	errs := <-result

	answered, failed := 0, 0
	for i, err := range errs {
		switch {
		case answeredItself(err, i):
			answered++
		case remote.IsKind(err, protocol.Unavailable):
			failed++
		default:
			t.Errorf("call %d: %v, want its own not_found or unavailable", i, err)
		}
	}
	t.Logf("%d answered, %d failed with the killed agent", answered, failed)
	if failed == 0 || answered == 0 {
		t.Fatalf("%d answered and %d failed: the killed session's batch must fail and the rest be answered", answered, failed)
	}
	// The host is still served: every call of a second wave is answered.
	for i, err := range getRules(ctx, c, n) {
		if !answeredItself(err, i) {
			t.Errorf("after the kill, call %d: %v", i, err)
		}
	}
}
