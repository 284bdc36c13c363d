package remote_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

func isRead(op string) bool {
	return strings.HasSuffix(op, ".get") || strings.HasSuffix(op, ".list") || strings.HasSuffix(op, ".info")
}

func opCount(sim *simHost, op string) uint64 { return sim.host.Stats().ByOp[op] }

// Concurrent identical reads share one call to the host, and each caller
// gets its own copy of the answer.
func TestReadCacheSharesIdenticalReads(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{ComputerName: "WEB01"})
	_, c := newClient(t, configFor(sim.srv, remote.AuthNTLM))
	rc := remote.NewReadCache(isRead, time.Minute)
	ctx := remote.WithReadCache(callCtx(t), rc)

	var wg sync.WaitGroup
	lists := make([]hostapi.FirewallRuleList, 8)
	for i := range lists {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Call(ctx, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{}, &lists[i]); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := opCount(sim, hostapi.OpFirewallRuleList); n != 1 {
		t.Fatalf("8 identical reads cost %d calls to the host, want 1", n)
	}
	if len(lists[0].Rules) == 0 {
		t.Fatal("the stock host has firewall rules")
	}
	lists[0].Rules[0].Name = "changed by one caller"
	if lists[1].Rules[0].Name == "changed by one caller" {
		t.Fatal("two callers share one result")
	}
	// Other arguments are another question.
	var in hostapi.FirewallRuleList
	if err := c.Call(ctx, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{Direction: "Inbound"}, &in); err != nil {
		t.Fatal(err)
	}
	if n := opCount(sim, hostapi.OpFirewallRuleList); n != 2 {
		t.Fatalf("a list with another filter was served from the cache (%d calls)", n)
	}
}

// A write through the client, whatever its context, makes the next read
// ask the host again; a failed read is not kept.
func TestReadCacheForgetsOnWriteAndFailure(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{})
	_, c := newClient(t, configFor(sim.srv, remote.AuthNTLM))
	ctx := remote.WithReadCache(callCtx(t), remote.NewReadCache(isRead, time.Minute))
	name := hostapi.FirewallRuleName{Name: "cache-test"}

	var got hostapi.FirewallRule
	if err := c.Call(ctx, hostapi.OpFirewallRuleGet, name, &got); !remote.IsKind(err, "not_found") {
		t.Fatalf("got %v, want not_found", err)
	}
	rule := hostapi.FirewallRule{Name: name.Name, DisplayName: "Cache test", Enabled: "True", Direction: "Inbound",
		Action: "Allow", Profile: "Any", Protocol: "TCP", LocalPort: []string{"8080"}}
	// Created with a context that carries no cache: the client still
	// knows a write happened.
	if err := c.Call(callCtx(t), hostapi.OpFirewallRuleCreate, rule, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Call(ctx, hostapi.OpFirewallRuleGet, name, &got); err != nil || got.LocalPort[0] != "8080" {
		t.Fatalf("after the create the read says %+v, %v", got, err)
	}
	rule.LocalPort = []string{"9090"}
	if err := c.Call(ctx, hostapi.OpFirewallRuleUpdate, rule, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Call(ctx, hostapi.OpFirewallRuleGet, name, &got); err != nil || got.LocalPort[0] != "9090" {
		t.Fatalf("after the update the read says %v, %v", got.LocalPort, err)
	}
	before := opCount(sim, hostapi.OpFirewallRuleGet)
	if err := c.Call(ctx, hostapi.OpFirewallRuleGet, name, &got); err != nil {
		t.Fatal(err)
	}
	if n := opCount(sim, hostapi.OpFirewallRuleGet) - before; n != 0 {
		t.Fatalf("a read with no write since cost %d calls to the host", n)
	}
}

// An answer is served for at most the maximum age: a change made behind
// the provider's back shows after it.
func TestReadCacheMaxAge(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{ComputerName: "WEB01"})
	_, c := newClient(t, configFor(sim.srv, remote.AuthNTLM))
	ctx := remote.WithReadCache(callCtx(t), remote.NewReadCache(isRead, 3*time.Second))

	var info hostapi.HostInfo
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil {
		t.Fatal(err)
	}
	if err := sim.host.SetComputerName(context.Background(), "WEB02"); err != nil {
		t.Fatal(err)
	}
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil || info.ComputerName != "WEB01" {
		t.Fatalf("within the maximum age: %+v, %v (want the cached WEB01)", info.ComputerName, err)
	}
	time.Sleep(3200 * time.Millisecond)
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil || info.ComputerName != "WEB02" {
		t.Fatalf("past the maximum age: %+v, %v (want WEB02)", info.ComputerName, err)
	}
	// Without a cache in the context nothing is shared.
	before := opCount(sim, hostapi.OpHostInfo)
	for range 2 {
		if err := c.Call(callCtx(t), hostapi.OpHostInfo, nil, &info); err != nil {
			t.Fatal(err)
		}
	}
	if n := opCount(sim, hostapi.OpHostInfo) - before; n != 2 {
		t.Fatalf("two reads without a cache cost %d calls", n)
	}
}

// A caller that gives up gets its own cancellation; the one that shares
// its read still gets the answer.
func TestReadCacheCancelledCallerLeavesOthers(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{Latency: host.Latency{PerOp: 300 * time.Millisecond}})
	_, c := newClient(t, configFor(sim.srv, remote.AuthNTLM))
	ctx := remote.WithReadCache(callCtx(t), remote.NewReadCache(isRead, time.Minute))

	first, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- c.Call(first, hostapi.OpHostInfo, nil, nil) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-errc; !remote.IsKind(err, "unavailable") {
		t.Fatalf("the cancelled caller got %v", err)
	}
	var info hostapi.HostInfo
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil || info.ComputerName == "" {
		t.Fatalf("the other caller got %+v, %v", info, err)
	}
	if n := opCount(sim, hostapi.OpHostInfo); n != 1 {
		t.Errorf("%d calls to the host, want the one both shared", n)
	}
}

// CallShared builds one value per cached answer and key for all its
// callers; a write makes the next caller read and build again; without a
// cache every call builds its own; a build that fails is a decode error.
func TestCallSharedBuildsOncePerAnswer(t *testing.T) {
	t.Parallel()
	sim := startHost(t, winsim.Options{}, host.Options{})
	_, c := newClient(t, configFor(sim.srv, remote.AuthNTLM))
	ctx := remote.WithReadCache(callCtx(t), remote.NewReadCache(isRead, time.Minute))
	var builds atomic.Int32
	build := func(raw json.RawMessage) (any, error) {
		builds.Add(1)
		var l hostapi.FirewallRuleList
		err := json.Unmarshal(raw, &l)
		return &l, err
	}

	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.CallShared(ctx, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{}, "rules", build)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		}()
	}
	wg.Wait()
	if n, b := opCount(sim, hostapi.OpFirewallRuleList), builds.Load(); n != 1 || b != 1 {
		t.Fatalf("8 shared reads: %d host calls and %d builds, want 1 and 1", n, b)
	}
	for _, v := range got[1:] {
		if v != got[0] {
			t.Fatal("callers of one answer got different values")
		}
	}
	if l := got[0].(*hostapi.FirewallRuleList); len(l.Rules) == 0 {
		t.Fatal("the stock host has firewall rules; the value is empty")
	}
	// Another key is another value of the same answer.
	if _, err := c.CallShared(ctx, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{}, "other", build); err != nil {
		t.Fatal(err)
	}
	if n, b := opCount(sim, hostapi.OpFirewallRuleList), builds.Load(); n != 1 || b != 2 {
		t.Fatalf("another key: %d host calls and %d builds, want 1 and 2", n, b)
	}

	rule := hostapi.FirewallRule{Name: "shared-test", DisplayName: "Shared test", Enabled: "True", Direction: "Inbound",
		Action: "Allow", Profile: "Any", Protocol: "TCP", LocalPort: []string{"8080"}}
	if err := c.Call(callCtx(t), hostapi.OpFirewallRuleCreate, rule, nil); err != nil {
		t.Fatal(err)
	}
	v, err := c.CallShared(ctx, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{}, "rules", build)
	if err != nil {
		t.Fatal(err)
	}
	if v == got[0] || opCount(sim, hostapi.OpFirewallRuleList) != 2 {
		t.Fatal("after a write the shared value was served again")
	}
	found := false
	for _, r := range v.(*hostapi.FirewallRuleList).Rules {
		found = found || r.Name == "shared-test"
	}
	if !found {
		t.Fatal("the value read after the write lacks the rule it created")
	}

	before := builds.Load()
	for range 2 {
		if _, err := c.CallShared(callCtx(t), hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{}, "rules", build); err != nil {
			t.Fatal(err)
		}
	}
	if b := builds.Load() - before; b != 2 || opCount(sim, hostapi.OpFirewallRuleList) != 4 {
		t.Fatalf("without a cache: %d builds, %d host calls in all; want one each per call", b, opCount(sim, hostapi.OpFirewallRuleList))
	}

	_, err = c.CallShared(ctx, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{}, "broken",
		func(json.RawMessage) (any, error) { return nil, errors.New("no such shape") })
	if !remote.IsKind(err, "internal") || !strings.Contains(err.Error(), "cannot decode the agent's result: no such shape") {
		t.Fatalf("failed build: %v", err)
	}
}
