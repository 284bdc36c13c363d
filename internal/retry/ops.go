package retry

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// settleFunc looks at the host after a write's answer was lost.
type settleFunc func(ctx context.Context, u remote.Unanswered) (remote.Settled, error)

// readVerbs are the verbs of operations that change nothing on the host
// (hostapi names every operation "<area>.<verb>"): sending one again is
// harmless, whatever became of the first.
var readVerbs = map[string]bool{"get": true, "list": true, "info": true, "resolve": true}

// writes says, for each write, how to tell on the host whether it took
// effect. A write missing here (a new operation) is never sent twice after
// a lost answer: the user is told its outcome is unknown instead.
var writes = map[string]settleFunc{
	hostapi.OpAppPoolCreate:      settlePoolCreate,
	hostapi.OpAppPoolUpdate:      settlePoolUpdate,
	hostapi.OpAppPoolDelete:      settleDelete(hostapi.OpAppPoolGet, func(a hostapi.AppPoolDelete) any { return hostapi.AppPoolName{Name: a.Name} }),
	hostapi.OpAppPoolIdentitySet: settleIdentitySet,
	hostapi.OpAnonAuthSet:        settleAnonSet,
	hostapi.OpAnonAuthClear:      settleAnonClear,
	hostapi.OpFirewallRuleCreate: settleRuleCreate,
	hostapi.OpFirewallRuleUpdate: settleRuleUpdate,
	hostapi.OpFirewallRuleDelete: settleDelete(hostapi.OpFirewallRuleGet, func(a hostapi.FirewallRuleName) any { return a }),
}

// IsRead reports whether op only reads the host.
func IsRead(op string) bool {
	i := strings.LastIndexByte(op, '.')
	return i >= 0 && readVerbs[op[i+1:]]
}

// Settle is the remote.Settler for hostapi's operations.
func Settle(ctx context.Context, u remote.Unanswered) (remote.Settled, error) {
	if IsRead(u.Op) {
		return remote.Settled{}, nil // reading again is harmless
	}
	settle, ok := writes[u.Op]
	if !ok {
		return remote.Settled{}, &unknownOutcome{op: u.Op, cause: u.Err, why: "the provider has no way to check this operation"}
	}
	return settle(ctx, u)
}

// args decodes the arguments the lost request carried.
func args[T any](u remote.Unanswered) (T, error) {
	var a T
	if err := json.Unmarshal(u.Args, &a); err != nil {
		return a, &unknownOutcome{op: u.Op, cause: u.Err, why: "its arguments cannot be read back: " + err.Error()}
	}
	return a, nil
}
