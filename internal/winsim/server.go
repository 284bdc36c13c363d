package winsim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a running WS-Management listener.
type Server struct {
	opts     Options
	accounts accounts
	krb      *kerberosService // nil: the host is in no realm
	tls      bool
	caPEM    []byte
	ln       net.Listener
	http     *http.Server
	host     string
	port     int

	ctx    context.Context // ends at Close; every shell and process derives from it
	cancel context.CancelFunc

	shells  shellTable
	stats   counters
	tap     atomic.Pointer[func(dir string, body []byte)]
	runners sync.WaitGroup
	served  chan struct{}

	opsMu sync.Mutex
	ops   map[string]int // requests in flight per user

	// handlers counts requests being answered: Close waits for them, since
	// http.Server.Close does not, and a handler that outlives Close would
	// still touch the host and log to whoever started the server.
	handlersMu sync.Mutex
	closing    bool
	handlers   sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// Start listens and serves until Close or until ctx ends.
func Start(ctx context.Context, o Options) (*Server, error) {
	o = o.withDefaults()
	s := &Server{
		opts:     o,
		accounts: newAccounts(o.ComputerName, o.Users),
		tls:      o.TLS,
		shells:   shellTable{shells: map[string]*shell{}},
		ops:      map[string]int{},
		served:   make(chan struct{}),
	}
	krb, err := newKerberosService(o.Kerberos)
	if err != nil {
		return nil, err
	}
	s.krb = krb
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("winsim: listen on %s: %w", o.Addr, err)
	}
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		ln.Close()
		return nil, fmt.Errorf("winsim: listener on %s has address %T, not TCP", o.Addr, ln.Addr())
	}
	s.host, s.port = addr.IP.String(), addr.Port
	if o.TLS {
		cfg, caPEM, err := serverTLS(o.ComputerName, time.Now())
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.caPEM = caPEM
		ln = tls.NewListener(ln, cfg)
	}
	s.ln = ln
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.http = &http.Server{
		Handler:           s,
		ConnContext:       func(ctx context.Context, _ net.Conn) context.Context { return withConnState(ctx) },
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       120 * time.Second, // HTTP.sys' idle connection timeout
		// No HTTP/2: WinRM is HTTP/1.1 and NTLM binds to the connection.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ErrorLog:     log.New(logWriter(o.Logf), "winsim: http: ", 0),
	}
	go func() {
		defer close(s.served)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.Logf("winsim: serve: %v", err)
		}
	}()
	go s.reapIdleShells()
	context.AfterFunc(ctx, func() { s.Close() })
	o.Logf("winsim: %s listening on %s", o.ComputerName, s.URL())
	return s, nil
}

// logWriter adapts Logf to the http.Server error log.
type logWriter func(format string, args ...any)

func (l logWriter) Write(p []byte) (int, error) {
	l("%s", string(p))
	return len(p), nil
}

// URL is the WS-Man endpoint, http(s)://127.0.0.1:PORT/wsman.
func (s *Server) URL() string {
	scheme := "http"
	if s.tls {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(s.host, strconv.Itoa(s.port)) + "/wsman"
}

// Host is the listening IP address.
func (s *Server) Host() string { return s.host }

// Port is the listening TCP port.
func (s *Server) Port() int { return s.port }

// CACertPEM is the CA that signed the server certificate; nil without TLS.
func (s *Server) CACertPEM() []byte {
	if s.caPEM == nil {
		return nil
	}
	return append([]byte(nil), s.caPEM...)
}

// Stats returns the counters since Start or the last ResetStats.
func (s *Server) Stats() Stats {
	st := s.stats.snapshot()
	st.ShellsOpen = int64(s.shells.count())
	return st
}

// ResetStats zeroes the counters (ShellsOpen always shows the live count).
func (s *Server) ResetStats() { s.stats.reset() }

// SetWireTap installs f to see every request and response body as it
// crosses the wire ("request" or "response"), 401 rounds included; nil
// removes it. f must not keep or modify the slice after returning.
func (s *Server) SetWireTap(f func(dir string, body []byte)) {
	if f == nil {
		s.tap.Store(nil)
		return
	}
	s.tap.Store(&f)
}

func (s *Server) tapBody(dir string, body []byte) {
	if f := s.tap.Load(); f != nil {
		(*f)(dir, body)
	}
}

// Close stops listening, drops every connection, ends every shell and waits
// (a bounded time) for running processes to return.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.handlersMu.Lock()
		s.closing = true
		s.handlersMu.Unlock()
		s.cancel()
		s.closeErr = s.http.Close()
		<-s.served
		s.waitFor(&s.handlers, "handlers")
		for _, sh := range s.shells.removeAll() {
			sh.close()
		}
		s.waitFor(&s.runners, "runners")
	})
	return s.closeErr
}

// waitFor waits for wg, for at most 5 s: what is still running then is
// left to end on its own, cancelled by s.ctx.
func (s *Server) waitFor(wg *sync.WaitGroup, what string) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.opts.Logf("winsim: some %s did not return within 5s of Close", what)
	}
}

// enter counts a request in, unless the server is closing.
func (s *Server) enter() bool {
	s.handlersMu.Lock()
	defer s.handlersMu.Unlock()
	if s.closing {
		return false
	}
	s.handlers.Add(1)
	return true
}

// reapInterval is how often idle shells are looked for; IdleTimeOut is
// honoured to within this.
const reapInterval = 100 * time.Millisecond

func (s *Server) reapIdleShells() {
	t := time.NewTicker(reapInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-t.C:
			for _, sh := range s.shells.reapIdle(now) {
				s.opts.Logf("winsim: shell %s of %s deleted after %s idle", sh.id, sh.owner, formatDuration(sh.idle))
				sh.close()
			}
		}
	}
}

// sleep waits d unless ctx ends first; false means it ended.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
