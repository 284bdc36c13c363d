package proc

import (
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// One agent round trip through the pipes: encode, frame, decode, Handle,
// encode, one stdout chunk.
func BenchmarkAgentRoundTrip(b *testing.B) {
	e, _ := newEmulator()
	p := startAgent(b, e)
	req := request(b, 1, hostapi.OpHostInfo, "")
	for b.Loop() {
		p.write(req)
		if r := p.nextResponse(); !r.OK {
			b.Fatal(r.Error)
		}
	}
}
