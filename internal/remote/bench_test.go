package remote_test

import (
	"sync"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// BenchmarkCall measures what one host.info costs through a long-lived
// session and through one-shot mode, against a host with a network round
// trip of 2 ms and a PowerShell start-up of 200 ms (reference/winrm.md
// section 5), sequentially and with 8 callers at once.
func BenchmarkCall(b *testing.B) {
	for _, mode := range []struct {
		name    string
		oneShot bool
	}{{"session", false}, {"one-shot", true}} {
		for _, callers := range []int{1, 8} {
			b.Run(mode.name+"/callers="+itoa(callers), func(b *testing.B) {
				h := host.New(host.Options{})
				emu := proc.New(h, proc.Options{PowerShellStart: 200 * time.Millisecond})
				srv, err := winsim.Start(b.Context(), winsim.Options{
					Users: map[string]string{simUser: simPass}, Runner: emu, AllowUnencrypted: true,
					Latency: winsim.Latency{RTT: 2 * time.Millisecond},
				})
				if err != nil {
					b.Fatal(err)
				}
				defer srv.Close()
				cfg := configFor(srv, remote.AuthNTLM)
				cfg.OneShot = mode.oneShot
				pool := remote.NewPool(nil)
				defer pool.Close()
				c, err := pool.Client(cfg)
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				var wg sync.WaitGroup
				per := (b.N + callers - 1) / callers
				for range callers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range per {
							if err := c.Call(b.Context(), hostapi.OpHostInfo, nil, nil); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				st := c.Stats()
				ops := float64(st.Ops)
				b.ReportMetric(float64(st.RoundTrips)/ops, "roundtrips/op")
				b.ReportMetric(float64(st.PowerShellStarts)/ops, "psstarts/op")
			})
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + itoa(n%10)
}
