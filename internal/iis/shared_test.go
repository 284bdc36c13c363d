package iis

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/retry"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// startRemote is a simulated host with pools pool-0 .. pool-(n-1), and a
// client that reaches it the whole way the provider does.
func startRemote(t *testing.T, pools int) (*remote.Client, *host.Host) {
	t.Helper()
	h := host.New(host.Options{ComputerName: "WEB01"})
	for i := range pools {
		if err := h.AddAppPool(context.Background(), fmt.Sprintf("pool-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := winsim.Start(context.Background(), winsim.Options{
		Users: map[string]string{"administrator": "Pa55-word"}, Runner: proc.New(h, proc.Options{}), AllowUnencrypted: true,
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
	return c, h
}

func sharedCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return remote.WithReadCache(ctx, remote.NewReadCache(retry.IsRead, time.Minute))
}

// A refresh of many pools and their identities, in parallel as Terraform
// reads them, costs the host one pool list; each read gets its own pool,
// the same as a read by name would.
func TestPoolReadsShareOneList(t *testing.T) {
	t.Parallel()
	c, h := startRemote(t, 20)
	if err := h.SetAppPoolAttr(context.Background(), "pool-7", "processModel.identityType", "LocalSystem"); err != nil {
		t.Fatal(err)
	}
	ctx := sharedCtx(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(2)
		name := fmt.Sprintf("POOL-%d", i) // IIS keys pools without regard to case
		go func() {
			defer wg.Done()
			if p, err := AppPoolFromList(ctx, c, name); err != nil || p.Name != fmt.Sprintf("pool-%d", i) {
				t.Errorf("pool %d: %+v, %v", i, p.Name, err)
			}
		}()
		go func() {
			defer wg.Done()
			id, err := PoolIdentityFromList(ctx, c, name)
			want := hostapi.IdentityAppPool
			if i == 7 {
				want = "LocalSystem"
			}
			if err != nil || id.Type != want || id.ComputerName != "WEB01" {
				t.Errorf("identity %d: %+v, %v", i, id, err)
			}
		}()
	}
	wg.Wait()
	by := h.Stats().ByOp
	if by[hostapi.OpAppPoolList] != 1 || by[hostapi.OpAppPoolGet] != 0 || by[hostapi.OpAppPoolIdentityGet] != 0 {
		t.Fatalf("40 reads cost %v, want one list", by)
	}

	// What the list says is what the reads by name say.
	byName, err := GetAppPool(ctx, c, "pool-7")
	if err != nil {
		t.Fatal(err)
	}
	fromList, _ := AppPoolFromList(ctx, c, "pool-7")
	if fmt.Sprint(byName) != fmt.Sprint(fromList) {
		t.Fatalf("by name %+v\nfrom list %+v", byName, fromList)
	}
	idByName, err := GetPoolIdentity(ctx, c, "pool-7", PasswordProof{})
	if err != nil {
		t.Fatal(err)
	}
	idFromList, _ := PoolIdentityFromList(ctx, c, "pool-7")
	if idByName.Pool != idFromList.Pool || idByName.Identity != idFromList.Identity || idByName.ComputerName != idFromList.ComputerName {
		t.Fatalf("by name %+v\nfrom list %+v", idByName, idFromList)
	}
}

// A pool made after the list is found by name; one that does not exist is
// not found; without a shared read cache, pools are read by name.
func TestPoolReadsFallBackToName(t *testing.T) {
	t.Parallel()
	c, h := startRemote(t, 2)
	ctx := sharedCtx(t)
	if _, err := AppPoolFromList(ctx, c, "pool-0"); err != nil {
		t.Fatal(err)
	}
	if err := h.AddAppPool(context.Background(), "late"); err != nil {
		t.Fatal(err)
	}
	if p, err := AppPoolFromList(ctx, c, "late"); err != nil || p.Name != "late" {
		t.Fatalf("a pool made after the list: %+v, %v", p.Name, err)
	}
	if _, err := PoolIdentityFromList(ctx, c, "missing"); !IsNotFound(err) {
		t.Fatalf("a missing pool's identity: %v, want not found", err)
	}

	plain, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	before := h.Stats().ByOp[hostapi.OpAppPoolList]
	if _, err := AppPoolFromList(plain, c, "pool-1"); err != nil {
		t.Fatal(err)
	}
	if h.Stats().ByOp[hostapi.OpAppPoolList] != before {
		t.Fatal("without a shared read cache a single read listed every pool")
	}
}

// Every read shares one decoded list, but what a read returns is its own:
// changing one pool's schedule does not change what the next read sees.
func TestPoolReadsFromTheListAreCopies(t *testing.T) {
	t.Parallel()
	c, h := startRemote(t, 1)
	if err := h.SetAppPoolSchedule(context.Background(), "pool-0", []string{"03:00:00", "15:00:00"}); err != nil {
		t.Fatal(err)
	}
	ctx := sharedCtx(t)
	first, err := AppPoolFromList(ctx, c, "pool-0")
	if err != nil || len(first.PeriodicRestart.Schedule) != 2 {
		t.Fatalf("%+v %v", first.PeriodicRestart, err)
	}
	first.PeriodicRestart.Schedule[0] = "changed by one caller"
	second, err := AppPoolFromList(ctx, c, "pool-0")
	if err != nil || second.PeriodicRestart.Schedule[0] == "changed by one caller" {
		t.Fatalf("one caller's change reached another: %+v %v", second.PeriodicRestart, err)
	}
	if n := h.Stats().ByOp[hostapi.OpAppPoolList]; n != 1 {
		t.Fatalf("two reads cost %d lists, want 1", n)
	}
}
