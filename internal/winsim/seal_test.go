package winsim

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bodgit/ntlmssp"
	"github.com/masterzen/winrm"
)

// sealingClient is masterzen's Encryption transport, what a client uses
// against a host with AllowUnencrypted=false over HTTP.
func sealingClient(t *testing.T, s *Server) *winrm.Client {
	t.Helper()
	ep := winrm.NewEndpoint(s.Host(), s.Port(), false, false, nil, nil, nil, 20*time.Second)
	p := *winrm.DefaultParameters
	p.Timeout = "PT15S"
	p.TransportDecorator = func() winrm.Transporter {
		e, err := winrm.NewEncryption("ntlm")
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	c, err := winrm.NewClientWithParameters(ep, testUser, testPass, &p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wireLog records every body the server reads and writes.
type wireLog struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (l *wireLog) tap(_ string, body []byte) {
	l.mu.Lock()
	l.bodies = append(l.bodies, append([]byte(nil), body...))
	l.mu.Unlock()
}

func (l *wireLog) contains(s string) (n int, found bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range l.bodies {
		if bytes.Contains(b, []byte(s)) {
			found = true
		}
	}
	return len(l.bodies), found
}

// masterzen's pinned Encryption transport seals its first message and the
// server runs it, with nothing readable on the wire. It builds a fresh NTLM
// client for every Post and logs on with an empty POST first; on a
// connection already logged on that POST is answered 200 without a
// handshake (HTTP.sys binds the logon to the connection), so its second
// message goes out framed but with no sealed bytes, and is refused rather
// than misread. internal/remote therefore seals with its own transport.
func TestMasterzenEncryptionSealsItsFirstMessage(t *testing.T) {
	s := startServer(t, Options{Runner: upperRunner})
	var wire wireLog
	s.SetWireTap(wire.tap)
	c := sealingClient(t, s)
	shell, err := c.CreateShell()
	if err != nil || shell == nil {
		t.Fatalf("sealed Create: shell %v, err %v", shell, err)
	}
	if n, found := wire.contains("Envelope"); n == 0 || found {
		t.Errorf("SOAP in clear text on the wire (%d bodies seen)", n)
	}
	if _, err := shell.ExecuteWithContext(t.Context(), "upper.exe"); err == nil {
		t.Fatal("a message with no sealed bytes was accepted")
	}
	if st := s.Stats(); st.UnencryptedRejected != 0 || st.Shells != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// rawSealed is one connection logged on by bodgit's NTLM client, sending
// bodies sealed and framed by hand, so tests can tamper with them.
type rawSealed struct {
	t    *testing.T
	url  string
	http *http.Client
	ntlm *ntlmssp.Client
	// lastBody is the body of the last reply.
	lastBody []byte
}

func newRawSealed(t *testing.T, s *Server) *rawSealed {
	t.Helper()
	tr := &http.Transport{MaxConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := ntlmssp.NewClient(ntlmssp.SetUserInfo(testUser, testPass), ntlmssp.SetDomain(""))
	if err != nil {
		t.Fatal(err)
	}
	r := &rawSealed{t: t, url: "http://" + s.Host() + ":" + strconv.Itoa(s.Port()) + "/wsman", http: &http.Client{Transport: tr}, ntlm: c}
	neg, _ := c.Authenticate(nil, nil)
	resp := r.post("Negotiate "+base64.StdEncoding.EncodeToString(neg), "", nil)
	_, chal, _ := strings.Cut(resp.Header.Get("WWW-Authenticate"), " ")
	raw, err := base64.StdEncoding.DecodeString(chal)
	if err != nil {
		t.Fatalf("challenge %q: %v", chal, err)
	}
	auth, err := c.Authenticate(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp := r.post("Negotiate "+base64.StdEncoding.EncodeToString(auth), "", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("logon: HTTP %d", resp.StatusCode)
	}
	return r
}

func (r *rawSealed) post(authz, contentType string, body []byte) *http.Response {
	r.t.Helper()
	req, _ := http.NewRequestWithContext(r.t.Context(), http.MethodPost, r.url, bytes.NewReader(body))
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	if contentType == "" {
		contentType = soapContentType
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := r.http.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	resp.Body.Close()
	resp.Body = nil
	r.lastBody = b.Bytes()
	return resp
}

// sealed frames msg as masterzen does; tamper may change the wire bytes.
func (r *rawSealed) sealed(msg []byte, tamper func(wire []byte)) *http.Response {
	sealedMsg, sig, err := r.ntlm.SecuritySession().Wrap(msg)
	if err != nil {
		r.t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString(sealBoundary + "\r\n\tContent-Type: " + sealProtocol + "\r\n")
	b.WriteString("\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + strconv.Itoa(len(msg)) + "\r\n")
	b.WriteString(sealBoundary + "\r\n" + sealOctetHeader)
	b.Write([]byte{16, 0, 0, 0})
	b.Write(sig)
	b.Write(sealedMsg)
	b.WriteString(sealBoundary + "--\r\n")
	wire := b.Bytes()
	if tamper != nil {
		tamper(wire)
	}
	return r.post("", sealContentType, wire)
}

func TestSealedReplyIsSealedAndFramedLikeWindows(t *testing.T) {
	s := startServer(t, Options{Runner: upperRunner})
	r := newRawSealed(t, s)
	for i := range 2 { // two messages: the sequence numbers must advance
		resp := r.sealed([]byte(soapRequest("http://schemas.xmlsoap.org/ws/2004/09/transfer/Create", "", "", "", createBody())), nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != sealContentType {
			t.Fatalf("message %d: HTTP %d, Content-Type %q", i, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		length, sig, sealedReply, err := parseSealed(r.lastBody)
		if err != nil {
			t.Fatalf("reply framing: %v", err)
		}
		reply, err := r.ntlm.SecuritySession().Unwrap(sealedReply, sig)
		if err != nil {
			t.Fatalf("bodgit rejects the sealed reply: %v", err)
		}
		if len(reply) != length || !bytes.Contains(reply, []byte("ResourceCreated")) {
			t.Fatalf("reply %d (Length=%d): %s", i, length, reply)
		}
	}
}

func TestTamperedSealedMessageIsRefusedAndEndsTheLogon(t *testing.T) {
	s := startServer(t, Options{Runner: upperRunner})
	r := newRawSealed(t, s)
	create := []byte(soapRequest("http://schemas.xmlsoap.org/ws/2004/09/transfer/Create", "", "", "", createBody()))
	resp := r.sealed(create, func(wire []byte) { wire[len(wire)-len(sealBoundary)-10] ^= 0x20 })
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("tampered message: HTTP %d, want 400", resp.StatusCode)
	}
	if resp := r.sealed(create, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after tampering: HTTP %d, want 401 (logon dropped)", resp.StatusCode)
	}
	if st := s.Stats(); st.Shells != 0 {
		t.Fatalf("a tampered message made a shell: %+v", st)
	}
}

func TestSealedBodyWithBasicIsRefused(t *testing.T) {
	s := startServer(t, Options{AllowBasic: true})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost,
		"http://"+s.Host()+":"+strconv.Itoa(s.Port())+"/wsman", strings.NewReader(sealBoundary+"\r\n"))
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("Content-Type", sealContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("HTTP %d, want 415: Basic has no keys to seal with", resp.StatusCode)
	}
}
