package remote

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// ReadCache shares the answers to read operations between the calls of one
// provider configuration, which Terraform makes anew for every command: a
// plan reads each resource's state and then plans it, and both ask the
// host the same questions (a pool's identity, the host's sites and pools),
// as do many resources of one host (the host-wide anonauth.resolve). With
// the cache each question reaches the host once per command.
//
// An answer is served only while no write was made through the same client
// since it was asked for (whatever context the write came with) and for at
// most the cache's maximum age; concurrent identical reads share one call.
// Failed reads are never kept. Each caller of Call decodes its own copy of
// the result, so no caller can change another's; CallShared's callers
// share one decoded value and only read it.
//
// remote knows nothing of which operations only read: isRead says.
type ReadCache struct {
	isRead func(op string) bool
	maxAge time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[readKey]*readEntry
}

type readKey struct {
	c    *Client
	op   string
	args string
}

type readEntry struct {
	done  chan struct{}
	gen   uint64 // the client's write generation when the read started
	taken time.Time
	raw   json.RawMessage // set before done closes
	err   error

	mu     sync.Mutex
	values map[string]*sharedValue // CallShared's, by key
}

type sharedValue struct {
	once sync.Once
	v    any
	err  error
}

// shared returns the value made of the entry's answer under key, making
// it with build the first time.
func (e *readEntry) shared(key string, build func() (any, error)) (any, error) {
	e.mu.Lock()
	sv := e.values[key]
	if sv == nil {
		if e.values == nil {
			e.values = map[string]*sharedValue{}
		}
		sv = &sharedValue{}
		e.values[key] = sv
	}
	e.mu.Unlock()
	sv.once.Do(func() { sv.v, sv.err = build() })
	return sv.v, sv.err
}

// NewReadCache returns an empty cache; maxAge bounds how stale an answer
// can be (30 s when not positive).
func NewReadCache(isRead func(op string) bool, maxAge time.Duration) *ReadCache {
	if maxAge <= 0 {
		maxAge = 30 * time.Second
	}
	return &ReadCache{isRead: isRead, maxAge: maxAge, now: time.Now, entries: map[readKey]*readEntry{}}
}

type readCacheKey struct{}

// WithReadCache returns ctx carrying rc: every Call made with it shares
// reads through rc. The provider attaches its configuration's cache to the
// context of each request it serves.
func WithReadCache(ctx context.Context, rc *ReadCache) context.Context {
	if rc == nil {
		return ctx
	}
	return context.WithValue(ctx, readCacheKey{}, rc)
}

func readCacheFrom(ctx context.Context) *ReadCache {
	rc, _ := ctx.Value(readCacheKey{}).(*ReadCache)
	return rc
}

// call answers a read from the cache, or asks the host once for everyone
// who asks meanwhile. The question runs on its own, under the first
// caller's values but not its cancellation, so a caller that gives up
// does not fail the others; each waits under its own context.
func (rc *ReadCache) call(ctx context.Context, c *Client, op string, raw json.RawMessage, result any) error {
	e, err := rc.answer(ctx, c, op, raw)
	if err != nil {
		return err
	}
	return c.decode(op, protocol.Response{OK: true, Result: e.raw}, result)
}

// answer returns the entry holding a successful answer to the read.
func (rc *ReadCache) answer(ctx context.Context, c *Client, op string, raw json.RawMessage) (*readEntry, error) {
	key := readKey{c: c, op: op, args: string(raw)}
	e, mine := rc.entry(key, c.writes.Load())
	if mine {
		go func() {
			var out json.RawMessage
			e.err = c.call(context.WithoutCancel(ctx), op, raw, &out)
			e.raw = out
			if e.err != nil || c.writes.Load() != e.gen {
				rc.drop(key, e) // failed, or a write overlapped it: not for later callers
			}
			close(e.done)
		}()
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, asError(c.cfg.Host, op, cancelled(ctx, "waiting for the same read by another call"), c.red)
	}
	if e.err != nil {
		return nil, e.err
	}
	return e, nil
}

// entry returns the live entry for key, or a new one the caller must
// fill (mine).
func (rc *ReadCache) entry(key readKey, gen uint64) (e *readEntry, mine bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if e := rc.entries[key]; e != nil && e.gen == gen && rc.now().Sub(e.taken) <= rc.maxAge {
		return e, false
	}
	e = &readEntry{done: make(chan struct{}), gen: gen, taken: rc.now()}
	rc.entries[key] = e
	return e, true
}

func (rc *ReadCache) drop(key readKey, e *readEntry) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.entries[key] == e {
		delete(rc.entries, key)
	}
}

// SharesReads reports whether ctx carries a ReadCache: a caller can then
// read a whole list where it needs one item, knowing the list is read once
// for everyone (see iis.AppPoolFromList).
func SharesReads(ctx context.Context) bool { return readCacheFrom(ctx) != nil }
