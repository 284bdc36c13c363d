package firewall

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// simulated is a simulated Windows host and a client of it, the whole way
// the provider reaches a host: WinRM, the agent session, the host model.
type simulated struct {
	host   *host.Host
	client *remote.Client
}

func startSimulated(t testing.TB, lat host.Latency, rules int) simulated {
	t.Helper()
	h := host.New(host.Options{Latency: lat})
	for i := range rules {
		args := []string{"add-rule", ruleName(i), fmt.Sprintf("Rule %d", i), "protocol=TCP", fmt.Sprintf("local-ports=%d", 20000+i)}
		if err := host.RunAdmin(h, args, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := winsim.Start(context.Background(), winsim.Options{
		Users:  map[string]string{"administrator": "Pa55-word"},
		Runner: proc.New(h, proc.Options{}), AllowUnencrypted: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	pool := remote.NewPool(nil)
	t.Cleanup(func() { pool.Close() })
	c, err := pool.Client(remote.Config{
		Host: srv.Host(), Port: srv.Port(), Username: "administrator", Password: "Pa55-word", Timeout: 20 * time.Second,
		Scripts: remote.Scripts{CommandLine: hostscript.CommandLine(), AgentLine: hostscript.AgentLine()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return simulated{host: h, client: c}
}

func ruleName(i int) string { return fmt.Sprintf("rule-%03d", i) }

func (s simulated) ops(op string) uint64 { return s.host.Stats().ByOp[op] }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// A refresh of many rules, read in parallel as Terraform reads them, costs
// the host one bulk read, and every reader gets its own rule.
func TestConcurrentReadsShareOneBulkRead(t *testing.T) {
	t.Parallel()
	const n = 30
	sim := startSimulated(t, host.Latency{}, n)
	snaps := NewSnapshots(0)
	ctx := testCtx(t)

	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := snaps.Get(ctx, sim.client, ruleName(i))
			switch {
			case err != nil:
				errs <- err
			case r.Name != ruleName(i) || len(r.LocalPorts) != 1 || r.LocalPorts[0] != fmt.Sprint(20000+i):
				errs <- fmt.Errorf("reader %d got %s port %v", i, r.Name, r.LocalPorts)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if l, g := sim.ops(hostapi.OpFirewallRuleList), sim.ops(hostapi.OpFirewallRuleGet); l != 1 || g != 0 {
		t.Fatalf("%d reads cost %d bulk reads and %d single reads, want 1 and 0", n, l, g)
	}
}

// A write through Snapshots makes the next read see the host as it is
// now, for the rule written and for every other rule of that host.
func TestWriteInvalidatesTheSnapshot(t *testing.T) {
	t.Parallel()
	sim := startSimulated(t, host.Latency{}, 3)
	snaps := NewSnapshots(0)
	ctx := testCtx(t)

	before, err := snaps.Get(ctx, sim.client, ruleName(1))
	if err != nil {
		t.Fatal(err)
	}
	spec := before.RuleSpec
	spec.LocalPorts = []string{"8443"}
	if _, err := snaps.Update(ctx, sim.client, spec); err != nil {
		t.Fatal(err)
	}
	after, err := snaps.Get(ctx, sim.client, ruleName(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(after.LocalPorts) != 1 || after.LocalPorts[0] != "8443" {
		t.Fatalf("after the update the read says ports %v", after.LocalPorts)
	}
	created, err := snaps.Create(ctx, sim.client, fwrule.RuleSpec{Name: "new-rule", DisplayName: "New", Enabled: true, Protocol: "UDP", LocalPorts: []string{"53"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := snaps.Get(ctx, sim.client, "NEW-RULE"); err != nil || got.Name != created.Name {
		t.Fatalf("the created rule reads %+v, %v", got, err)
	}
	if err := snaps.Delete(ctx, sim.client, ruleName(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := snaps.Get(ctx, sim.client, ruleName(2)); !IsNotFound(err) {
		t.Fatalf("the deleted rule reads %v, want not found", err)
	}
	if l := sim.ops(hostapi.OpFirewallRuleList); l != 4 {
		t.Errorf("%d bulk reads, want one per read after each of the three writes, plus the first", l)
	}
}

// A change made on the host behind the provider's back shows once the
// snapshot is older than its maximum age, and not before: staleness is
// bounded by it. A rule made since the snapshot is found at once, because
// a rule missing from the snapshot is asked for by name.
func TestStalenessIsBounded(t *testing.T) {
	t.Parallel()
	sim := startSimulated(t, host.Latency{}, 2)
	snaps := NewSnapshots(time.Minute)
	var clock atomic.Int64
	start := time.Now()
	snaps.now = func() time.Time { return start.Add(time.Duration(clock.Load())) }
	ctx := testCtx(t)

	if _, err := snaps.Get(ctx, sim.client, ruleName(0)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"set-rule", ruleName(0), "remote-addresses=10.9.9.0/24"},
		{"add-rule", "out-of-band", "Out of band", "protocol=TCP", "local-ports=22"},
		{"remove-rule", ruleName(1)},
	} {
		if err := host.RunAdmin(sim.host, args, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	stale, err := snaps.Get(ctx, sim.client, ruleName(0))
	if err != nil {
		t.Fatal(err)
	}
	if stale.RemoteAddresses[0] != fwrule.Any {
		t.Fatal("a change within the maximum age was seen: the snapshot was not used")
	}
	if r, err := snaps.Get(ctx, sim.client, "out-of-band"); err != nil || r.LocalPorts[0] != "22" {
		t.Fatalf("a rule made after the snapshot reads %+v, %v: it must be asked for by name", r, err)
	}
	if _, err := snaps.Get(ctx, sim.client, ruleName(1)); err != nil {
		t.Fatalf("a rule removed within the maximum age reads %v; the snapshot still has it", err)
	}

	clock.Store(int64(time.Minute + time.Second))
	if _, err := snaps.Get(ctx, sim.client, ruleName(1)); !IsNotFound(err) {
		t.Fatalf("past the maximum age a removed rule reads %v, want not found", err)
	}
	fresh, err := snaps.Get(ctx, sim.client, ruleName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh.RemoteAddresses) != 1 || fresh.RemoteAddresses[0] == fwrule.Any {
		t.Fatalf("past the maximum age the read still says %v", fresh.RemoteAddresses)
	}
}

// failingList is the real client with the bulk read failing, as a host
// does when the list op times out: every other op reaches the host.
type failingList struct {
	Caller
	failures atomic.Int32
}

func (f *failingList) Call(ctx context.Context, op string, args, result any) error {
	if op == hostapi.OpFirewallRuleList && f.failures.Add(-1) >= 0 {
		return &remote.Error{Kind: protocol.Unavailable, Op: op, Message: "no answer within 60s"}
	}
	return f.Caller.Call(ctx, op, args, result)
}

// A failed bulk read is never a failed refresh: each waiting reader asks
// for its own rule, and the next reader tries the bulk read again.
func TestFailedBulkReadFallsBackToSingleReads(t *testing.T) {
	t.Parallel()
	sim := startSimulated(t, host.Latency{}, 5)
	c := &failingList{Caller: sim.client}
	c.failures.Store(1)
	snaps := NewSnapshots(0)
	ctx := testCtx(t)

	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, err := snaps.Get(ctx, c, ruleName(i)); err != nil || r.Name != ruleName(i) {
				t.Errorf("reader %d: %+v, %v", i, r.Name, err)
			}
		}()
	}
	wg.Wait()
	gets := sim.ops(hostapi.OpFirewallRuleGet)
	if gets == 0 {
		t.Fatal("no reader fell back to its own read")
	}
	if _, err := snaps.Get(ctx, c, ruleName(0)); err != nil {
		t.Fatal(err)
	}
	if sim.ops(hostapi.OpFirewallRuleList) != 1 || sim.ops(hostapi.OpFirewallRuleGet) != gets {
		t.Fatalf("after the failure the next read cost %d bulk and %d single reads, want a new bulk read",
			sim.ops(hostapi.OpFirewallRuleList), sim.ops(hostapi.OpFirewallRuleGet)-gets)
	}
}

// A reader that gives up does not take the others down with it, even the
// one whose call started the bulk read.
func TestCancelledReaderLeavesOthersServed(t *testing.T) {
	t.Parallel()
	sim := startSimulated(t, host.Latency{PerOp: 300 * time.Millisecond}, 3)
	snaps := NewSnapshots(0)
	ctx := testCtx(t)

	first, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := snaps.Get(first, sim.client, ruleName(0))
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond) // the bulk read (0.3 s on the host) is under way
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled reader got %v", err)
	}
	if r, err := snaps.Get(ctx, sim.client, ruleName(2)); err != nil || r.Name != ruleName(2) {
		t.Fatalf("another reader got %+v, %v", r.Name, err)
	}
	if l := sim.ops(hostapi.OpFirewallRuleList); l != 1 {
		t.Errorf("%d bulk reads: the second reader should have used the first's", l)
	}
}

func TestEmptyNameNeverTravels(t *testing.T) {
	sim := startSimulated(t, host.Latency{}, 0)
	snaps := NewSnapshots(0)
	if _, err := snaps.Get(testCtx(t), sim.client, " "); !errors.Is(err, ErrEmptyName) {
		t.Fatalf("got %v", err)
	}
	if n := sim.host.Stats().Ops; n != 0 {
		t.Fatalf("%d operations reached the host", n)
	}
}
