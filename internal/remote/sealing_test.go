package remote

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// A server that never runs the NTLM handshake (a middlebox answering 200,
// or a host that stopped offering Negotiate) leaves no security context to
// seal with: the client must fail without a SOAP body ever leaving, where
// masterzen's Encryption would fall back to clear-text ClientNTLM.
func TestSealingNeverFallsBackToClearText(t *testing.T) {
	for name, handler := range map[string]http.HandlerFunc{
		"200 without a handshake": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
		},
		"401 without a challenge": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", "Negotiate")
			w.WriteHeader(http.StatusUnauthorized)
		},
	} {
		t.Run(name, func(t *testing.T) {
			var requests, withBody atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				if r.ContentLength != 0 {
					withBody.Add(1)
				}
				handler(w, r)
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
			if _, _, err = openShell(cfg, wc, tr); err == nil {
				t.Fatal("openShell succeeded with no security context")
			}
			if withBody.Load() != 0 {
				t.Errorf("%d requests with a body reached a server that never sealed", withBody.Load())
			}
			if got, want := cnt.roundTrips.Load(), requests.Load(); got != want || got == 0 {
				t.Errorf("counted %d round trips, server saw %d requests", got, want)
			}
		})
	}
}

// The guard is the last check before the wire, whatever the code above it
// does: a SOAP body that is not multipart/encrypted never leaves.
func TestPlaintextGuardStopsClearSOAP(t *testing.T) {
	var reached atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer srv.Close()
	var counted int
	g := &plaintextGuard{next: http.DefaultTransport, count: func() { counted++ }}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("<s:Envelope/>"))
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if _, err := g.RoundTrip(req); !errors.Is(err, errPlaintext) {
		t.Fatalf("err = %v, want errPlaintext", err)
	}
	if reached.Load() != 0 || counted != 0 {
		t.Fatalf("clear SOAP reached the server (%d) or was counted (%d)", reached.Load(), counted)
	}
	empty, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	resp, err := g.RoundTrip(empty)
	if err != nil {
		t.Fatalf("empty logon request refused: %v", err)
	}
	resp.Body.Close()
	if reached.Load() != 1 || counted != 1 {
		t.Fatalf("empty request: reached %d, counted %d", reached.Load(), counted)
	}
}
