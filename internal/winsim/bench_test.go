package winsim

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

var okRunner = runnerFunc(func(_ context.Context, c proc.Command) int {
	fmt.Fprint(c.Stdout, "ok\r\n")
	return 0
})

// BenchmarkRunCommand is one masterzen RunWithContext (Create, Command,
// Receive, Signal, Delete) per iteration, reporting the HTTP round trips
// it cost: the baseline the provider's shell reuse is measured against.
func BenchmarkRunCommand(b *testing.B) {
	for _, tc := range []struct {
		name string
		ntlm bool
	}{{"basic", false}, {"ntlm", true}} {
		b.Run(tc.name, func(b *testing.B) {
			s, err := Start(b.Context(), Options{Runner: okRunner, AllowUnencrypted: true, AllowBasic: true,
				Users: map[string]string{testUser: testPass}})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			c := masterzenClient(b, s, testUser, testPass, tc.ntlm)
			s.ResetStats()
			b.ResetTimer()
			for range b.N {
				if code, err := c.RunWithContext(b.Context(), "ok.exe", io.Discard, io.Discard); err != nil || code != 0 {
					b.Fatalf("run: %d %v", code, err)
				}
			}
			b.StopTimer()
			st := s.Stats()
			b.ReportMetric(float64(st.Requests)/float64(b.N), "http/op")
		})
	}
}
