package remote

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// Call runs one operation on the host: args are marshalled to JSON and sent
// as data, and the result is unmarshalled into result (which may be nil).
// Every failure is an *Error; its Kind says what went wrong. Each attempt
// is bounded by Config.Timeout, the whole call by ctx.
//
// A failed attempt goes to Config.Retry, which decides whether to try
// again. When the request may have reached the agent but its answer was
// lost, Config.Settle first looks at the host: if the operation took
// effect, the call succeeds with what the host holds; if it took none, the
// retry policy sees the attempt as undelivered, so a write is never applied
// twice.
func (c *Client) Call(ctx context.Context, op string, args, result any) error {
	if op == "" {
		return &Error{Kind: protocol.InvalidArgument, Host: c.cfg.Host, Message: "empty operation name"}
	}
	raw, err := c.encodeArgs(op, args)
	if err != nil {
		return err
	}
	if rc := readCacheFrom(ctx); rc != nil && rc.isRead(op) {
		return rc.call(ctx, c, op, raw, result)
	}
	// Anything not known to only read may change the host: answers read
	// before it ends are not served again (ReadCache).
	c.writes.Add(1)
	defer c.writes.Add(1)
	return c.call(ctx, op, raw, result)
}

// CallShared reads like Call, then makes a value of the answer with build,
// once for all the callers a read cache serves that answer to under the
// same key: a large answer that many callers each take one item from (the
// host's pool list) is decoded once per command, not once per caller. The
// value is shared, so callers must only read it. Without a read cache in
// ctx, or for an operation that is not a read, it is Call and then build.
func (c *Client) CallShared(ctx context.Context, op string, args any, key string, build func(json.RawMessage) (any, error)) (any, error) {
	rc := readCacheFrom(ctx)
	if rc == nil || !rc.isRead(op) {
		var answer json.RawMessage
		if err := c.Call(ctx, op, args, &answer); err != nil {
			return nil, err
		}
		return c.build(op, answer, build)
	}
	raw, err := c.encodeArgs(op, args)
	if err != nil {
		return nil, err
	}
	e, err := rc.answer(ctx, c, op, raw)
	if err != nil {
		return nil, err
	}
	return e.shared(key, func() (any, error) { return c.build(op, e.raw, build) })
}

func (c *Client) encodeArgs(op string, args any) (json.RawMessage, error) {
	if args == nil {
		return nil, nil
	}
	b, err := json.Marshal(args)
	if err != nil {
		return nil, &Error{Kind: protocol.InvalidArgument, Host: c.cfg.Host, Op: op,
			Message: "cannot encode the arguments: " + c.red.redact(err.Error()), Err: err}
	}
	return b, nil
}

// build is decode for CallShared's values.
func (c *Client) build(op string, raw json.RawMessage, build func(json.RawMessage) (any, error)) (any, error) {
	v, err := build(raw)
	if err != nil {
		return nil, &Error{Kind: protocol.Internal, Host: c.cfg.Host, Op: op,
			Message: "cannot decode the agent's result: " + c.red.redact(err.Error()), Err: err}
	}
	return v, nil
}

// call is Call after the arguments are encoded: the attempts, settling
// and retries of one operation.
func (c *Client) call(ctx context.Context, op string, raw json.RawMessage, result any) error {
	c.cnt.ops.Add(1)
	first := time.Now()
	lost := false // some attempt's answer was lost: its effect is unknown
	for attempt := 1; ; attempt++ {
		start := time.Now()
		a := c.once(ctx, op, raw, result)
		a.Number = attempt
		c.logCall(ctx, op, attempt, start, a.Err)
		if a.Err == nil {
			return nil
		}
		if a.Delivered && c.cfg.Settle != nil && ctx.Err() == nil && (!a.Answered || lost) {
			// An answered failure after a lost answer may be the lost
			// attempt's doing (already_exists from a create that did
			// happen), so the host is asked again.
			lost = true
			done, err := c.settle(ctx, op, raw, result, a.Err)
			switch {
			case err != nil:
				return err
			case done:
				return nil
			case a.Answered:
				return gaveUp(a.Err, attempt, first)
			}
			a.Delivered = false // the host showed it took no effect
		}
		if c.cfg.Retry == nil || ctx.Err() != nil {
			return gaveUp(a.Err, attempt, first)
		}
		wait, again := c.cfg.Retry(a)
		if !again {
			return gaveUp(a.Err, attempt, first)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return gaveUp(a.Err, attempt, first)
		case <-t.C:
		}
	}
}

// settle asks the Settler what became of an unanswered request; done means
// the call succeeded after all, with result filled from the host.
func (c *Client) settle(ctx context.Context, op string, raw json.RawMessage, result any, cause error) (bool, error) {
	s, err := c.cfg.Settle(ctx, Unanswered{Op: op, Args: raw, Err: cause, Read: c.Call})
	if err != nil {
		if re, ok := err.(*Error); ok { // the Settler's own verdict, such as already_exists
			out := *re
			out.Host, out.Op = cmp.Or(out.Host, c.cfg.Host), cmp.Or(out.Op, op)
			out.Message = c.red.redact(out.Message)
			return false, &out
		}
		return false, &Error{Kind: protocol.Unavailable, Host: c.cfg.Host, Op: op,
			Message: c.red.redact(err.Error()), Err: err}
	}
	c.log.log(ctx, "remote call settled", map[string]any{"op": op, "took_effect": s.Done})
	if !s.Done {
		return false, nil
	}
	if result != nil && len(s.Result) > 0 && string(s.Result) != "null" {
		if err := json.Unmarshal(s.Result, result); err != nil {
			return false, &Error{Kind: protocol.Internal, Host: c.cfg.Host, Op: op,
				Message: "cannot decode the result read back from the host: " + c.red.redact(err.Error()), Err: err}
		}
	}
	return true, nil
}

// gaveUp says how hard the call tried, when it tried more than once, so
// the user reads that the failure is not a one-off.
func gaveUp(err error, attempts int, since time.Time) error {
	var re *Error
	if attempts < 2 || !errors.As(err, &re) {
		return err
	}
	out := *re
	out.Message = fmt.Sprintf("%s (gave up after %d attempts over %s)", re.Message, attempts, time.Since(since).Round(100*time.Millisecond))
	return &out
}

func (c *Client) logCall(ctx context.Context, op string, attempt int, start time.Time, err error) {
	fields := map[string]any{
		"op": op, "attempt": attempt, "duration_ms": time.Since(start).Milliseconds(), "one_shot": c.cfg.OneShot,
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			fields["kind"] = string(e.Kind)
		}
	}
	c.log.log(ctx, "remote call", fields)
}

// once makes one attempt and says, for the retry policy, whether the
// request may have reached the agent and whether the agent answered.
func (c *Client) once(ctx context.Context, op string, raw json.RawMessage, result any) Attempt {
	var resp protocol.Response
	var delivered bool
	var err error
	if c.cfg.OneShot {
		resp, delivered, err = c.viaOneShot(ctx, op, raw)
	} else {
		resp, delivered, err = c.viaSession(ctx, op, raw)
	}
	if err != nil {
		return Attempt{Op: op, Delivered: delivered, Err: asError(c.cfg.Host, op, err, c.red)}
	}
	if err := c.decode(op, resp, result); err != nil {
		return Attempt{Op: op, Delivered: true, Answered: true, Err: err}
	}
	return Attempt{Op: op, Delivered: true, Answered: true}
}

func (c *Client) decode(op string, resp protocol.Response, result any) error {
	if !resp.OK {
		return &Error{Kind: resp.Error.Kind, Host: c.cfg.Host, Op: op, Message: c.red.redact(resp.Error.Message)}
	}
	if result == nil || len(resp.Result) == 0 || string(resp.Result) == "null" {
		return nil
	}
	if err := json.Unmarshal(resp.Result, result); err != nil {
		return &Error{Kind: protocol.Internal, Host: c.cfg.Host, Op: op,
			Message: "cannot decode the agent's result: " + c.red.redact(err.Error()), Err: err}
	}
	return nil
}

func (c *Client) newRequest(op string, raw json.RawMessage) (uint64, []byte, error) {
	c.mu.Lock()
	c.nextReq++
	id := c.nextReq
	c.mu.Unlock()
	line, err := protocol.EncodeRequest(protocol.Request{ID: id, Op: op, Args: raw})
	if err != nil {
		return 0, nil, newKindError(protocol.InvalidArgument, err, "cannot frame the request: %v", err)
	}
	return id, line, nil
}

// cancelled explains why ctx ended: the caller's own cancellation or
// deadline, not a host problem, though the kind is still unavailable.
func cancelled(ctx context.Context, what string) error {
	return newKindError(protocol.Unavailable, ctx.Err(), "%s: %v", what, ctx.Err())
}

func (c *Client) viaSession(ctx context.Context, op string, raw json.RawMessage) (protocol.Response, bool, error) {
	var none protocol.Response
	timeout := c.cfg.timeout()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	id, line, err := c.newRequest(op, raw)
	if err != nil {
		return none, false, err
	}
	// A session can die between being picked and sending the request
	// (another call's Send failed); the request never left, so it moves
	// to another session, at most a few times, within the same deadline.
	for moves := 0; ; moves++ {
		resp, sent, moved, err := c.onSession(ctx, timer.C, op, id, line, moves < 3)
		if !moved {
			return resp, sent, err
		}
	}
}

// onSession runs one request on a ready session. moved says the session
// died before the request was sent and the caller may try another one
// (only when mayMove).
func (c *Client) onSession(ctx context.Context, expired <-chan time.Time, op string, id uint64, line []byte, mayMove bool) (resp protocol.Response, sent, moved bool, err error) {
	var none protocol.Response
	timeout := c.cfg.timeout()
	s, err := c.readySession(ctx, expired)
	if err != nil {
		return none, false, false, err
	}
	defer c.release(s)
	p, err := s.enqueue(id, line)
	if err != nil {
		return none, false, mayMove, err
	}
	select {
	case resp := <-p.ch:
		return resp, true, false, nil
	case <-s.done:
		select {
		case resp := <-p.ch: // answered just before the session died
			return resp, true, false, nil
		default:
		}
		sent := s.wasSent(p)
		return none, sent, !sent && mayMove, s.deadErr
	case <-ctx.Done():
		return none, s.forget(id), false, cancelled(ctx, fmt.Sprintf("waiting for request %d", id))
	case <-expired:
		sent := s.forget(id)
		// The agent serves requests in order: one that hangs blocks every
		// later one, so the session is of no further use.
		s.retire(fmt.Sprintf("request %d (%s) got no answer within %s; the agent session was discarded", id, op, timeout))
		return none, sent, false, newKindError(protocol.Unavailable, nil,
			"no answer within %s; the agent session was discarded and the next call opens a new one", timeout)
	}
}

// readySession picks a session and waits until its agent is ready. When
// opening a further session hit a WinRM quota while others still run, the
// call moves to one of those: the host allows no more, and the request was
// never sent, so nothing is lost. The caller releases the session.
func (c *Client) readySession(ctx context.Context, expired <-chan time.Time) (*session, error) {
	for {
		s, err := c.pick()
		if err != nil {
			return nil, err
		}
		select {
		case <-s.ready:
		case <-ctx.Done():
			c.release(s)
			return nil, cancelled(ctx, "waiting for an agent session")
		case <-expired:
			c.release(s)
			return nil, newKindError(protocol.Unavailable, nil, "no agent session became ready within %s", c.cfg.timeout())
		}
		if s.openErr == nil {
			return s, nil
		}
		c.release(s)
		if !errors.Is(s.openErr, errQuotaExceeded) || !c.capSessions() {
			return nil, s.openErr
		}
	}
}

// capSessions lowers the session limit to the sessions still alive after a
// quota fault, and reports whether any remain to take calls.
func (c *Client) capSessions() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sessions) == 0 {
		return false
	}
	c.sessionCap = len(c.sessions)
	c.log.debug("session limit lowered after a WinRM quota fault", map[string]any{"sessions": c.sessionCap})
	return true
}

func (c *Client) sessionLimit() int {
	if c.sessionCap > 0 && c.sessionCap < c.cfg.maxSessions() {
		return c.sessionCap
	}
	return c.cfg.maxSessions()
}

// joinWhileOpening is how many calls may wait for a session that is still
// opening before the next call opens another session instead. Starting
// powershell.exe costs the host about 0.25 s of a processor, a read about
// 15 ms: a few calls queued on an agent that is nearly up are answered in
// one batch sooner than a new process would start, and a small plan then
// starts one or two PowerShell processes instead of one per call in its
// first burst (and holds fewer of the user's WinRM shells).
const joinWhileOpening = 4

// pick chooses the session for a call: an idle one if there is one, else
// one still opening with fewer than joinWhileOpening calls waiting, else a
// new one while fewer than MaxSessions exist, else the least loaded.
func (c *Client) pick() (*session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, newKindError(protocol.Unavailable, nil, "the client was closed")
	}
	var best, opening *session
	for _, s := range c.sessions {
		if best == nil || s.load < best.load {
			best = s
		}
		if !s.isReady() && (opening == nil || s.load < opening.load) {
			opening = s
		}
	}
	if best != nil && best.load > 0 && opening != nil && opening.load < joinWhileOpening {
		best = opening
	} else if (best == nil || best.load > 0) && len(c.sessions) < c.sessionLimit() {
		c.nextSess++
		best = newSession(c, c.nextSess)
		c.sessions = append(c.sessions, best)
		c.cnt.sessionsOpened.Add(1)
		c.goBackground(best.open)
	}
	best.load++
	return best, nil
}

func (c *Client) release(s *session) {
	c.mu.Lock()
	s.load--
	c.mu.Unlock()
}

// forgetSession stops choosing s; its callers already hold it.
func (c *Client) forgetSession(s *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, v := range c.sessions {
		if v == s {
			c.sessions = append(c.sessions[:i:i], c.sessions[i+1:]...)
			return
		}
	}
}
