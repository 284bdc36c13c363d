package winsim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/ntlm"
)

const soapContentType = "application/soap+xml;charset=UTF-8"

// ServeHTTP is the listener: HTTP checks, authentication, the encryption
// policy, SOAP parsing, injected faults, then the action.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		s.status(w, http.StatusServiceUnavailable)
		return
	}
	defer s.handlers.Done()
	s.stats.add(func(st *Stats) { st.Requests++ })
	ctx, stop := s.requestContext(r)
	defer stop()
	if !sleep(ctx, s.opts.Latency.RTT) {
		return
	}
	w.Header().Set("Server", "Microsoft-HTTPAPI/2.0")
	if !strings.EqualFold(r.URL.Path, "/wsman") {
		s.status(w, http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.status(w, http.StatusMethodNotAllowed)
		return
	}
	body, tooLarge, err := s.readBody(r)
	if err != nil {
		s.opts.Logf("winsim: %s: reading request: %v", r.RemoteAddr, err)
		return
	}
	s.tapBody("request", body)

	auth, err := s.authenticate(r)
	if err != nil {
		if auth.failed {
			s.stats.add(func(st *Stats) { st.AuthFailures++ })
			s.opts.Logf("winsim: %s: 401: %v", r.RemoteAddr, err)
		}
		s.unauthorized(w, auth.challenge)
		return
	}
	if len(body) == 0 && auth.session != nil {
		// Sealing clients (pywinrm, masterzen's Encryption) log on with an
		// empty POST before sending the sealed message on the connection;
		// HTTP.sys answers it 200 with no body.
		s.status(w, http.StatusOK)
		return
	}
	soap, sealer, err := unseal(r, connStateOf(r), body)
	switch {
	case errors.Is(err, errNotSealable), errors.Is(err, errBadFraming):
		s.opts.Logf("winsim: %s: 415: %v", r.RemoteAddr, err)
		s.status(w, http.StatusUnsupportedMediaType)
		return
	case err != nil:
		// A signature that does not match: tampered, replayed or sealed
		// with other keys. The logon is dropped with it.
		s.opts.Logf("winsim: %s: 400: sealed message from %s refused: %v", r.RemoteAddr, auth.user, err)
		s.status(w, http.StatusBadRequest)
		return
	}
	sealed := sealer != nil
	if !sealed && !s.tls && !s.opts.AllowUnencrypted {
		// Windows' AllowUnencrypted=false: a valid logon, but the message
		// itself travelled in clear text over HTTP.
		s.stats.add(func(st *Stats) { st.UnencryptedRejected++ })
		s.opts.Logf("winsim: %s: 401: unencrypted message from %s refused (AllowUnencrypted=false)", r.RemoteAddr, auth.user)
		s.unauthorized(w, "")
		return
	}
	if !sealed && !strings.Contains(strings.ToLower(r.Header.Get("Content-Type")), "application/soap+xml") {
		s.status(w, http.StatusUnsupportedMediaType)
		return
	}
	if tooLarge {
		s.sealedFault(w, sealer, "", faultEnvelopeTooLarge(s.opts.MaxEnvelopeSizeKB))
		return
	}
	env, err := parseEnvelope(soap)
	if err != nil {
		s.opts.Logf("winsim: %s: malformed request from %s: %v", r.RemoteAddr, auth.user, err)
		s.sealedFault(w, sealer, "", faultInvalidXML())
		return
	}
	action := shortAction(env.Action)
	s.stats.action(action)

	kind := s.opts.Faults.take(action)
	if kind != 0 {
		s.stats.add(func(st *Stats) { st.Injected++ })
		s.opts.Logf("winsim: injecting fault %d into %s", kind, action)
	}
	switch kind {
	case kindDrop:
		s.hijack(w, nil)
		return
	case kindHTTP500:
		s.sealedFault(w, sealer, env.MessageID, faultInjectedInternal())
		return
	}

	release, qerr := s.beginOp(auth.user)
	if qerr != nil {
		s.sealedFault(w, sealer, env.MessageID, qerr)
		return
	}
	reply, err := s.dispatch(ctx, env, auth.user, clientIP(r))
	release()
	var wf *wsmanFault
	switch {
	case errors.As(err, &wf):
		s.opts.Logf("winsim: %s %s by %s: fault %d", action, env.Selectors["ShellId"], auth.user, wf.WSMan)
	case err != nil && ctx.Err() != nil:
		return // the client went away or the server is closing
	case err != nil:
		s.opts.Logf("winsim: %s by %s: %v", action, auth.user, err)
		wf = faultInjectedInternal()
	default:
		s.opts.Logf("winsim: %s %s by %s: ok", action, env.Selectors["ShellId"], auth.user)
	}
	if !sleep(ctx, s.opts.Faults.SlowReply()) {
		return
	}
	status := http.StatusOK
	if wf != nil {
		status, reply = wf.Status, wf.render(env.MessageID, s.opts.ComputerName)
		s.stats.add(func(st *Stats) { st.Faults++ })
	}
	if kind == 0 && wf == nil {
		if kind = s.opts.Faults.takeAimed(action, soap, reply); kind != 0 {
			s.stats.add(func(st *Stats) { st.Injected++ })
			s.opts.Logf("winsim: injecting aimed fault %d into %s", kind, action)
		}
	}
	switch kind {
	case kindDropReply:
		s.hijack(w, nil)
	case kindTruncate:
		if sealer != nil {
			// Cut the sealed bytes, never clear text, on a sealed connection.
			if reply, err = frameSealed(sealer, reply); err != nil {
				reply = nil
			}
		}
		s.hijack(w, reply)
	case kindMalformed:
		s.reply(w, sealer, http.StatusOK, reply[:len(reply)/2])
	default:
		s.reply(w, sealer, status, reply)
	}
}

// requestContext ends when the client goes away or the server closes, so a
// long-polling Receive never outlives either.
func (s *Server) requestContext(r *http.Request) (context.Context, func()) {
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(s.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// readBody reads at most MaxEnvelopeSizeKB; tooLarge reports more.
func (s *Server) readBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	limit := int64(s.opts.MaxEnvelopeSizeKB) * 1024
	body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(body)) > limit {
		return body[:limit], true, nil
	}
	return body, false, nil
}

// write sends a SOAP reply. Every reply carries the SOAP content type:
// masterzen rejects anything else as "invalid content type".
func (s *Server) write(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", soapContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
	s.tapBody("response", body)
}

// reply sends a SOAP reply, sealed when the request was: Windows seals
// faults too, and answers a sealed request with 200 or 500 like a clear one.
func (s *Server) reply(w http.ResponseWriter, sealer *ntlm.Sealer, status int, body []byte) {
	if sealer == nil {
		s.write(w, status, body)
		return
	}
	wire, err := frameSealed(sealer, body)
	if err != nil {
		s.opts.Logf("winsim: sealing the reply: %v", err)
		s.status(w, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", sealContentType)
	h.Set("Content-Length", strconv.Itoa(len(wire)))
	w.WriteHeader(status)
	_, _ = w.Write(wire)
	s.tapBody("response", wire)
}

func (s *Server) sealedFault(w http.ResponseWriter, sealer *ntlm.Sealer, relatesTo string, f *wsmanFault) {
	s.stats.add(func(st *Stats) { st.Faults++ })
	s.reply(w, sealer, f.Status, f.render(relatesTo, s.opts.ComputerName))
}

// status sends an HTTP-level refusal: no body, as HTTP.sys sends them.
func (s *Server) status(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(code)
	s.tapBody("response", nil)
}

// unauthorized sends 401 with a handshake step or the schemes on offer.
func (s *Server) unauthorized(w http.ResponseWriter, challenge string) {
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	} else {
		s.challengeHeaders(w.Header())
	}
	s.status(w, http.StatusUnauthorized)
}

// hijack takes the connection over and closes it, after writing a reply
// header announcing all of partial and half of its bytes when partial is
// set: what a client sees when the host or a middlebox dies mid-reply.
func (s *Server) hijack(w http.ResponseWriter, partial []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		s.status(w, http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		s.opts.Logf("winsim: hijack: %v", err)
		return
	}
	defer conn.Close()
	if partial != nil {
		// An orderly close after the partial body, so the client reads
		// what was sent and then hits the early EOF.
		writePartial(buf.Writer, partial)
		s.tapBody("response", partial[:len(partial)/2])
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // a reset, as when the host or a middlebox dies
	}
}

func writePartial(w *bufio.Writer, body []byte) {
	fmt.Fprintf(w, "HTTP/1.1 200 \r\nContent-Type: %s\r\nServer: Microsoft-HTTPAPI/2.0\r\nContent-Length: %d\r\n\r\n", soapContentType, len(body))
	_, _ = w.Write(body[:len(body)/2])
	_ = w.Flush()
}

// beginOp counts a request in flight against MaxConcurrentOps.
func (s *Server) beginOp(user string) (func(), *wsmanFault) {
	max := s.opts.MaxConcurrentOps
	if max <= 0 {
		return func() {}, nil
	}
	s.opsMu.Lock()
	defer s.opsMu.Unlock()
	if s.ops[user] >= max {
		return nil, faultOperationQuota(max)
	}
	s.ops[user]++
	return func() {
		s.opsMu.Lock()
		s.ops[user]--
		s.opsMu.Unlock()
	}, nil
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
