package provider

import (
	"context"
	"sync"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// reachability remembers, for each client (one host as one identity),
// whether the host answered at its WinRM port. One provider configuration
// lives for one Terraform command, so this is what one run learned.
//
// Without it, a host that is switched off would cost every resource on it
// masterzen's 30 s connect timeout, once per attempt of the retry policy
// and once per wave of Terraform's parallelism: minutes for a fleet's
// dead host, while the other hosts' resources wait behind the run. With
// it, the first operation on the host waits at most the connect bound,
// and every later one fails at once with the same error.
type reachability struct {
	mu      sync.Mutex
	clients map[*remote.Client]*reachEntry
}

type reachEntry struct {
	// mu is held while checking, so that the operations arriving during
	// the check wait for its verdict instead of dialling again.
	mu      sync.Mutex
	checked bool
	err     error
}

// check returns nil when c's host answers, or the unavailable error that
// says it did not within the connect bound (the provider's timeout, at most
// remote.MaxConnectWait).
func (r *reachability) check(ctx context.Context, c *remote.Client, timeout time.Duration) error {
	r.mu.Lock()
	if r.clients == nil {
		r.clients = map[*remote.Client]*reachEntry{}
	}
	e, ok := r.clients[c]
	if !ok {
		e = &reachEntry{}
		r.clients[c] = e
	}
	r.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.checked {
		return e.err
	}
	err := c.CheckReachable(ctx, timeout)
	if err != nil && ctx.Err() != nil {
		// The caller gave up, which says nothing about the host: the
		// next operation checks again.
		return err
	}
	e.checked, e.err = true, err
	return err
}
