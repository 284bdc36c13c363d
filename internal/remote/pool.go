package remote

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Pool holds the clients of one provider process, one per host and
// identity, so that every resource on a host shares its agent sessions.
type Pool struct {
	logger Logger

	mu      sync.Mutex
	clients map[string]*Client
	closed  bool

	// background tracks session opens and shell teardowns that outlive the
	// call that caused them, so Close can wait for them.
	background tracker
}

// NewPool returns an empty pool. logger may be nil.
func NewPool(logger Logger) *Pool {
	return &Pool{logger: logger, clients: map[string]*Client{}}
}

// Client returns the client for cfg, creating it on first use. Configs with
// the same Key share a client as long as every other setting is equal too;
// a config that differs in anything else (a password, a timeout) gets a
// client of its own rather than silently using another's settings.
func (p *Pool) Client(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("WinRM settings for host %q: %w", cfg.Host, err)
	}
	if cfg.Scripts.CommandLine == "" || len(cfg.Scripts.AgentLine) == 0 {
		return nil, errors.New("remote: Config.Scripts is empty; fill it from internal/hostscript")
	}
	mapKey := cfg.Key() + "#" + fingerprint(cfg)

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("remote: pool is closed")
	}
	if c, ok := p.clients[mapKey]; ok {
		return c, nil
	}
	c := newClient(p, cfg)
	p.clients[mapKey] = c
	return c, nil
}

// fingerprint distinguishes configs beyond Key. It is only ever a map key
// inside this process; the password enters it hashed and never leaves.
func fingerprint(cfg Config) string {
	// Functions cannot be compared; the first config's policy wins.
	cfg.Retry, cfg.Settle = nil, nil
	raw, err := json.Marshal(cfg)
	if err != nil {
		// Config holds only strings, numbers, booleans and byte slices.
		panic("remote: marshal config: " + err.Error())
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Close ends every agent session (closing stdin, so the agent exits, then
// deleting the shell) and waits for teardowns already under way.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	clients := make([]*Client, 0, len(p.clients))
	for _, c := range p.clients {
		clients = append(clients, c)
	}
	p.clients = nil
	p.mu.Unlock()

	for _, c := range clients {
		c.shutdown()
	}
	// Teardown requests are bounded by the HTTP timeout each; a host that
	// stopped answering must not hold the provider's exit much longer.
	grace := 2 * maxHTTPTimeout(clients)
	if !p.background.wait(grace) {
		return fmt.Errorf("remote: shells on %d host(s) were not confirmed deleted within %s", len(clients), grace)
	}
	return nil
}

// tracker counts background goroutines. Unlike sync.WaitGroup it allows
// new work to start while someone waits (a session can fail while the pool
// is closing), and the wait has a bound.
type tracker struct {
	mu   sync.Mutex
	n    int
	zero chan struct{}
}

func (t *tracker) add() {
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 && t.zero != nil {
		close(t.zero)
		t.zero = nil
	}
}

func (t *tracker) wait(d time.Duration) bool {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return true
	}
	if t.zero == nil {
		t.zero = make(chan struct{})
	}
	ch := t.zero
	t.mu.Unlock()
	return waitClosed(ch, d)
}

func maxHTTPTimeout(clients []*Client) time.Duration {
	d := 10 * time.Second
	for _, c := range clients {
		if t := c.cfg.httpTimeout(); t > d {
			d = t
		}
	}
	return d
}

// Client talks to one Windows host as one identity. It is safe for
// concurrent use; calls are spread over up to MaxSessions agent sessions.
type Client struct {
	cfg  Config
	pool *Pool
	log  *logSink
	red  *redactor
	cnt  counters

	// writes counts the starts and ends of calls that may change the host,
	// so a ReadCache serves no answer read before a write ended.
	writes atomic.Uint64

	nextReq  uint64 // guarded by mu; request ids are unique per client
	nextSess int

	mu       sync.Mutex
	sessions []*session
	closed   bool
	// sessionCap, when set, is how many sessions the host allowed before
	// a quota fault; it lowers MaxSessions for the client's lifetime.
	sessionCap int

	oneShotFree []*oneShotConn // guarded by mu
}

func newClient(p *Pool, cfg Config) *Client {
	c := &Client{
		cfg:  cfg,
		pool: p,
		log:  &logSink{logger: p.logger, host: cfg.Host},
		red:  &redactor{},
	}
	c.red.add(cfg.Password)
	for _, s := range cfg.Secrets {
		c.red.add(s)
	}
	return c
}

// Redact registers a secret the caller is about to send (a user's password,
// say), so that it is masked as "***" in any error this client returns.
func (c *Client) Redact(secret string) { c.red.add(secret) }

// Stats counts what the client has cost so far.
type Stats struct {
	RoundTrips       int64 // HTTP requests sent, including NTLM handshake legs
	PowerShellStarts int64 // agent processes started
	Ops              int64 // calls made
	Sessions         int64 // agent sessions opened (long-lived mode)
}

func (c *Client) Stats() Stats {
	return Stats{
		RoundTrips:       c.cnt.roundTrips.Load(),
		PowerShellStarts: c.cnt.powerShellStarts.Load(),
		Ops:              c.cnt.ops.Load(),
		Sessions:         c.cnt.sessionsOpened.Load(),
	}
}

// Host is the host name the client was configured with.
func (c *Client) Host() string { return c.cfg.Host }

func (c *Client) shutdown() {
	c.mu.Lock()
	c.closed = true
	sessions := c.sessions
	c.sessions = nil
	c.mu.Unlock()
	for _, s := range sessions {
		s.close()
	}
}

// goBackground runs f as a teardown the pool waits for on Close.
func (c *Client) goBackground(f func()) {
	c.pool.background.add()
	go func() {
		defer c.pool.background.done()
		f()
	}()
}
