package winsim

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHTTP500FaultLooksLikeARealInternalError(t *testing.T) {
	f := &Faults{}
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Faults: f})
	c := newRawClient(t, s)
	f.HTTP500NextN(2, "Create")
	for range 2 {
		status, root, _ := c.post(soapRequest(actCreate, "", "PT5S", "", createBody()))
		if status != 500 || faultCode(root) != "2147944126" ||
			find(root, nsSOAP, "Subcode").child(nsSOAP, "Value").text() != "w:InternalError" {
			t.Fatalf("HTTP %d code %q", status, faultCode(root))
		}
	}
	c.createShell() // the third one goes through
	if st := s.Stats(); st.Shells != 1 || st.Injected != 2 || st.Faults != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultsOnlyHitTheirAction(t *testing.T) {
	f := &Faults{}
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Faults: f, Runner: upperRunner})
	c := newRawClient(t, s)
	f.HTTP500NextN(1, "Receive")
	sh := c.createShell()
	id := c.startCommand(sh, "upper.exe")
	if f.Pending() != 1 {
		t.Fatalf("a Receive fault fired on Create or Command")
	}
	status, _, _ := c.post(soapRequest(actReceive, sh, "PT5S", "", receiveBody(id)))
	if status != 500 || f.Pending() != 0 {
		t.Fatalf("Receive: HTTP %d pending %d", status, f.Pending())
	}
}

// rawPost sends a request and returns the transport error, if any.
func rawPost(t *testing.T, s *Server, body string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(body))
	req.Header.Set("Content-Type", soapContentType)
	req.SetBasicAuth(testUser, testPass)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp, raw, err
}

func TestReplyFaultsHappenAfterTheActionRan(t *testing.T) {
	f := &Faults{}
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Faults: f, Runner: upperRunner})
	c := newRawClient(t, s)
	sh := c.createShell()

	f.DropReplyNextN(1, "Command")
	if _, _, err := rawPost(t, s, soapRequest(actCommand, sh, "PT5S", "", commandBody("upper.exe"))); err == nil {
		t.Fatal("dropped reply: no client error")
	}
	f.TruncateNextN(1, "Command")
	if _, _, err := rawPost(t, s, soapRequest(actCommand, sh, "PT5S", "", commandBody("upper.exe"))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated reply: err = %v, want unexpected EOF", err)
	}
	f.MalformedNextN(1, "Command")
	resp, raw, err := rawPost(t, s, soapRequest(actCommand, sh, "PT5S", "", commandBody("upper.exe")))
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != soapContentType {
		t.Fatalf("malformed reply: %v %v", resp, err)
	}
	if _, err := parseXML(raw); err == nil {
		t.Fatalf("malformed reply parses: %s", raw)
	}
	// All three commands ran: the failure was on the way back.
	if st := s.Stats(); st.Commands != 3 || st.Injected != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSlowReplyAndLatency(t *testing.T) {
	f := &Faults{}
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Faults: f,
		Latency: Latency{RTT: 20 * time.Millisecond, ShellCreate: 40 * time.Millisecond}})
	c := newRawClient(t, s)
	start := time.Now()
	c.createShell()
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("Create took %v, want at least RTT+ShellCreate = 60ms", d)
	}
	f.SetSlowReply(100 * time.Millisecond)
	start = time.Now()
	c.createShell()
	if d := time.Since(start); d < 160*time.Millisecond {
		t.Fatalf("slow Create took %v, want at least 160ms", d)
	}
	f.Clear()
	if f.SlowReply() != 0 {
		t.Fatal("Clear left the reply delay on")
	}
}

func TestWireTapSeesBothDirections(t *testing.T) {
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Runner: upperRunner})
	var (
		mu   sync.Mutex
		seen = map[string][][]byte{}
	)
	s.SetWireTap(func(dir string, body []byte) {
		mu.Lock()
		seen[dir] = append(seen[dir], bytes.Clone(body))
		mu.Unlock()
	})
	c := newRawClient(t, s)
	hostile := `'"$(whoami)` + "`]]>\r\n\u00e9\u2019"
	sh := c.createShell()
	id := c.startCommand(sh, "upper.exe")
	c.post(soapRequest(actSend, sh, "", "", sendBody(id, []byte(hostile), true)))
	s.SetWireTap(nil)
	c.createShell()

	mu.Lock()
	defer mu.Unlock()
	if len(seen["request"]) != 3 || len(seen["response"]) != 3 {
		t.Fatalf("tap saw %d requests and %d responses, want 3 each", len(seen["request"]), len(seen["response"]))
	}
	// User data travels base64-encoded: its bytes never appear raw on the wire.
	for _, b := range seen["request"] {
		if bytes.Contains(b, []byte("$(whoami)")) {
			t.Fatal("stdin crossed the wire unencoded")
		}
	}
}
