package remote

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bodgit/ntlmssp"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// sealingTransport sends every WinRM message NTLM-sealed over plain HTTP,
// what a host with the default AllowUnencrypted=false requires.
//
// masterzen's own Encryption transport (encryption.go in the pinned
// snapshot) is not used, for three reasons found by testing it against
// winsim: it builds a fresh NTLM client for every message and logs on with
// an empty POST first, which a connection already logged on answers 200
// without a handshake, so the second message on a connection goes out with
// no sealed bytes; when that logon POST fails for any reason it silently
// sends the message in clear text through ClientNTLM; and it uses a bare
// http.Client{} (http.DefaultTransport: no timeouts, no dial bound, and no
// hook to count or check what is sent). This transport keeps one NTLM
// security context per TCP connection instead, as pywinrm does, with the
// same library (bodgit/ntlmssp) and the same framing, and never sends a
// SOAP body that is not sealed.
type sealingTransport struct {
	cfg   Config
	count func()
	url   string

	mu   sync.Mutex
	idle []*sealedConn
}

// sealedConn is one TCP connection and the NTLM context logged on over it.
// The context's RC4 streams and sequence numbers run across messages, so a
// connection carries one message at a time and is never shared.
type sealedConn struct {
	tr     *http.Transport
	client *http.Client
	sess   *ntlmssp.SecuritySession
	reused bool
}

var errPlaintext = newKindError(protocol.AccessDenied, nil,
	"refusing to send a WinRM message in clear text over HTTP: NTLM message sealing did not take effect (use https, or check that the WinRM service allows NTLM)")

func newSealingTransport(cfg Config, count func()) *sealingTransport {
	return &sealingTransport{cfg: cfg, count: count}
}

func (t *sealingTransport) Transport(ep *winrm.Endpoint) error {
	t.url = "http://" + net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port)) + "/wsman"
	return nil
}

func (t *sealingTransport) Post(_ *winrm.Client, msg *soap.SoapMessage) (string, error) {
	body := []byte(msg.String())
	for {
		conn, err := t.get()
		if err != nil {
			return "", err
		}
		reply, status, err := conn.send(t, body)
		if err == nil {
			t.put(conn)
			return reply, nil
		}
		conn.close()
		// A kept-alive connection the server closed comes back as a fresh,
		// logged-off one: the 401 means the message was not run, so it is
		// sent again once on a new logon.
		if status == http.StatusUnauthorized && conn.reused {
			continue
		}
		return reply, err
	}
}

func (t *sealingTransport) get() (*sealedConn, error) {
	t.mu.Lock()
	if n := len(t.idle); n > 0 {
		c := t.idle[n-1]
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		c.reused = true
		return c, nil
	}
	t.mu.Unlock()
	return t.dial()
}

// maxIdleSealed matches what one agent session keeps busy: a long-polling
// Receive and a Send.
const maxIdleSealed = 2

func (t *sealingTransport) put(c *sealedConn) {
	t.mu.Lock()
	if len(t.idle) < maxIdleSealed {
		t.idle = append(t.idle, c)
		c = nil
	}
	t.mu.Unlock()
	if c != nil {
		c.close()
	}
}

func (c *sealedConn) close() { c.tr.CloseIdleConnections() }

// dial opens a connection and logs on over it with NTLM, asking for
// sealing, with empty POSTs: no SOAP body travels before the context exists.
func (t *sealingTransport) dial() (*sealedConn, error) {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ResponseHeaderTimeout: t.cfg.httpTimeout(),
		MaxConnsPerHost:       1,
		MaxIdleConnsPerHost:   1,
	}
	c := &sealedConn{tr: tr, client: &http.Client{Transport: &plaintextGuard{next: tr, count: t.count}}}
	user, domain := splitUser(t.cfg.Username)
	nc, err := ntlmssp.NewClient(ntlmssp.SetUserInfo(user, t.cfg.Password), ntlmssp.SetDomain(domain),
		ntlmssp.SetVersion(ntlmssp.DefaultVersion()))
	if err != nil {
		return nil, fmt.Errorf("NTLM client: %w", err)
	}
	negotiate, err := nc.Authenticate(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("NTLM negotiate: %w", err)
	}
	resp, _, err := c.post(t, "Negotiate "+base64.StdEncoding.EncodeToString(negotiate), "", nil)
	if err != nil {
		c.close()
		return nil, err
	}
	challenge, ok := negotiateToken(resp.Header)
	if resp.StatusCode == http.StatusUnauthorized && !ok && offersBasic(resp.Header) {
		c.close()
		return nil, errBasicDowngrade
	}
	if resp.StatusCode != http.StatusUnauthorized || !ok {
		c.close()
		return nil, fmt.Errorf("http error %d: the server did not answer the NTLM negotiate with a challenge", resp.StatusCode)
	}
	authenticate, err := nc.Authenticate(challenge, nil)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("NTLM challenge: %w", err)
	}
	resp, _, err = c.post(t, "Negotiate "+base64.StdEncoding.EncodeToString(authenticate), "", nil)
	if err != nil {
		c.close()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		c.close()
		return nil, fmt.Errorf("http error %d: NTLM logon refused", resp.StatusCode)
	}
	if c.sess = nc.SecuritySession(); c.sess == nil {
		c.close()
		return nil, errPlaintext
	}
	return c, nil
}

// send seals one message, posts it and unseals the reply. A reply that
// carries a fault (HTTP 500) is returned as a body, for the caller's fault
// parser; other statuses are errors in masterzen's "http error N" shape.
func (c *sealedConn) send(t *sealingTransport, msg []byte) (string, int, error) {
	sealed, sig, err := c.sess.Wrap(msg)
	if err != nil {
		return "", 0, fmt.Errorf("seal: %w", err)
	}
	// bodgit returns the clear text unchanged when the server did not
	// negotiate sealing; that must never reach the wire.
	if len(sig) != ntlmSigSize || bytes.Equal(sealed, msg) {
		return "", 0, errPlaintext
	}
	resp, reply, err := c.post(t, "", sealContentType, frameSealed(sig, sealed, len(msg)))
	if err != nil {
		return "", 0, err
	}
	if !strings.Contains(resp.Header.Get("Content-Type"), `protocol="`+sealProtocol+`"`) {
		if resp.StatusCode == http.StatusOK || len(reply) > 0 {
			return "", resp.StatusCode, newKindError(protocol.AccessDenied, nil,
				"the server answered a sealed message in clear text (HTTP %d); refusing the reply", resp.StatusCode)
		}
		return "", resp.StatusCode, fmt.Errorf("http error %d", resp.StatusCode)
	}
	length, rsig, rsealed, err := parseSealed(reply)
	if err != nil {
		return "", resp.StatusCode, err
	}
	clear, err := c.sess.Unwrap(rsealed, rsig)
	if err != nil {
		return "", resp.StatusCode, fmt.Errorf("unseal the reply: %w", err)
	}
	if len(clear) != length {
		return "", resp.StatusCode, fmt.Errorf("%w: Length=%d but %d bytes sealed", errSealFraming, length, len(clear))
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusInternalServerError {
		return "", resp.StatusCode, fmt.Errorf("http error %d: %s", resp.StatusCode, clear)
	}
	return string(clear), resp.StatusCode, nil
}

// post sends one request, bounded by the HTTP timeout masterzen's own
// transports use, and reads the whole reply.
func (c *sealedConn) post(t *sealingTransport, authz, contentType string, body []byte) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), t.cfg.httpTimeout()+15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("impossible to create http request %w", err)
	}
	if contentType == "" {
		contentType = "application/soap+xml;charset=UTF-8"
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "WinRM client")
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("unknown error %w", err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("unknown error %w", err)
	}
	return resp, reply, nil
}

// negotiateToken finds the NTLM CHALLENGE in a 401's WWW-Authenticate.
func negotiateToken(h http.Header) ([]byte, bool) {
	for _, v := range h.Values("WWW-Authenticate") {
		scheme, token, ok := strings.Cut(v, " ")
		if !ok || !strings.EqualFold(scheme, "Negotiate") {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
		return b, err == nil
	}
	return nil, false
}

func offersBasic(h http.Header) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		if scheme, _, _ := strings.Cut(v, " "); strings.EqualFold(scheme, "Basic") {
			return true
		}
	}
	return false
}

// splitUser splits "DOMAIN\user" and "user@domain" as masterzen does.
func splitUser(name string) (user, domain string) {
	if u, d, ok := strings.Cut(name, "@"); ok {
		return u, d
	}
	if d, u, ok := strings.Cut(name, `\`); ok {
		return u, d
	}
	return name, ""
}

// plaintextGuard is the last check before the wire: only empty logon
// requests and multipart/encrypted bodies may leave. It also counts every
// HTTP request, as the Proxy hook does for masterzen's own transports.
type plaintextGuard struct {
	next  http.RoundTripper
	count func()
}

func (g *plaintextGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.ContentLength != 0 && !strings.HasPrefix(strings.ToLower(req.Header.Get("Content-Type")), "multipart/encrypted") {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, errPlaintext
	}
	g.count()
	return g.next.RoundTrip(req)
}
