package winsim

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/ntlm"
)

// account is one entry of Options.Users.
type account struct {
	name     string // as configured, without any domain prefix; shown as Owner
	password string
}

// accounts resolves the names Windows accepts for a local account: "user",
// ".\user", "HOST\user" and "user@HOST", case-insensitively.
type accounts struct {
	computer string
	byName   map[string]account
}

func newAccounts(computer string, users map[string]string) accounts {
	a := accounts{computer: computer, byName: map[string]account{}}
	for name, pw := range users {
		if i := strings.LastIndexByte(name, '\\'); i >= 0 {
			name = name[i+1:]
		}
		a.byName[strings.ToLower(name)] = account{name: name, password: pw}
	}
	return a
}

// lookup finds the account for a user and domain sent separately (NTLM) or
// together (Basic, where domain is empty and user may carry it).
func (a accounts) lookup(user, domain string) (account, bool) {
	if domain == "" {
		if i := strings.IndexByte(user, '\\'); i >= 0 {
			domain, user = user[:i], user[i+1:]
		} else if i := strings.LastIndexByte(user, '@'); i >= 0 {
			user, domain = user[:i], user[i+1:]
		}
	}
	if domain != "" && domain != "." && !strings.EqualFold(domain, a.computer) {
		return account{}, false
	}
	acc, ok := a.byName[strings.ToLower(user)]
	return acc, ok
}

// connState is the authentication of one TCP connection. HTTP.sys binds an
// NTLM logon to the connection: later requests on it need no header, and
// clients (the Azure negotiator first tries anonymously) rely on that.
type connState struct {
	mu        sync.Mutex
	handshake *ntlm.Handshake
	user      string        // authenticated account, "" if none
	session   *ntlm.Session // key material for sealing, nil for Basic
	// sealer carries the RC4 streams and sequence numbers of the session's
	// message sealing from one request to the next; made on first use.
	sealer *ntlm.Sealer
}

type connKey struct{}

func withConnState(ctx context.Context) context.Context {
	return context.WithValue(ctx, connKey{}, &connState{})
}

func connStateOf(r *http.Request) *connState {
	if c, ok := r.Context().Value(connKey{}).(*connState); ok {
		return c
	}
	// Not served through our http.Server (a test calling ServeHTTP):
	// authentication then lasts one request.
	return &connState{}
}

// authResult is what authenticate decided.
type authResult struct {
	user    string
	session *ntlm.Session
	// challenge, when set, is the WWW-Authenticate value of a 401 that is a
	// step of the handshake rather than a refusal.
	challenge string
	// failed marks bad credentials (counted in Stats.AuthFailures).
	failed bool
}

var (
	errNoCredentials = errors.New("no credentials")
	// errChallenge is the middle round of NTLM: a 401 carrying the CHALLENGE.
	errChallenge = errors.New("NTLM challenge sent")
)

// authenticate checks the request's credentials against the accounts.
// It never logs or returns a password.
func (s *Server) authenticate(r *http.Request) (authResult, error) {
	conn := connStateOf(r)
	h := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)

	switch {
	case h == "":
		conn.mu.Lock()
		user, sess := conn.user, conn.session
		conn.mu.Unlock()
		if user != "" {
			return authResult{user: user, session: sess}, nil
		}
		return authResult{}, errNoCredentials

	case strings.EqualFold(scheme, "Basic"):
		if !s.opts.AllowBasic {
			return authResult{failed: true}, errors.New("authentication scheme Basic is disabled")
		}
		raw, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			return authResult{failed: true}, errors.New("token of scheme Basic is not base64")
		}
		user, pw, ok := strings.Cut(string(raw), ":")
		if !ok {
			return authResult{failed: true}, errors.New("token of scheme Basic has no colon")
		}
		acc, found := s.accounts.lookup(user, "")
		if !found || subtle.ConstantTimeCompare([]byte(acc.password), []byte(pw)) != 1 {
			return authResult{failed: true}, errors.New("Basic logon failure for " + user)
		}
		return authResult{user: acc.name}, nil

	case strings.EqualFold(scheme, "Negotiate") || strings.EqualFold(scheme, "NTLM"):
		msg, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			return authResult{failed: true}, errors.New("token of scheme Negotiate is not base64")
		}
		if _, err := ntlm.MessageType(msg); err != nil && !strings.EqualFold(scheme, "NTLM") {
			// Not NTLMSSP: SPNEGO with a Kerberos ticket, which a host in
			// a realm accepts and a workgroup host refuses.
			return s.kerberosStep(msg)
		}
		return s.ntlmStep(conn, scheme, msg)

	case strings.EqualFold(scheme, "Kerberos"):
		msg, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			return authResult{failed: true}, errors.New("token of scheme Kerberos is not base64")
		}
		return s.kerberosStep(msg)
	}
	return authResult{failed: true}, errors.New("unsupported authentication scheme " + scheme)
}

// ntlmStep runs one round of the NTLM handshake on the connection.
func (s *Server) ntlmStep(conn *connState, scheme string, msg []byte) (authResult, error) {
	typ, err := ntlm.MessageType(msg)
	if err != nil {
		return authResult{failed: true}, err
	}
	conn.mu.Lock()
	defer conn.mu.Unlock()
	switch typ {
	case ntlm.TypeNegotiate:
		hs, challenge, err := ntlm.NewChallenge(ntlm.Config{ComputerName: s.opts.ComputerName, Rand: rand.Reader}, msg)
		if err != nil {
			conn.handshake = nil
			return authResult{failed: true}, err
		}
		conn.handshake, conn.user, conn.session, conn.sealer = hs, "", nil, nil
		return authResult{challenge: scheme + " " + base64.StdEncoding.EncodeToString(challenge)}, errChallenge
	case ntlm.TypeAuthenticate:
		hs := conn.handshake
		conn.handshake = nil
		if hs == nil {
			return authResult{failed: true}, errors.New("AUTHENTICATE without a NEGOTIATE on this connection")
		}
		var acc account
		sess, err := hs.Verify(msg, func(user, domain string) (string, bool) {
			a, ok := s.accounts.lookup(user, domain)
			acc = a
			return a.password, ok
		})
		if err != nil {
			conn.user, conn.session, conn.sealer = "", nil, nil
			return authResult{failed: true}, err
		}
		conn.user, conn.session, conn.sealer = acc.name, sess, nil
		return authResult{user: acc.name, session: sess}, nil
	}
	return authResult{failed: true}, errors.New("unexpected NTLM message type")
}

// challengeHeaders sets the WWW-Authenticate offers of a bare 401.
func (s *Server) challengeHeaders(h http.Header) {
	h.Add("WWW-Authenticate", "Negotiate")
	if s.krb != nil {
		h.Add("WWW-Authenticate", "Kerberos")
	}
	if s.opts.AllowBasic {
		h.Add("WWW-Authenticate", `Basic realm="WSMAN"`)
	}
}
