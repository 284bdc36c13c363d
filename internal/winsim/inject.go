package winsim

import (
	"strings"
	"sync"
	"time"
)

// Faults are transport and service failures a test switches on while the
// server runs. Every knob is count-based, so a test knows exactly which
// request fails. The zero value injects nothing and all methods are safe
// for concurrent use.
//
// A fault applies to authenticated SOAP requests only (never to the 401
// rounds of an NTLM handshake), optionally restricted to some actions by
// their short names (Create, Command, Send, Receive, Signal, Delete, Get).
// Pending faults are consumed in the order they were armed.
type Faults struct {
	mu      sync.Mutex
	pending []*injection
	slow    time.Duration
}

type faultKind int

const (
	// kindDrop closes the TCP connection after reading the request and
	// before acting on it: the operation never happened.
	kindDrop faultKind = iota + 1
	// kindDropReply acts on the request, then closes the connection
	// without a reply: the operation happened but the client cannot know.
	kindDropReply
	// kindHTTP500 replies a w:InternalError fault without acting.
	kindHTTP500
	// kindMalformed acts, then replies 200 with a body that is not XML.
	kindMalformed
	// kindTruncate acts, then sends half the reply and closes.
	kindTruncate
)

type injection struct {
	kind      faultKind
	remaining int
	actions   map[string]bool // empty: any action
	// match, when set, aims the fault at one exchange: it sees the
	// request and the reply (SOAP bodies, after the action ran) and the
	// fault fires only where it returns true. Only faults that act
	// first (drop reply, truncate, malformed) can be aimed.
	match func(request, reply []byte) bool
}

func (f *Faults) arm(kind faultKind, n int, actions []string) {
	if n <= 0 {
		return
	}
	in := &injection{kind: kind, remaining: n, actions: map[string]bool{}}
	for _, a := range actions {
		in.actions[strings.ToLower(a)] = true
	}
	f.mu.Lock()
	f.pending = append(f.pending, in)
	f.mu.Unlock()
}

// DropReplyWhen acts on the next n requests of action for which match
// returns true, then closes the connection instead of replying. match gets
// the request and the reply the client would have read, so a test can aim
// the loss at the Send that carried one agent request, or the Receive that
// carried one response; the simulator itself stays ignorant of the agent's
// protocol.
func (f *Faults) DropReplyWhen(n int, action string, match func(request, reply []byte) bool) {
	f.armWhen(kindDropReply, n, action, match)
}

// TruncateWhen is TruncateNextN aimed like DropReplyWhen.
func (f *Faults) TruncateWhen(n int, action string, match func(request, reply []byte) bool) {
	f.armWhen(kindTruncate, n, action, match)
}

// MalformedWhen is MalformedNextN aimed like DropReplyWhen.
func (f *Faults) MalformedWhen(n int, action string, match func(request, reply []byte) bool) {
	f.armWhen(kindMalformed, n, action, match)
}

func (f *Faults) armWhen(kind faultKind, n int, action string, match func(request, reply []byte) bool) {
	if n <= 0 || match == nil {
		return
	}
	in := &injection{kind: kind, remaining: n, actions: map[string]bool{strings.ToLower(action): true}, match: match}
	f.mu.Lock()
	f.pending = append(f.pending, in)
	f.mu.Unlock()
}

// DropNextN closes the connection of the next n matching requests without
// a reply and without acting on them.
func (f *Faults) DropNextN(n int, actions ...string) { f.arm(kindDrop, n, actions) }

// DropReplyNextN acts on the next n matching requests, then closes the
// connection instead of replying.
func (f *Faults) DropReplyNextN(n int, actions ...string) { f.arm(kindDropReply, n, actions) }

// HTTP500NextN answers the next n matching requests with a w:InternalError
// SOAP fault ("The remote procedure call failed.") without acting on them.
func (f *Faults) HTTP500NextN(n int, actions ...string) { f.arm(kindHTTP500, n, actions) }

// MalformedNextN acts on the next n matching requests and replies 200 with
// a SOAP content type but a body that is not well-formed XML.
func (f *Faults) MalformedNextN(n int, actions ...string) { f.arm(kindMalformed, n, actions) }

// TruncateNextN acts on the next n matching requests, sends the reply
// headers and half the body, then closes the connection.
func (f *Faults) TruncateNextN(n int, actions ...string) { f.arm(kindTruncate, n, actions) }

// SetSlowReply delays every reply by d (0 switches it off). Unlike
// Latency.RTT it applies to SOAP replies only, so a test can push a single
// phase past a client timeout.
func (f *Faults) SetSlowReply(d time.Duration) {
	f.mu.Lock()
	f.slow = d
	f.mu.Unlock()
}

// SlowReply returns the current reply delay.
func (f *Faults) SlowReply() time.Duration {
	if f == nil {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slow
}

// Pending returns how many armed faults have not fired yet.
func (f *Faults) Pending() int {
	if f == nil {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, in := range f.pending {
		n += in.remaining
	}
	return n
}

// Clear disarms every pending fault and the reply delay.
func (f *Faults) Clear() {
	f.mu.Lock()
	f.pending, f.slow = nil, 0
	f.mu.Unlock()
}

// take consumes the first pending fault that matches action.
func (f *Faults) take(action string) faultKind {
	if f == nil {
		return 0
	}
	action = strings.ToLower(action)
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, in := range f.pending {
		if in.match != nil || (len(in.actions) > 0 && !in.actions[action]) {
			continue
		}
		f.consume(i)
		return in.kind
	}
	return 0
}

// takeAimed consumes the first aimed fault whose match accepts this
// exchange, once the action has run and its reply is known.
func (f *Faults) takeAimed(action string, request, reply []byte) faultKind {
	if f == nil {
		return 0
	}
	action = strings.ToLower(action)
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, in := range f.pending {
		if in.match == nil || !in.actions[action] || !in.match(request, reply) {
			continue
		}
		f.consume(i)
		return in.kind
	}
	return 0
}

// consume counts one firing of pending[i]; f.mu is held.
func (f *Faults) consume(i int) {
	in := f.pending[i]
	in.remaining--
	if in.remaining == 0 {
		f.pending = append(f.pending[:i], f.pending[i+1:]...)
	}
}
