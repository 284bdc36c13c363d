package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/masterzen/winrm"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// session is one long-lived agent: a WinRS shell running the bootstrap
// command, which reads framed requests from stdin and answers on stdout.
// Many calls share it; a reader goroutine hands each response to the call
// waiting for its id, and a writer goroutine coalesces the requests that
// arrive while a Send is in flight into the next Send.
type session struct {
	c      *Client
	n      int             // ordinal, for logs
	ctx    context.Context // the agent command's lifetime; cancelling makes masterzen signal terminate
	cancel context.CancelFunc

	ready     chan struct{} // closed on the agent's hello, or when opening failed
	readyOnce sync.Once
	openErr   error         // set before ready closes, when opening failed
	done      chan struct{} // closed when the session is dead
	wake      chan struct{} // tells the writer there is something queued

	load int // calls assigned to this session; guarded by c.mu

	// Set by open before the reader and writer start; read-only after.
	tr         *transport
	cmd        *winrm.Command
	cmdDone    chan struct{} // closed when masterzen's output loop has ended
	stderr     *tailBuffer
	stderrDone chan struct{}
	writerDone chan struct{} // closed when writeLoop has returned

	mu        sync.Mutex
	shell     *winrm.Shell // guarded by mu: teardown may race with open
	shellID   string
	started   bool // cmd is set; guarded by mu for the same reason
	pending   map[uint64]*pendingCall
	queue     []queuedLine
	dead      bool
	deadErr   error
	helloSeen bool

	// batchEnds holds, for each batch of requests sent and not yet fully
	// answered, the id of its last request: the agent answers in order
	// and sends a batch's answers together once that one is done.
	batchEnds []uint64 // guarded by mu
}

type pendingCall struct {
	ch   chan protocol.Response // buffered: the reader never blocks on a caller
	sent bool                   // handed to a Send; guarded by session.mu
}

type queuedLine struct {
	id   uint64 // 0 for the agent line, which is always sent
	line []byte
}

func newSession(c *Client, n int) *session {
	ctx, cancel := context.WithCancel(context.Background())
	return &session{
		c:       c,
		n:       n,
		ctx:     ctx,
		cancel:  cancel,
		ready:   make(chan struct{}),
		done:    make(chan struct{}),
		wake:    make(chan struct{}, 1),
		pending: map[uint64]*pendingCall{},
	}
}

// open starts the agent and waits for its hello. Every step is a blocking
// masterzen call bounded by the HTTP timeout; callers do not wait on open
// itself but on ready, under their own context and deadline.
func (s *session) open() {
	start := time.Now()
	if err := s.start(); err != nil {
		s.fail(err, false)
		return
	}
	timer := time.NewTimer(s.c.cfg.timeout())
	defer timer.Stop()
	select {
	case <-s.ready:
		s.c.log.debug("agent session ready", map[string]any{
			"session": s.n, "shell_id": s.shellID, "duration_ms": time.Since(start).Milliseconds(),
		})
	case <-s.done:
	case <-timer.C:
		msg := fmt.Sprintf("the agent did not start within %s", s.c.cfg.timeout())
		if tail := cleanStderr(s.stderr.String()); tail != "" {
			msg += ": " + tail
		}
		s.fail(newKindError(protocol.Unavailable, nil, "%s", msg), false)
	}
}

func (s *session) start() error {
	cfg := s.c.cfg
	wc, tr, err := newWinRMClient(cfg, &s.c.cnt, s.c.log)
	if err != nil {
		return err
	}
	s.tr = tr
	shell, id, err := openShell(cfg, wc, s.tr)
	if err != nil {
		return err
	}
	if !s.adoptShell(shell, id) {
		_ = shell.Close()
		return nil
	}
	cmd, err := shell.ExecuteWithContext(s.ctx, cfg.Scripts.CommandLine)
	if err != nil {
		return prefixError("could not start the agent", s.tr.describe(err))
	}
	s.c.cnt.powerShellStarts.Add(1)
	s.cmd = cmd
	s.cmdDone = make(chan struct{})
	s.stderr = newTailBuffer(8 << 10)
	s.stderrDone = make(chan struct{})
	s.writerDone = make(chan struct{})
	go func() {
		cmd.Wait()
		close(s.cmdDone)
	}()
	go func() {
		// Drained to the end even when nobody needs the text: masterzen
		// writes into an unbuffered pipe and would stall its Receive loop.
		_, _ = io.Copy(s.stderr, cmd.Stderr)
		close(s.stderrDone)
	}()
	if !s.markStarted() {
		return nil // closed while starting; markStarted cleaned up
	}
	go s.readLoop()
	go s.writeLoop()
	s.enqueueRaw(queuedLine{line: withNewline(cfg.Scripts.AgentLine)})
	return nil
}

func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return b
	}
	return append(append([]byte(nil), b...), '\n')
}

// adoptShell records the shell unless the session died meanwhile, in which
// case the caller deletes it.
func (s *session) adoptShell(sh *winrm.Shell, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return false
	}
	s.shell, s.shellID = sh, id
	return true
}

// markStarted publishes the command to teardown. If the session was closed
// while the command was being started, it tears down here instead.
func (s *session) markStarted() bool {
	s.mu.Lock()
	dead := s.dead
	s.started = true
	s.mu.Unlock()
	if !dead {
		return true
	}
	go func() { _, _ = io.Copy(io.Discard, s.cmd.Stdout) }() // keep masterzen's loop unblocked
	close(s.writerDone)                                      // never started
	s.teardown(false)
	return false
}

func (s *session) readLoop() {
	lr := protocol.NewLineReader(s.cmd.Stdout)
	for {
		line, err := lr.Next()
		if err != nil {
			s.fail(s.endedError(err), false)
			_, _ = io.Copy(io.Discard, s.cmd.Stdout)
			return
		}
		resp, framed, err := protocol.DecodeResponse(line)
		if !framed {
			continue // profile output, warnings: noise by protocol
		}
		if err != nil {
			s.fail(newKindError(protocol.Internal, err, "the agent sent a broken frame: %v", err), false)
			_, _ = io.Copy(io.Discard, s.cmd.Stdout)
			return
		}
		s.deliver(resp)
	}
}

func (s *session) deliver(resp protocol.Response) {
	if resp.ID == 0 {
		s.mu.Lock()
		first := !s.helloSeen
		s.helloSeen = true
		s.mu.Unlock()
		switch {
		case first && resp.OK:
			var h protocol.Hello
			if err := json.Unmarshal(resp.Result, &h); err != nil {
				s.fail(newKindError(protocol.Internal, err, "the agent's hello is not valid: %v", err), false)
				return
			}
			s.readyOnce.Do(func() { close(s.ready) })
		case first:
			s.fail(newKindError(protocol.Unavailable, nil, "the agent refused to start: %s", s.c.red.redact(resp.Error.Message)), false)
		default:
			// After the hello, id 0 means the agent could not read some
			// request's id: that caller would wait forever, so give up the
			// session and let every caller still waiting learn it now.
			msg := "no reason given"
			if resp.Error != nil {
				msg = s.c.red.redact(resp.Error.Message)
			}
			s.fail(newKindError(protocol.Internal, nil, "the agent lost a request (%s)", msg), false)
		}
		return
	}
	s.mu.Lock()
	p := s.pending[resp.ID]
	delete(s.pending, resp.ID)
	if len(s.batchEnds) > 0 && resp.ID == s.batchEnds[0] {
		s.batchEnds = s.batchEnds[1:]
		s.signalWriter() // room for the batch that waited
	}
	s.mu.Unlock()
	if p != nil {
		p.ch <- resp
	}
	// A response nobody waits for belongs to a caller that gave up.
}

// endedError explains why stdout ended: the process exited (EOF), or the
// Receive that carried its output failed.
func (s *session) endedError(err error) error {
	if !errors.Is(err, io.EOF) {
		return prefixError("lost the agent session", s.tr.describe(err))
	}
	code := exitCode(s.cmd, s.cmdDone)
	waitClosed(s.stderrDone, 5*time.Second)
	tail := cleanStderr(s.stderr.String())
	if err := languageModeError(tail); err != nil {
		return err
	}
	msg := fmt.Sprintf("the agent process exited (exit code %s)", exitCodeText(code))
	if tail != "" {
		msg += ": " + s.c.red.redact(tail)
	}
	return newKindError(protocol.Unavailable, nil, "%s", msg)
}

// enqueue registers a call and queues its request for the writer.
func (s *session) enqueue(id uint64, line []byte) (*pendingCall, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return nil, s.deadErr
	}
	p := &pendingCall{ch: make(chan protocol.Response, 1)}
	s.pending[id] = p
	s.queue = append(s.queue, queuedLine{id: id, line: line})
	s.signalWriter()
	return p, nil
}

func (s *session) enqueueRaw(q queuedLine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, q)
	s.signalWriter()
}

func (s *session) signalWriter() {
	select {
	case s.wake <- struct{}{}:
	default: // already signalled; the writer takes the whole queue
	}
}

// forget drops a call whose caller gave up, and reports whether its request
// may already have reached the agent.
func (s *session) forget(id uint64) (sent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pending[id]; ok {
		delete(s.pending, id)
		return p.sent
	}
	return true // answered or failed meanwhile: it was sent
}

func (s *session) wasSent(p *pendingCall) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return p.sent
}

// maxBatchesInFlight is how many batches a session keeps at the agent:
// one being served and one waiting in its stdin, so it never idles for a
// round trip, while calls that arrive meanwhile gather into the next batch
// instead of each paying a Send and a Receive.
const maxBatchesInFlight = 2

// writeLoop sends everything queued in one stdin write, so that calls
// arriving while earlier batches are at the agent share the next Send,
// and marks every request of a batch but the last with More, so that the
// agent answers the batch in one write to stdout, which one Receive
// carries back.
func (s *session) writeLoop() {
	defer close(s.writerDone)
	for {
		select {
		case <-s.wake:
		case <-s.done:
			return
		}
		s.mu.Lock()
		if len(s.batchEnds) >= maxBatchesInFlight {
			s.mu.Unlock()
			continue // deliver wakes the writer when a batch is answered
		}
		var lines []queuedLine
		for _, q := range s.queue {
			if q.id != 0 {
				p, ok := s.pending[q.id]
				if !ok {
					continue // its caller gave up before it was sent
				}
				p.sent = true
			}
			lines = append(lines, q)
		}
		s.queue = nil
		last := -1
		for i, q := range lines {
			if q.id != 0 {
				last = i
			}
		}
		if last >= 0 {
			s.batchEnds = append(s.batchEnds, lines[last].id)
		}
		s.mu.Unlock()
		if len(lines) == 0 {
			continue
		}
		var buf []byte
		n := 0
		for i, q := range lines {
			line := q.line
			if q.id != 0 {
				n++
				if i < last {
					line = withMore(line)
				}
			}
			buf = append(buf, line...)
		}
		start := time.Now()
		if _, err := s.cmd.Stdin.Write(buf); err != nil {
			s.fail(prefixError("sending to the agent failed", s.tr.describe(err)), false)
			return
		}
		s.c.log.debug("agent send", map[string]any{
			"session": s.n, "requests": n, "bytes": len(buf), "duration_ms": time.Since(start).Milliseconds(),
		})
	}
}

// withMore is a framed request line with More set. The line was framed by
// newRequest, so it decodes; if it somehow did not, it goes as it was and
// is answered at once.
func withMore(line []byte) []byte {
	req, err := protocol.DecodeRequest(line)
	if err != nil {
		return line
	}
	req.More = true
	out, err := protocol.EncodeRequest(req)
	if err != nil {
		return line
	}
	return out
}

// fail marks the session dead with cause: waiting callers get the cause,
// the client stops choosing the session, and the shell is torn down in the
// background (gracefully, by closing stdin, when graceful is set).
func (s *session) fail(cause error, graceful bool) {
	s.mu.Lock()
	if s.dead {
		s.mu.Unlock()
		return
	}
	s.dead = true
	s.deadErr = cause
	s.pending = nil
	s.queue = nil
	started := s.started
	shell := s.shell
	s.mu.Unlock()

	// Unlisted first, so a caller woken below never picks it again.
	s.c.forgetSession(s)
	close(s.done)
	s.readyOnce.Do(func() {
		s.openErr = cause
		close(s.ready)
	})
	if !graceful {
		var ke *kindError
		msg := cause.Error()
		if errors.As(cause, &ke) {
			msg = ke.msg
		}
		s.c.log.debug("agent session discarded", map[string]any{"session": s.n, "reason": s.c.red.redact(msg)})
	}
	if started || shell != nil {
		s.c.goBackground(func() { s.teardown(graceful) })
	} else {
		s.cancel()
	}
}

// retire discards a session whose agent stopped answering.
func (s *session) retire(reason string) {
	s.fail(newKindError(protocol.Unavailable, nil, "%s", reason), false)
}

// close ends a healthy session: stdin is closed so the agent exits on its
// own, then the shell is deleted.
func (s *session) close() {
	s.fail(newKindError(protocol.Unavailable, nil, "the client was closed"), true)
}

// teardown stops the agent command if it still runs and deletes the shell.
// masterzen's Command.Close is never called here while its output loop may
// call it too (two closes of one channel panic); the loop is stopped
// through the command's context instead, which sends the terminate signal.
func (s *session) teardown(graceful bool) {
	s.mu.Lock()
	shell, started := s.shell, s.started
	s.mu.Unlock()
	grace := s.c.cfg.httpTimeout()
	if started {
		// A Send still in flight finishes (or times out) before the shell
		// goes, so no request of this session outlives Pool.Close.
		waitClosed(s.writerDone, grace)
		if graceful && !closed(s.cmdDone) {
			_ = s.cmd.Stdin.Close() // End: the agent sees EOF and exits
			waitClosed(s.cmdDone, 5*time.Second)
		}
		if !closed(s.cmdDone) {
			s.cancel()
			waitClosed(s.cmdDone, 2*grace)
		}
	}
	s.cancel()
	if shell != nil {
		if err := shell.Close(); err != nil {
			s.c.log.debug("delete shell failed", map[string]any{"session": s.n, "error": s.c.red.redact(err.Error())})
		}
	}
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func waitClosed(ch chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// isReady reports whether the agent has said hello, or opening failed.
func (s *session) isReady() bool {
	select {
	case <-s.ready:
		return true
	default:
		return false
	}
}
