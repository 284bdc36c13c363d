package firewall

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// BenchmarkRefresh reads 100 rules the way a Terraform refresh does (10 at
// a time) from a host with 300 rules whose firewall cmdlets cost 15 ms
// plus 0.1 ms per rule in the store: by name, one host-wide read each, and
// through Snapshots, one bulk read per refresh. Each iteration is one
// refresh; the metrics are per rule read.
func BenchmarkRefresh(b *testing.B) {
	const rules, managed, parallelism = 300, 100, 10
	for _, mode := range []string{"by-name", "snapshot"} {
		b.Run(mode, func(b *testing.B) {
			sim := startSimulated(b, host.Latency{PerOp: 15 * time.Millisecond, PerFirewallRule: 100 * time.Microsecond}, rules)
			ctx := context.Background()
			before, ops := sim.client.Stats(), sim.host.Stats().Ops
			b.ResetTimer()
			for range b.N {
				snaps := NewSnapshots(0) // a new refresh, as each terraform command configures the provider anew
				read := func(name string) error { _, err := Get(ctx, sim.client, name); return err }
				if mode == "snapshot" {
					read = func(name string) error { _, err := snaps.Get(ctx, sim.client, name); return err }
				}
				names := make(chan string)
				var wg sync.WaitGroup
				for range parallelism {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for n := range names {
							if err := read(n); err != nil {
								b.Error(err)
							}
						}
					}()
				}
				for i := range managed {
					names <- ruleName(i)
				}
				close(names)
				wg.Wait()
			}
			b.StopTimer()
			reads := float64(b.N * managed)
			after := sim.client.Stats()
			b.ReportMetric(float64(after.RoundTrips-before.RoundTrips)/reads, "roundtrips/read")
			b.ReportMetric(float64(sim.host.Stats().Ops-ops)/reads, "hostops/read")
		})
	}
}
