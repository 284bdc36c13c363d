package remote_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// TestNTLMOverHTTPIsSealed runs calls against a host with Windows' default
// AllowUnencrypted=false over plain HTTP and reads every body the host
// received and sent: no SOAP, command or output may be readable there.
func TestNTLMOverHTTPIsSealed(t *testing.T) {
	t.Parallel()
	h := host.New(host.Options{ComputerName: "WEB01"})
	srv := startSim(t, winsim.Options{ComputerName: "WEB01", Runner: proc.New(h, proc.Options{})})
	var (
		mu     sync.Mutex
		bodies [][]byte
	)
	srv.SetWireTap(func(_ string, body []byte) {
		mu.Lock()
		bodies = append(bodies, bytes.Clone(body))
		mu.Unlock()
	})
	cfg := configFor(srv, remote.AuthNTLM)
	if cfg.HTTPS {
		t.Fatal("the simulator listens on HTTPS; this test is about plain HTTP")
	}
	_, c := newClient(t, cfg)
	ctx := callCtx(t)
	for range 2 {
		var info hostapi.HostInfo
		if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil {
			t.Fatalf("host.info over sealed HTTP: %v", err)
		}
		if info.ComputerName != "WEB01" {
			t.Fatalf("host.info = %+v", info)
		}
	}
	if st := srv.Stats(); st.UnencryptedRejected != 0 || st.ByAction["Command"] != 1 {
		t.Errorf("server stats %+v: want no clear-text request and one agent", st)
	}

	mu.Lock()
	defer mu.Unlock()
	sealed := 0
	for _, b := range bodies {
		for _, clear := range []string{"Envelope", "powershell", "WEB01", "http://schemas"} {
			if bytes.Contains(b, []byte(clear)) {
				t.Errorf("%q readable on the wire in:\n%.300q", clear, b)
			}
		}
		if bytes.HasPrefix(b, []byte("--Encrypted Boundary\r\n")) {
			sealed++
		}
	}
	// Requests and replies of Create, Command, Send and Receive at least.
	if sealed < 8 {
		t.Errorf("only %d sealed bodies among %d on the wire", sealed, len(bodies))
	}
}
