package provider

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/aim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// faultyHost is a simulated host whose network and processes tests break
// on purpose: winsim's fault model for the WinRM exchanges, and a runner
// that can kill the agent at a chosen moment.
type faultyHost struct {
	*testHost
	faults *winsim.Faults
	agent  *dyingRunner
}

// newFaultyHost starts one; tune may change the server's options (quotas,
// latency) before it starts.
func newFaultyHost(t *testing.T, tune func(*winsim.Options)) *faultyHost {
	t.Helper()
	h := host.New(host.Options{ComputerName: simComputer})
	faults := &winsim.Faults{}
	agent := &dyingRunner{inner: proc.New(h, proc.Options{})}
	o := winsim.Options{
		Users:            map[string]string{simUser: simPassword},
		AllowUnencrypted: true,
		Runner:           agent,
		ComputerName:     simComputer,
		Faults:           faults,
		Logf:             t.Logf,
	}
	if tune != nil {
		tune(&o)
	}
	srv, err := winsim.Start(t.Context(), o)
	if err != nil {
		t.Fatalf("start simulated host: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return &faultyHost{
		testHost: &testHost{
			Host: srv.Host(), Port: srv.Port(), Auth: "ntlm", Username: simUser, Password: simPassword,
			ComputerName: simComputer, IISVersion: "10.0", sim: srv, host: h,
		},
		faults: faults,
		agent:  agent,
	}
}

// applied is how many times the host ran op.
func (h *faultyHost) applied(op string) uint64 { return h.host.Stats().ByOp[op] }

// dyingRunner runs the simulated processes, and kills the agent process
// whose next stdout write matches an armed predicate: the change is made
// on the host, and the process dies before its answer leaves, as when
// wsmprovhost crashes or an administrator ends it.
type dyingRunner struct {
	inner proc.Runner

	mu     sync.Mutex
	marker string // the response to die on holds it in its result; "": none armed
	kills  int
}

// killWhenAnswering arms one kill: the agent dies instead of writing the
// first successful response whose result contains marker.
func (d *dyingRunner) killWhenAnswering(marker string) {
	d.mu.Lock()
	d.marker = marker
	d.mu.Unlock()
}

func (d *dyingRunner) killed() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.kills
}

// take reports whether chunk is the answer to die on, disarming.
func (d *dyingRunner) take(chunk []byte) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.marker == "" || !aim.HasResponse(chunk, d.marker) {
		return false
	}
	d.marker = ""
	d.kills++
	return true
}

func (d *dyingRunner) Run(ctx context.Context, c proc.Command) int {
	ctx, kill := context.WithCancel(ctx)
	defer kill()
	c.Stdout = &dyingWriter{w: c.Stdout, d: d, kill: kill}
	return d.inner.Run(ctx, c)
}

type dyingWriter struct {
	w    interface{ Write([]byte) (int, error) }
	d    *dyingRunner
	kill context.CancelFunc

	mu   sync.Mutex
	dead bool
}

var errProcessKilled = errors.New("the process was killed")

func (w *dyingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead {
		return 0, errProcessKilled
	}
	if w.d.take(p) {
		w.dead = true
		w.kill()
		return 0, errProcessKilled
	}
	return w.w.Write(p)
}
