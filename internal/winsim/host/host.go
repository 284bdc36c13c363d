// Package host is the simulated Windows host's inner state: system facts,
// local accounts and groups, the IIS configuration the provider manages
// (app pools with their layered defaults, sites and applications, the
// anonymousAuthentication section with its location elements) and the
// firewall's persistent store. It starts as a fresh Windows Server 2022
// with IIS 10 (reference/windows-host.md) and answers the agent's
// operations (Handle) as well as an administrator's out-of-band changes
// (the Go methods and RunAdmin).
//
// A Host lives in memory (New) or in a JSON file (Open) that several
// processes share: each operation takes a file lock, reloads the file if
// another process changed it, applies, and saves atomically.
package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/cpu"
)

// Options shape a new host.
type Options struct {
	// ComputerName of a fresh host; ignored when Open finds a state file.
	ComputerName string
	// MachineSID is the domain part of local account SIDs of a fresh host.
	MachineSID string
	// Latency is what each agent operation costs.
	Latency Latency
}

// Latency models what operations cost on a real host. PerFirewallRule is
// charged per rule in the store for every firewall operation, because the
// NetSecurity cmdlets' cost follows the total number of rules, not the
// number asked for (windows-host.md 4.2).
type Latency struct {
	PerOp           time.Duration
	PerFirewallRule time.Duration
	// CPUs are the host's processors: an operation holds one for its
	// cost. nil for no limit.
	CPUs *cpu.CPUs
}

// Stats counts what the host has done since it was created or opened.
type Stats struct {
	Ops     uint64            // agent operations handled
	ByOp    map[string]uint64 // the same, per operation name
	Reloads uint64            // state file reloads caused by another writer
	Saves   uint64            // state file saves
	// Work is the time the latency model charged for the operations: what
	// the host itself spent, whatever the client and network added. The
	// benchmark divides it by the sessions for its lower bound.
	Work time.Duration
}

// Host is one simulated Windows host. It is safe for concurrent use.
type Host struct {
	mu    sync.Mutex // serialises operations within this process
	state *State
	file  *stateFile // nil for an in-memory host
	lat   Latency
	ops   map[string]opFunc

	statsMu sync.Mutex
	stats   Stats
}

// New returns a fresh host kept in memory.
func New(opts Options) *Host {
	return newHost(freshState(opts), nil, opts)
}

// Open returns the host kept in the JSON file at path, creating a fresh
// one there when the file does not exist.
func Open(path string, opts Options) (*Host, error) {
	f := &stateFile{path: path}
	h := newHost(nil, f, opts)
	ctx := context.Background()
	unlock, err := f.lock(ctx, true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := h.refresh(); err == nil {
		return h, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	h.state = freshState(opts)
	if err := h.save(h.state); err != nil {
		return nil, err
	}
	return h, nil
}

func newHost(s *State, f *stateFile, opts Options) *Host {
	return &Host{state: s, file: f, lat: opts.Latency, ops: operations(), stats: Stats{ByOp: map[string]uint64{}}}
}

// Stats returns a copy of the counters.
func (h *Host) Stats() Stats {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	s := h.stats
	s.ByOp = make(map[string]uint64, len(h.stats.ByOp))
	for k, v := range h.stats.ByOp {
		s.ByOp[k] = v
	}
	return s
}

func (h *Host) count(f func(*Stats)) {
	h.statsMu.Lock()
	f(&h.stats)
	h.statsMu.Unlock()
}

// view runs fn on the current state without changing it.
func (h *Host) view(ctx context.Context, fn func(*State) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.file != nil {
		unlock, err := h.file.lock(ctx, false)
		if err != nil {
			return err
		}
		defer unlock()
		if err := h.refresh(); err != nil {
			return err
		}
	}
	return fn(h.state)
}

// update runs fn on a copy of the current state and keeps the copy only if
// fn succeeds, so a failed operation changes nothing.
func (h *Host) update(ctx context.Context, fn func(*State) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.file != nil {
		unlock, err := h.file.lock(ctx, true)
		if err != nil {
			return err
		}
		defer unlock()
		if err := h.refresh(); err != nil {
			return err
		}
	}
	next, err := cloneState(h.state)
	if err != nil {
		return err
	}
	if err := fn(next); err != nil {
		return err
	}
	if h.file != nil {
		if err := h.save(next); err != nil {
			return err
		}
	}
	h.state = next
	return nil
}

// refresh reloads the state file if it is not the one last seen. Callers
// hold the file lock.
func (h *Host) refresh() error {
	s, reloaded, err := h.file.loadIfChanged()
	if err != nil {
		return err
	}
	if reloaded {
		if h.state != nil {
			h.count(func(st *Stats) { st.Reloads++ })
		}
		h.state = s
	}
	return nil
}

func (h *Host) save(s *State) error {
	if err := h.file.save(s); err != nil {
		return err
	}
	h.count(func(st *Stats) { st.Saves++ })
	return nil
}

// Snapshot returns a deep copy of the whole state, for display and tests.
func (h *Host) Snapshot(ctx context.Context) (*State, error) {
	var out *State
	err := h.view(ctx, func(s *State) error {
		var err error
		out, err = cloneState(s)
		return err
	})
	return out, err
}

func cloneState(s *State) (*State, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("host: copy state: %w", err)
	}
	var out State
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("host: copy state: %w", err)
	}
	return &out, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// asProtocolError keeps an error's kind, or calls it internal.
func asProtocolError(err error) *protocol.Error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &protocol.Error{Kind: protocol.Unavailable, Message: "operation cancelled"}
	}
	return &protocol.Error{Kind: protocol.Internal, Message: err.Error()}
}
