// Package retry decides which host operations are tried again after a
// failure, how long to wait between tries, and what became of a write whose
// answer was lost. internal/remote provides the seams (Config.Retry and
// Config.Settle) and knows no operation's meaning; the table here does,
// by operation name from internal/hostapi.
//
// The rules:
//   - a read (get, list, info, resolve) is tried again on unavailable and
//     on any transport failure, with exponential backoff and full jitter,
//     a bounded number of times;
//   - a write is tried again only when its request certainly never reached
//     the host, or when the host shows it took no effect;
//   - a write whose request may have reached the host but whose answer was
//     lost is first checked on the host (Settle): a create that happened is
//     read back and, when it is what was asked, reported as done, so the
//     object ends up in Terraform's state rather than as an orphan.
package retry

import (
	"math/rand/v2"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// Policy is the backoff schedule. Try n (from 1) waits a random time in
// [0, min(Max, Base·2^(n-1))] ("full jitter"), so that the many resources
// of one apply that failed together do not retry together.
type Policy struct {
	// MaxAttempts bounds the tries of one call, the first included.
	MaxAttempts int
	Base, Max   time.Duration
	// Rand returns a float in [0, 1); nil uses math/rand/v2, which is safe
	// for concurrent use. Tests set it to make waits predictable.
	Rand func() float64
}

// DefaultPolicy tries a call up to 5 times, waiting at most 0.25, 0.5, 1
// and 2 s between tries: about 4 s in the worst case on top of the tries
// themselves, enough to ride out a WinRM service restart or a dropped
// connection, and short next to Terraform's own timeouts.
func DefaultPolicy() Policy {
	return Policy{MaxAttempts: 5, Base: 250 * time.Millisecond, Max: 2 * time.Second}
}

// Func is the policy as remote.Config.Retry wants it.
func (p Policy) Func() remote.RetryPolicy {
	return func(a remote.Attempt) (time.Duration, bool) {
		if a.Number >= p.MaxAttempts || !Retryable(a) {
			return 0, false
		}
		return p.wait(a.Number), true
	}
}

// wait is the jittered backoff after try n.
func (p Policy) wait(n int) time.Duration {
	ceiling := p.Base
	for i := 1; i < n && ceiling < p.Max; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, p.Max)
	r := rand.Float64
	if p.Rand != nil {
		r = p.Rand
	}
	return time.Duration(r() * float64(ceiling))
}

// Retryable reports whether a failed attempt may be tried again at all,
// whatever the count: the failure must be one that can pass (the host
// unavailable, the transport broken), and trying again must not risk
// applying a write twice.
func Retryable(a remote.Attempt) bool {
	transient := !a.Answered || remote.IsKind(a.Err, protocol.Unavailable)
	if !transient {
		return false // the agent answered with the operation's own outcome
	}
	if remote.IsKind(a.Err, protocol.AccessDenied) || remote.IsKind(a.Err, protocol.InvalidArgument) {
		// Wrong credentials or a request the client could not frame:
		// trying again only repeats it (and may lock the account).
		return false
	}
	if IsRead(a.Op) {
		return true
	}
	return !a.Delivered
}
