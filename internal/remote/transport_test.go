package remote

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// A server that offers only Basic makes the pinned go-ntlmssp Negotiator
// retry with Basic credentials. Over plain HTTP that would put the password
// on the wire; the client must refuse before sending it.
func TestNTLMNeverFallsBackToBasicOverHTTP(t *testing.T) {
	var requests, basic atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") {
			basic.Add(1)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="WSMAN"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	cfg := validConfig()
	cfg.Host, cfg.HTTPS = host, false
	cfg.Port, _ = strconv.Atoi(port)

	cnt := &counters{}
	wc, tr, err := newWinRMClient(cfg, cnt, &logSink{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = openShell(cfg, wc, tr)
	if err == nil {
		t.Fatal("openShell succeeded against a Basic-only server")
	}
	e := asError(cfg.Host, "", err, &redactor{})
	if e.Kind != protocol.AccessDenied || !strings.Contains(e.Message, "could not open a shell") || !strings.Contains(e.Message, "in the clear") {
		t.Errorf("error = %v, want access_denied explaining the refused Basic fallback", e)
	}
	if basic.Load() != 0 {
		t.Errorf("the server received %d Basic credentials over plain HTTP", basic.Load())
	}
	if got, want := cnt.roundTrips.Load(), requests.Load(); got != want {
		t.Errorf("counted %d round trips, server saw %d requests", got, want)
	}
}
