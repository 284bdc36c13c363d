package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// Two Opens of one file behave as two processes sharing a host: a change
// through one is seen by the other on its next operation.
func TestPersistenceAcrossOpens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "host.json")
	a, err := Open(path, Options{ComputerName: "WEB01"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path, Options{ComputerName: "IGNORED"})
	if err != nil {
		t.Fatal(err)
	}
	if name, _ := b.ComputerName(ctx); name != "WEB01" {
		t.Fatalf("second open sees %q, want the first one's WEB01", name)
	}
	if err := a.SetComputerName(ctx, "web02"); err != nil {
		t.Fatal(err)
	}
	if err := a.AddUser(ctx, "deploy", "pw"); err != nil {
		t.Fatal(err)
	}
	raw, perr := b.Handle(ctx, hostapi.OpHostInfo, nil)
	if perr != nil || !strings.Contains(string(raw), `"computer_name":"WEB02"`) {
		t.Fatalf("b sees %s %v", raw, perr)
	}
	if err := b.AddUser(ctx, "deploy", "pw"); err == nil {
		t.Fatal("b did not see a's user")
	}
	if b.Stats().Reloads == 0 {
		t.Fatal("b never reloaded")
	}
	// A third open after both are done reads the saved file.
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.CheckPassword(ctx, "deploy", "pw"); !ok {
		t.Fatal("user lost across opens")
	}
	raw2, _ := os.ReadFile(path)
	if strings.Contains(string(raw2), `"pw"`) {
		t.Fatal("password stored in clear")
	}
}

func TestOpenRejectsForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "host.json")
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "not a host state") {
		t.Fatalf("Open of garbage = %v", err)
	}
}

// Writers in two "processes" (two Opens) and several goroutines each must
// not lose each other's updates: the file lock plus reload-before-apply
// makes every update see the previous one.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "host.json")
	hosts := make([]*Host, 2)
	for i := range hosts {
		h, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		hosts[i] = h
	}
	const perWorker = 8
	var wg sync.WaitGroup
	errs := make(chan error, 4*perWorker)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			h := hosts[w%2]
			for i := 0; i < perWorker; i++ {
				if err := h.AddUser(ctx, fmt.Sprintf("u%d-%d", w, i), ""); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s, err := hosts[0].Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.Accounts.Users), 4+4*perWorker; got != want {
		t.Fatalf("%d users after concurrent adds, want %d", got, want)
	}
	sids := map[string]bool{}
	for _, u := range s.Accounts.Users {
		if sids[u.SID] {
			t.Fatalf("SID %s handed out twice", u.SID)
		}
		sids[u.SID] = true
	}
}

func TestLockWaitHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "host.json")
	h, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := h.file.lock(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	h2 := &Host{file: &stateFile{path: path}, ops: operations(), stats: Stats{ByOp: map[string]uint64{}}}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := h2.ComputerName(ctx); err == nil {
		t.Fatal("read went through a held exclusive lock")
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("lock wait ignored the context")
	}
}

func TestLatencyModel(t *testing.T) {
	h := New(Options{Latency: Latency{PerOp: 30 * time.Millisecond, PerFirewallRule: time.Hour}})
	start := time.Now()
	if _, perr := h.Handle(context.Background(), hostapi.OpHostInfo, nil); perr != nil {
		t.Fatal(perr)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("host.info took %v, the model charges 30ms", d)
	}
	if got := h.cost(context.Background(), "firewall.rule.list"); got != 30*time.Millisecond+9*time.Hour {
		t.Fatalf("firewall op cost %v, want PerOp + 9 stock rules x PerFirewallRule", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slow := New(Options{Latency: Latency{PerOp: time.Hour}})
	if _, perr := slow.Handle(ctx, hostapi.OpHostInfo, nil); perr == nil {
		t.Fatal("cancelled operation succeeded")
	}
}
