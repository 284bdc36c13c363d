package retry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

func TestBackoffGrowsToItsCapWithJitterBelowIt(t *testing.T) {
	p := Policy{MaxAttempts: 10, Base: 100 * time.Millisecond, Max: time.Second, Rand: func() float64 { return 0.999999 }}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, time.Second, time.Second}
	for i, w := range want {
		got := p.wait(i + 1)
		if got > w || got < w*99/100 {
			t.Errorf("wait after try %d = %s, want just under %s", i+1, got, w)
		}
	}
	p.Rand = func() float64 { return 0 }
	if got := p.wait(3); got != 0 {
		t.Errorf("full jitter may wait nothing; got %s", got)
	}
	p.Rand = nil
	for range 100 {
		if got := p.wait(2); got < 0 || got > 200*time.Millisecond {
			t.Fatalf("random wait %s outside [0, 200ms]", got)
		}
	}
}

func TestPolicyStopsAtMaxAttempts(t *testing.T) {
	f := DefaultPolicy().Func()
	unavailable := &remote.Error{Kind: protocol.Unavailable, Message: "connection reset"}
	for n := 1; n <= 5; n++ {
		_, again := f(remote.Attempt{Op: hostapi.OpAppPoolGet, Number: n, Delivered: true, Err: unavailable})
		if again != (n < 5) {
			t.Errorf("try %d: retry = %t", n, again)
		}
	}
}

func TestRetryable(t *testing.T) {
	unavailable := &remote.Error{Kind: protocol.Unavailable, Message: "x"}
	internal := &remote.Error{Kind: protocol.Internal, Message: "malformed reply"}
	notFound := &remote.Error{Kind: protocol.NotFound, Message: "x"}
	denied := &remote.Error{Kind: protocol.AccessDenied, Message: "x"}
	for _, tc := range []struct {
		name string
		a    remote.Attempt
		want bool
	}{
		{"read, transport failure after delivery", remote.Attempt{Op: hostapi.OpAppPoolGet, Delivered: true, Err: internal}, true},
		{"read, agent says unavailable", remote.Attempt{Op: hostapi.OpFirewallRuleList, Delivered: true, Answered: true, Err: unavailable}, true},
		{"read, agent says not_found", remote.Attempt{Op: hostapi.OpAppPoolGet, Delivered: true, Answered: true, Err: notFound}, false},
		{"read, wrong password", remote.Attempt{Op: hostapi.OpHostInfo, Err: denied}, false},
		{"write never delivered", remote.Attempt{Op: hostapi.OpAppPoolCreate, Err: unavailable}, true},
		{"write delivered, answer lost", remote.Attempt{Op: hostapi.OpAppPoolCreate, Delivered: true, Err: unavailable}, false},
		{"write answered unavailable", remote.Attempt{Op: hostapi.OpFirewallRuleCreate, Delivered: true, Answered: true, Err: unavailable}, false},
		{"unknown op delivered", remote.Attempt{Op: "acl.frobnicate", Delivered: true, Err: unavailable}, false},
		{"new read op by its verb", remote.Attempt{Op: "site.list", Delivered: true, Err: unavailable}, true},
	} {
		if got := Retryable(tc.a); got != tc.want {
			t.Errorf("%s: Retryable = %t, want %t", tc.name, got, tc.want)
		}
	}
}

// Every operation of hostapi is either a read by its verb or a write the
// host can be asked about, so none falls to "outcome unknown" by
// oversight.
func TestEveryOperationIsClassified(t *testing.T) {
	reads := []string{hostapi.OpHostInfo, hostapi.OpAccountResolve, hostapi.OpAppPoolList, hostapi.OpAppPoolGet,
		hostapi.OpAppPoolIdentityGet, hostapi.OpAnonAuthGet, hostapi.OpAnonAuthResolve, hostapi.OpFirewallRuleGet, hostapi.OpFirewallRuleList}
	for _, op := range reads {
		if !IsRead(op) {
			t.Errorf("%s is not read-only by its verb", op)
		}
	}
	for _, op := range []string{hostapi.OpAppPoolCreate, hostapi.OpAppPoolUpdate, hostapi.OpAppPoolDelete, hostapi.OpAppPoolIdentitySet,
		hostapi.OpAnonAuthSet, hostapi.OpAnonAuthClear, hostapi.OpFirewallRuleCreate, hostapi.OpFirewallRuleUpdate, hostapi.OpFirewallRuleDelete} {
		if IsRead(op) {
			t.Errorf("%s counts as a read", op)
		}
		if writes[op] == nil {
			t.Errorf("%s has no check for a lost answer", op)
		}
	}
}

func TestUnknownWriteIsNeverResent(t *testing.T) {
	cause := &remote.Error{Kind: protocol.Unavailable, Message: "the agent process exited"}
	_, err := Settle(t.Context(), remote.Unanswered{Op: "acl.frobnicate", Err: cause,
		Read: func(_ context.Context, op string, _, _ any) error {
			t.Fatalf("Settle read %s for an operation it cannot check", op)
			return nil
		}})
	var uo *unknownOutcome
	if !errors.As(err, &uo) {
		t.Fatalf("Settle = %v, want an unknown outcome", err)
	}
	t.Log(err)
}
