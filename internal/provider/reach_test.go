package provider

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
)

func reachClient(t *testing.T, host string, port int) *remote.Client {
	t.Helper()
	pool := remote.NewPool(nil)
	t.Cleanup(func() { pool.Close() })
	c, err := pool.Client(remote.Config{
		Host: host, Port: port, Username: "u", Password: "p",
		Scripts: remote.Scripts{CommandLine: hostscript.CommandLine(), AgentLine: hostscript.AgentLine()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A dead host costs the connect wait once per run: every later operation
// on it fails at once, with the same error.
func TestReachabilityRemembersADeadHost(t *testing.T) {
	t.Parallel()
	s, err := winsim.ListenSilent("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := reachClient(t, s.Host(), s.Port())
	var r reachability
	start := time.Now()
	first := r.check(t.Context(), c, 300*time.Millisecond)
	if !remote.IsKind(first, protocol.Unavailable) || time.Since(start) < 250*time.Millisecond {
		t.Fatalf("first check = %v after %s, want unavailable after the 300ms wait", first, time.Since(start))
	}
	start = time.Now()
	again := r.check(t.Context(), c, 300*time.Millisecond)
	if again == nil || again.Error() != first.Error() || time.Since(start) > 100*time.Millisecond {
		t.Errorf("second check = %v after %s, want the first error at once", again, time.Since(start))
	}
}

// A check the caller cancelled says nothing about the host, so it is not
// remembered: the next operation finds the host up.
func TestReachabilityForgetsACancelledCheck(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	c := reachClient(t, "127.0.0.1", ln.Addr().(*net.TCPAddr).Port)
	var r reachability
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := r.check(ctx, c, time.Second); err == nil {
		t.Fatal("a cancelled check passed")
	}
	if err := r.check(t.Context(), c, time.Second); err != nil {
		t.Errorf("after a cancelled check the host reads as %v", err)
	}
}
