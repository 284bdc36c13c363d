package remote

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// counters are shared by every masterzen client of one remote Client.
type counters struct {
	roundTrips       atomic.Int64
	powerShellStarts atomic.Int64
	ops              atomic.Int64
	sessionsOpened   atomic.Int64
}

// newWinRMClient builds one masterzen client: its own endpoint, its own copy
// of the parameters (winrm.DefaultParameters is a shared pointer, and
// changing it would leak settings into every other client in the process),
// and a transport for the configured auth, wrapped so that every reply is
// checked for faults and every HTTP request is counted.
//
// Each agent session gets its own client: masterzen's http.Transport keeps
// at most two idle connections per host, exactly what one session uses (a
// long-poll Receive and a Send), so sessions sharing one client would keep
// opening fresh connections and paying the NTLM handshake again.
func newWinRMClient(cfg Config, cnt *counters, log *logSink) (*winrm.Client, *transport, error) {
	ep := winrm.NewEndpoint(cfg.Host, cfg.port(), cfg.HTTPS, cfg.Insecure,
		cfg.CACert, cfg.ClientCert, cfg.ClientKey, cfg.httpTimeout())
	ep.TLSServerName = cfg.TLSServerName

	params := *winrm.DefaultParameters
	params.Timeout = fmt.Sprintf("PT%dS", int(cfg.operationTimeout()/time.Second))
	// masterzen calls the decorator exactly once, inside the constructor.
	var tr *transport
	params.TransportDecorator = func() winrm.Transporter {
		tr = newTransport(cfg, cnt, log)
		return tr
	}
	c, err := winrm.NewClientWithParameters(ep, cfg.Username, cfg.Password, &params)
	if err != nil {
		return nil, nil, newKindError(protocol.InvalidArgument, err, "configure WinRM client: %v", err)
	}
	return c, tr, nil
}

// transport wraps one of masterzen's transports. It is the only place that
// sees every request and every reply, so it fixes the snapshot's quirks
// there: masterzen's Post returns HTTP 500 fault bodies as successful
// replies, which leaves CreateShell with an empty shell id and makes the
// Receive loop spin on a fault it never recognises.
type transport struct {
	inner      winrm.Transporter
	countPosts bool // true when the inner transport offers no per-request hook
	cfg        Config
	cnt        *counters
	log        *logSink
	// lastErr is the most recent failure, because masterzen's stdin writer
	// drops the cause and reports only io.ErrShortWrite.
	lastErr atomic.Pointer[error]
	// authOK is set once a request has been accepted: a later 401 is then
	// a lost NTLM handshake, not wrong credentials.
	authOK atomic.Bool
	// fastTimeouts counts Receive timeout faults in a row that came back
	// far sooner than the operation timeout asked for.
	fastTimeouts atomic.Int32
}

// maxFastTimeouts bounds masterzen's Receive loop, which polls again at once
// after every timeout fault: a server that answers each Receive with an
// immediate timeout would otherwise be polled thousands of times a second.
const maxFastTimeouts = 20

// maxAuthRetries bounds resending a request refused with 401 after the
// credentials have worked; never applied before, so a wrong password is
// tried once and cannot lock the account out.
const maxAuthRetries = 3

func newTransport(cfg Config, cnt *counters, log *logSink) *transport {
	t := &transport{cfg: cfg, cnt: cnt, log: log}
	switch cfg.auth() {
	case AuthBasic:
		t.inner = winrm.NewClientWithProxyFunc(t.beforeRequest)
	case AuthNTLM:
		if !cfg.HTTPS && !cfg.AllowUnencryptedHTTP {
			// Over plain HTTP every message is sealed: the host's default
			// AllowUnencrypted=false refuses anything else, and a host that
			// allows it would see the commands and their output in clear.
			t.inner = newSealingTransport(cfg, func() { cnt.roundTrips.Add(1) })
			break
		}
		t.inner = winrm.NewClientNTLMWithProxyFunc(t.beforeRequest)
	case AuthKerberos:
		proto := "http"
		if cfg.HTTPS {
			proto = "https"
		}
		// Kerberos authenticates each request up front (no 401 dance), so
		// one Post is one HTTP request. Validate has resolved the logon;
		// an error here would have stopped the client being built.
		t.countPosts = true
		l, _ := cfg.ResolveKerberos()
		t.inner = winrm.NewClientKerberos(&winrm.Settings{
			WinRMUsername: l.User,
			WinRMPassword: cfg.Password,
			WinRMHost:     cfg.Host,
			WinRMPort:     cfg.port(),
			WinRMProto:    proto,
			WinRMInsecure: cfg.Insecure,
			KrbRealm:      l.Realm,
			KrbConfig:     cfg.kerberosConfig(),
			KrbSpn:        l.SPN,
			KrbCCache:     cfg.KerberosCCache,
		})
	case AuthCertificate:
		t.countPosts = true
		t.inner = &winrm.ClientAuthRequest{}
	}
	return t
}

// beforeRequest runs as the http.Transport's Proxy function, which net/http
// calls once for every HTTP request it sends, including each leg of the
// NTLM handshake that masterzen's Negotiator performs under one Post. It is
// the only per-request hook masterzen exposes for its own transports, so it
// does the counting, and it refuses a Basic header over plain HTTP: the
// pinned go-ntlmssp Negotiator silently falls back to Basic when a server
// does not offer NTLM, which would send the password in the clear.
func (t *transport) beforeRequest(req *http.Request) (*url.URL, error) {
	if req.URL.Scheme == "http" && !t.cfg.AllowBasicOverHTTP &&
		strings.HasPrefix(strings.ToLower(req.Header.Get("Authorization")), "basic ") {
		return nil, errBasicDowngrade
	}
	t.cnt.roundTrips.Add(1)
	return http.ProxyFromEnvironment(req)
}

var errBasicDowngrade = newKindError(protocol.AccessDenied, nil,
	"the server offered only Basic authentication over plain HTTP; refusing to send the password in the clear (use https, or enable NTLM on the WinRM service)")

func (t *transport) Transport(ep *winrm.Endpoint) error {
	return t.inner.Transport(ep)
}

func (t *transport) Post(c *winrm.Client, msg *soap.SoapMessage) (string, error) {
	action := soapAction(msg)
	start := time.Now()
	body, err := t.inner.Post(c, msg)
	if t.countPosts {
		t.cnt.roundTrips.Add(1)
	}
	for retry := 1; retry <= maxAuthRetries && t.lostHandshake(err); retry++ {
		// NTLM authenticates a TCP connection, but go-ntlmssp sends the
		// legs of its handshake as separate requests through a shared
		// http.Transport, which may put them on different connections when
		// other requests run at the same time; the server then refuses the
		// last leg. Credentials that worked before are not the problem, and
		// a 401 means the request was not processed, so sending it again is
		// safe for every action.
		t.log.debug("winrm request retried after 401", map[string]any{"action": action, "retry": retry})
		body, err = t.inner.Post(c, msg)
		if t.countPosts {
			t.cnt.roundTrips.Add(1)
		}
	}
	if err == nil {
		t.authOK.Store(true)
	}
	body, err = t.check(action, body, err)
	if err == nil && action == "Receive" {
		err = t.guardPolling(body, time.Since(start))
	}
	if err != nil {
		t.lastErr.Store(&err)
	}
	t.log.debug("winrm request", map[string]any{
		"action": action, "duration_ms": time.Since(start).Milliseconds(), "failed": err != nil,
	})
	return body, err
}

// lostHandshake reports a 401 that only NTLM's connection-bound handshake
// explains: credentials that worked before on this transport. Other auth
// methods send their credentials whole with every request, so there a 401
// is a real refusal, and resending could lock the account out.
func (t *transport) lostHandshake(err error) bool {
	return err != nil && t.cfg.auth() == AuthNTLM && t.authOK.Load() &&
		httpStatus(err) == http.StatusUnauthorized
}

// check turns what masterzen returned into either a usable body or an
// error that says what went wrong in the user's terms.
func (t *transport) check(action, body string, err error) (string, error) {
	if err != nil {
		return "", t.classify(action, err)
	}
	if strings.TrimSpace(body) == "" {
		return "", newKindError(protocol.Unavailable, nil, "%s: the server sent an empty reply", action)
	}
	if f := parseFault(body); f != nil {
		if action == "Receive" && f.isOperationTimeout() {
			// masterzen's Receive loop expects this body and polls again.
			return body, nil
		}
		return "", f.asError(action)
	}
	return body, nil
}

func (t *transport) guardPolling(body string, took time.Duration) error {
	f := parseFault(body)
	if f == nil || !f.isOperationTimeout() || took >= t.cfg.operationTimeout()/4 {
		t.fastTimeouts.Store(0)
		return nil
	}
	if t.fastTimeouts.Add(1) < maxFastTimeouts {
		return nil
	}
	return newKindError(protocol.Unavailable, nil,
		"Receive: the server ended %d polls in a row at once with a timeout fault (asked to wait %s); giving up rather than polling in a tight loop",
		maxFastTimeouts, t.cfg.operationTimeout())
}

// describe returns the most informative error for a failure that came
// back through masterzen.
func (t *transport) describe(err error) error {
	if errors.Is(err, io.ErrShortWrite) {
		if last := t.lastErr.Load(); last != nil {
			return *last
		}
	}
	return err
}

// masterzen reports HTTP statuses only inside error text, in one of these
// shapes depending on the transport and the reply's Content-Type.
var statusRE = regexp.MustCompile(`(?:http response error: |http error |request returned: )(\d{3})\b`)

func httpStatus(err error) int {
	m := statusRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func (t *transport) classify(action string, err error) error {
	if errors.Is(err, errBasicDowngrade) {
		return errBasicDowngrade
	}
	if errors.Is(err, errPlaintext) {
		return errPlaintext
	}
	if t.cfg.auth() == AuthKerberos {
		if kerr := t.classifyKerberos(err); kerr != nil {
			return kerr
		}
	}
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var verifyErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &hostErr):
		return newKindError(protocol.Unavailable, err,
			"TLS: the server certificate is not valid for %q (%v); set tls_server_name to a name the certificate carries, or connect by that name", t.cfg.Host, hostErr)
	case errors.As(err, &authErr), errors.As(err, &verifyErr):
		return newKindError(protocol.Unavailable, err,
			"TLS: cannot verify the server certificate (%v); pass the CA certificate that signed it as ca_cert (PEM), or, for a test host only, set insecure = true", rootCause(err))
	}
	switch status := httpStatus(err); {
	case status == http.StatusUnauthorized && t.cfg.auth() == AuthKerberos:
		l, _ := t.cfg.ResolveKerberos()
		spn := l.SPN
		if spn == "" {
			spn = "HTTP/" + t.cfg.Host
		}
		return newKindError(protocol.AccessDenied, ErrKerberos,
			"the host refused the Kerberos ticket for %s (HTTP 401): check that the host holds the key of that SPN "+
				"(set kerberos_spn to the name it is registered under), that its clock is within 5 minutes of the KDC's, "+
				"that the user may use WinRM, and over plain HTTP that it allows unencrypted traffic (AllowUnencrypted)", spn)
	case status == http.StatusUnauthorized:
		user := t.cfg.Username
		if t.cfg.auth() == AuthCertificate {
			user = "(client certificate)"
		}
		hint := ""
		if !t.cfg.HTTPS && (t.cfg.auth() != AuthNTLM || t.cfg.AllowUnencryptedHTTP) {
			// WinRM also answers 401 to plaintext requests it refuses;
			// sealed NTLM messages are never refused for that.
			hint = ", and that it allows unencrypted traffic over plain HTTP (AllowUnencrypted), or use https"
		}
		return newKindError(protocol.AccessDenied, err,
			"authentication failed for user %q with %s auth (HTTP 401): check the username and password, that the WinRM service accepts %s%s",
			user, t.cfg.auth(), t.cfg.auth(), hint)
	case status != 0:
		return newKindError(protocol.Unavailable, err, "%s: WinRM answered HTTP %d", action, status)
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return newKindError(protocol.Unavailable, err, "%s: cannot reach WinRM at %s: %v",
			action, net.JoinHostPort(t.cfg.Host, strconv.Itoa(t.cfg.port())), rootCause(err))
	}
	return newKindError(protocol.Unavailable, err, "%s: %v", action, err)
}

// rootCause strips the "unknown error Post \"https://...\":" wrappers that
// net/http and masterzen add, leaving the reason a user can act on.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// soapAction extracts the last segment of the WS-Addressing Action from a
// request masterzen built ("Create", "Command", "Send", "Receive", ...).
// The header builder keeps the action private, so it is read back from the
// serialised envelope; the header comes first, so the search is short.
func soapAction(msg *soap.SoapMessage) string {
	s := msg.String()
	i := strings.Index(s, "Action")
	if i < 0 {
		return "request"
	}
	s = s[i:]
	open := strings.IndexByte(s, '>')
	end := strings.IndexByte(s, '<')
	if open < 0 || end < open {
		return "request"
	}
	uri := strings.TrimSpace(s[open+1 : end])
	if j := strings.LastIndexByte(uri, '/'); j >= 0 {
		uri = uri[j+1:]
	}
	if uri == "" {
		return "request"
	}
	return uri
}
