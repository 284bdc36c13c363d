package host

import (
	"context"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// Work adds up what the latency model charged: the per-operation cost,
// and for firewall operations a cost per rule in the store, whatever the
// operation asked for.
func TestStatsWorkIsTheModelledCost(t *testing.T) {
	lat := Latency{PerOp: 2 * time.Millisecond, PerFirewallRule: 100 * time.Microsecond}
	h := New(Options{Latency: lat})
	ctx := context.Background()
	snap, err := h.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rules := len(snap.Firewall)
	if _, perr := h.Handle(ctx, hostapi.OpHostInfo, nil); perr != nil {
		t.Fatal(perr)
	}
	if _, perr := h.Handle(ctx, hostapi.OpFirewallRuleList, nil); perr != nil {
		t.Fatal(perr)
	}
	want := 2*lat.PerOp + time.Duration(rules)*lat.PerFirewallRule
	if got := h.Stats().Work; got != want {
		t.Fatalf("work %s, want %s (two operations, %d rules)", got, want, rules)
	}
}
