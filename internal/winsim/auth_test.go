package winsim

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	azure "github.com/Azure/go-ntlmssp"
)

// ntlmConn is one client TCP connection (its own http.Transport).
type ntlmConn struct {
	t   *testing.T
	url string
	rt  *http.Transport
}

func newNTLMConn(t *testing.T, s *Server) *ntlmConn {
	rt := &http.Transport{MaxConnsPerHost: 1}
	t.Cleanup(rt.CloseIdleConnections)
	return &ntlmConn{t: t, url: s.URL(), rt: rt}
}

// post sends a Create with the given Authorization header.
func (c *ntlmConn) post(auth string) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(soapRequest(actCreate, "", "PT5S", "", createBody())))
	req.Header.Set("Content-Type", soapContentType)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		c.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body) // drained so the connection, and its NTLM logon, is reused
	resp.Body.Close()
	return resp
}

func (c *ntlmConn) negotiate() []byte {
	c.t.Helper()
	neg, _ := azure.NewNegotiateMessage("", "")
	resp := c.post("Negotiate " + base64.StdEncoding.EncodeToString(neg))
	h := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(h, "Negotiate ") {
		c.t.Fatalf("NEGOTIATE: %d %q", resp.StatusCode, h)
	}
	chal, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Negotiate "))
	if err != nil {
		c.t.Fatal(err)
	}
	return chal
}

func authenticateHeader(t *testing.T, chal []byte, user, pass string) string {
	auth, err := azure.ProcessChallenge(chal, user, pass, true)
	if err != nil {
		t.Fatal(err)
	}
	return "Negotiate " + base64.StdEncoding.EncodeToString(auth)
}

// HTTP.sys keeps an NTLM logon, and a handshake in progress, on the TCP
// connection; this server must too, or clients that only work against it
// would fail against Windows.
func TestNTLMLogonIsBoundToTheConnection(t *testing.T) {
	s := startServer(t, Options{AllowUnencrypted: true})
	a, b := newNTLMConn(t, s), newNTLMConn(t, s)

	if r := a.post(""); r.StatusCode != 401 || r.Header.Get("WWW-Authenticate") != "Negotiate" {
		t.Fatalf("anonymous: %d %v", r.StatusCode, r.Header["Www-Authenticate"])
	}
	chal := a.negotiate()
	if r := b.post(authenticateHeader(t, chal, testUser, testPass)); r.StatusCode != 401 {
		t.Fatalf("AUTHENTICATE on another connection: %d, want 401", r.StatusCode)
	}

	chal = a.negotiate()
	if r := a.post(authenticateHeader(t, chal, testUser, testPass)); r.StatusCode != 200 {
		t.Fatalf("AUTHENTICATE on the same connection: %d", r.StatusCode)
	}
	if r := a.post(""); r.StatusCode != 200 {
		t.Fatalf("anonymous request on the logged-on connection: %d, want 200", r.StatusCode)
	}
	if r := b.post(""); r.StatusCode != 401 {
		t.Fatalf("anonymous request on another connection: %d, want 401", r.StatusCode)
	}
	if st := s.Stats(); st.Shells != 2 || st.AuthFailures != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestAccountNamesWindowsAccepts(t *testing.T) {
	s := startServer(t, Options{AllowUnencrypted: true, AllowBasic: true, ComputerName: "WEB01"})
	for name, ok := range map[string]bool{
		"vagrant": true, "VAGRANT": true, `.\vagrant`: true, `WEB01\vagrant`: true, `web01\Vagrant`: true,
		"vagrant@WEB01": true, `OTHER\vagrant`: false, "nobody": false,
	} {
		c := newRawClient(t, s)
		c.user = name
		req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(soapRequest(actCreate, "", "PT5S", "", createBody())))
		req.Header.Set("Content-Type", soapContentType)
		req.SetBasicAuth(name, testPass)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.StatusCode == 200; got != ok {
			t.Errorf("Basic as %q: HTTP %d", name, resp.StatusCode)
		}
	}
}

func TestBasicIsRefusedUnlessAllowed(t *testing.T) {
	s := startServer(t, Options{AllowUnencrypted: true})
	c := newRawClient(t, s)
	req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(soapRequest(actCreate, "", "PT5S", "", createBody())))
	req.Header.Set("Content-Type", soapContentType)
	req.SetBasicAuth(testUser, testPass)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	offers := strings.Join(resp.Header.Values("WWW-Authenticate"), ",")
	if resp.StatusCode != 401 || strings.Contains(offers, "Basic") {
		t.Fatalf("HTTP %d offering %q: Basic must be refused and not offered", resp.StatusCode, offers)
	}
}

// Passwords never reach the log, whatever happens.
func TestPasswordsNeverReachTheLog(t *testing.T) {
	var (
		mu     sync.Mutex
		logged strings.Builder
	)
	s, err := Start(t.Context(), Options{AllowBasic: true, AllowUnencrypted: true, Users: map[string]string{testUser: testPass},
		Logf: func(f string, a ...any) {
			mu.Lock()
			fmt.Fprintf(&logged, f+"\n", a...)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := newRawClient(t, s)
	c.createShell()
	c.pass = "wrong-" + testPass
	c.post(soapRequest(actCreate, "", "PT5S", "", createBody()))
	s.Close()
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logged.String(), "401") {
		t.Fatalf("the refused logon was not logged at all:\n%s", logged.String())
	}
	if strings.Contains(strings.ToLower(logged.String()), strings.ToLower(testPass)) {
		t.Fatal("a password reached the log")
	}
}
