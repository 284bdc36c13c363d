package firewall

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
)

// DefaultSnapshotMaxAge bounds how stale a rule served from a snapshot
// can be. A refresh of hundreds of resources takes seconds, so one
// snapshot serves all of it; a longer-lived provider (a slow one-shot
// refresh, the acceptance tests' provider that outlives a step) reads
// the host again after this.
const DefaultSnapshotMaxAge = 30 * time.Second

// Snapshots serves the rule reads of a refresh from one bulk read per
// host. Reading rules one by one costs each read the whole store (the
// NetSecurity cmdlets' cost follows the number of rules on the host, not
// the number asked for: reference/windows-host.md 4.2), so a refresh of N
// rules would cost N times the store; through Snapshots it costs one List.
//
// Terraform refreshes resources in parallel: the first read of a host
// takes the snapshot and the reads that arrive meanwhile wait for it. Any
// write made through Snapshots forgets the host's snapshot, and a
// snapshot older than the maximum age is taken again. A rule missing from
// the snapshot is asked for by name before it is called gone, so a rule
// made since the snapshot is never reported missing.
//
// One Snapshots belongs to one provider configuration (it is never
// global); the zero value is not usable, call NewSnapshots. Callers are
// keyed by identity, so c must be comparable, as *remote.Client is.
type Snapshots struct {
	maxAge time.Duration
	now    func() time.Time

	mu    sync.Mutex
	hosts map[Caller]*hostSnapshots
}

type hostSnapshots struct {
	// cur is the snapshot to serve from, possibly still being read. A
	// write sets it to nil: a bulk read that overlapped the write still
	// answers the reads already waiting for it (they overlapped the write
	// too), but no later one.
	cur *snapshot
}

// snapshot is one bulk read; rules and err are set before done closes.
type snapshot struct {
	done  chan struct{}
	taken time.Time
	rules map[string]Rule // by lower-cased name; names are unique case-insensitively
	err   error
}

// NewSnapshots returns an empty cache whose snapshots serve reads for at
// most maxAge (DefaultSnapshotMaxAge when maxAge is not positive).
func NewSnapshots(maxAge time.Duration) *Snapshots {
	if maxAge <= 0 {
		maxAge = DefaultSnapshotMaxAge
	}
	return &Snapshots{maxAge: maxAge, now: time.Now, hosts: map[Caller]*hostSnapshots{}}
}

// Get reads one rule by name as Get does, from the host's snapshot.
func (s *Snapshots) Get(ctx context.Context, c Caller, name string) (Rule, error) {
	if err := checkName(name); err != nil {
		return Rule{}, err
	}
	snap := s.current(ctx, c)
	select {
	case <-snap.done:
	case <-ctx.Done():
		return Rule{}, ctx.Err()
	}
	if snap.err == nil {
		if r, ok := snap.rules[strings.ToLower(name)]; ok && strings.EqualFold(r.Name, name) {
			return r, nil
		}
	}
	// Not in the snapshot: made since, gone, or the bulk read failed. The
	// host's answer for this one name settles it, and a failed bulk read
	// costs each read no more than it cost before snapshots existed.
	return Get(ctx, c, name)
}

// current returns the host's snapshot to serve from, starting a bulk read
// when there is none or it is too old.
func (s *Snapshots) current(ctx context.Context, c Caller) *snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hosts[c]
	if h == nil {
		h = &hostSnapshots{}
		s.hosts[c] = h
	}
	if h.cur != nil && !s.expired(h.cur) {
		return h.cur
	}
	snap := &snapshot{done: make(chan struct{}), taken: s.now()}
	h.cur = snap
	// The read outlives the caller that started it: others wait for it
	// under their own contexts. It keeps the caller's values (log masks).
	go s.take(context.WithoutCancel(ctx), c, snap)
	return snap
}

// expired reports whether snap is too old to serve; a snapshot still
// being read is never expired. The caller holds s.mu.
func (s *Snapshots) expired(snap *snapshot) bool {
	select {
	case <-snap.done:
		return snap.err != nil || s.now().Sub(snap.taken) > s.maxAge
	default:
		return false
	}
}

func (s *Snapshots) take(ctx context.Context, c Caller, snap *snapshot) {
	rules, err := List(ctx, c, Filter{})
	if err == nil {
		snap.rules = make(map[string]Rule, len(rules))
		for _, r := range rules {
			snap.rules[strings.ToLower(r.Name)] = r
		}
	}
	snap.err = err
	close(snap.done) // publishes rules and err to every reader
}

// Invalidate forgets the host's snapshot, so the next read takes a new
// one. The write methods call it; a caller that changes the host's rules
// another way must too.
func (s *Snapshots) Invalidate(c Caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.hosts[c]; h != nil {
		h.cur = nil
	}
}

// Create is Create, and forgets the host's snapshot.
func (s *Snapshots) Create(ctx context.Context, c Caller, spec fwrule.RuleSpec) (Rule, error) {
	// Even a failed write may have changed the host (a timeout after the
	// agent acted), so the snapshot goes either way.
	defer s.Invalidate(c)
	return Create(ctx, c, spec)
}

// Update is Update, and forgets the host's snapshot.
func (s *Snapshots) Update(ctx context.Context, c Caller, spec fwrule.RuleSpec) (Rule, error) {
	defer s.Invalidate(c)
	return Update(ctx, c, spec)
}

// Delete is Delete, and forgets the host's snapshot.
func (s *Snapshots) Delete(ctx context.Context, c Caller, name string) error {
	defer s.Invalidate(c)
	return Delete(ctx, c, name)
}
