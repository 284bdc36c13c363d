package retry

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// unknownOutcome is a write whose answer was lost and whose effect could
// not be checked on the host. Nothing is sent again: the user learns that
// the host may or may not have the change, and how to find out.
type unknownOutcome struct {
	op    string
	cause error
	why   string
}

func (e *unknownOutcome) Error() string {
	return fmt.Sprintf("the host may or may not have applied %s: its answer was lost (%v), and %s; "+
		"it was not sent again, so it cannot have been applied twice. Run terraform plan (or apply again) to see what the host holds",
		e.op, causeText(e.cause), e.why)
}

func causeText(err error) string {
	var re *remote.Error
	if errors.As(err, &re) {
		return re.Message
	}
	return fmt.Sprint(err)
}

// read runs a check; found is false when the host says not_found.
func read(ctx context.Context, u remote.Unanswered, op string, args, result any) (found bool, err error) {
	err = u.Read(ctx, op, args, result)
	switch {
	case err == nil:
		return true, nil
	case remote.IsKind(err, protocol.NotFound):
		return false, nil
	default:
		return false, &unknownOutcome{op: u.Op, cause: u.Err, why: "checking the host failed too: " + causeText(err)}
	}
}

// done reports the write as applied, with what the host now holds.
func done(v any) (remote.Settled, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return remote.Settled{}, fmt.Errorf("encode the state read back: %w", err)
	}
	return remote.Settled{Done: true, Result: raw}, nil
}

// notApplied lets the write be sent again: the host shows no trace of it.
var notApplied = remote.Settled{}

// differs is a create whose object now exists but is not what was asked:
// it may have existed before (and the create failed on the host), or have
// been changed meanwhile. Either way it is not adopted silently.
func differs(u remote.Unanswered, what, name string, diffs []string) error {
	return &remote.Error{Kind: protocol.AlreadyExists, Op: u.Op, Message: fmt.Sprintf(
		"the answer to the create was lost (%s), and the host now has %s %q that differs from the one asked for (%s): "+
			"it may have existed before, or been changed since. It was not adopted; import it to manage it, or remove it",
		causeText(u.Err), what, name, strings.Join(diffs, "; "))}
}

// settleDelete: a delete took effect when the object is gone.
func settleDelete[T any](getOp string, query func(T) any) settleFunc {
	return func(ctx context.Context, u remote.Unanswered) (remote.Settled, error) {
		a, err := args[T](u)
		if err != nil {
			return notApplied, err
		}
		var scratch json.RawMessage
		found, err := read(ctx, u, getOp, query(a), &scratch)
		switch {
		case err != nil:
			return notApplied, err
		case found:
			return notApplied, nil
		}
		return remote.Settled{Done: true}, nil
	}
}

func settlePoolCreate(ctx context.Context, u remote.Unanswered) (remote.Settled, error) {
	a, err := args[hostapi.AppPoolSettings](u)
	if err != nil {
		return notApplied, err
	}
	var got hostapi.AppPool
	found, err := read(ctx, u, hostapi.OpAppPoolGet, hostapi.AppPoolName{Name: a.Name}, &got)
	if err != nil || !found {
		return notApplied, err
	}
	if d := poolDiffs(a, got); len(d) > 0 {
		return notApplied, differs(u, "an application pool", a.Name, d)
	}
	return done(got)
}

// settlePoolUpdate: an update took effect when every setting it carried is
// what the host holds; else it is sent again (setting values is
// idempotent).
func settlePoolUpdate(ctx context.Context, u remote.Unanswered) (remote.Settled, error) {
	a, err := args[hostapi.AppPoolSettings](u)
	if err != nil {
		return notApplied, err
	}
	var got hostapi.AppPool
	found, err := read(ctx, u, hostapi.OpAppPoolGet, hostapi.AppPoolName{Name: a.Name}, &got)
	switch {
	case err != nil:
		return notApplied, err
	case !found:
		// Sending it again gets the host's own not_found.
		return notApplied, nil
	case len(poolDiffs(a, got)) == 0:
		return done(got)
	}
	return notApplied, nil
}

// settleIdentitySet compares the identity and, through the digest the set
// asked for, the password: an identity change recycles the pool, so it is
// not repeated when it already took effect.
func settleIdentitySet(ctx context.Context, u remote.Unanswered) (remote.Settled, error) {
	a, err := args[hostapi.AppPoolIdentitySettings](u)
	if err != nil {
		return notApplied, err
	}
	var got hostapi.AppPoolIdentity
	found, err := read(ctx, u, hostapi.OpAppPoolIdentityGet, hostapi.AppPoolIdentityQuery{Name: a.Name, Check: a.Check}, &got)
	switch {
	case err != nil:
		return notApplied, err
	case !found:
		return notApplied, nil
	}
	same := strings.EqualFold(got.IdentityType, a.IdentityType) &&
		(a.LogonType == "" || strings.EqualFold(got.LogonType, a.LogonType))
	if strings.EqualFold(a.IdentityType, hostapi.IdentitySpecificUser) {
		same = same && strings.EqualFold(got.UserName, a.UserName)
		if a.Password != nil {
			same = same && passwordMatches(*a.Password, a.Check, got.PasswordDigest)
		}
	}
	if same {
		return done(got)
	}
	return notApplied, nil
}

// passwordMatches derives the digest the host computes (hostapi's
// PasswordDigest) from the password that was sent and compares.
func passwordMatches(password string, check *hostapi.PasswordCheck, digest string) bool {
	if check == nil || digest == "" {
		return false // nothing to compare: send it again, which is harmless
	}
	salt, err := base64.StdEncoding.DecodeString(check.Salt)
	if err != nil {
		return false
	}
	key, err := pbkdf2.Key(sha1.New, password, salt, check.Iterations, hostapi.PasswordDigestBytes)
	if err != nil {
		return false
	}
	want := base64.StdEncoding.EncodeToString(key)
	return subtle.ConstantTimeCompare([]byte(want), []byte(digest)) == 1
}

// settleAnonSet: the section's values can be compared, its password
// cannot (it never travels back), so a set with a password is sent again;
// writing the same values twice has no effect beyond the first.
func settleAnonSet(ctx context.Context, u remote.Unanswered) (remote.Settled, error) {
	a, err := args[hostapi.AnonAuthSettings](u)
	if err != nil {
		return notApplied, err
	}
	if a.Password != "" {
		return notApplied, nil
	}
	var got hostapi.AnonAuth
	found, err := read(ctx, u, hostapi.OpAnonAuthGet, hostapi.AnonAuthLocation{Location: a.Location}, &got)
	switch {
	case err != nil:
		return notApplied, err
	case found && got.Configured && got.Enabled == a.Enabled && strings.EqualFold(got.UserName, a.UserName) && !got.PasswordSet:
		return done(got)
	}
	return notApplied, nil
}

// settleAnonClear: clearing is idempotent by definition (clearing a
// location with no settings of its own succeeds), so it is sent again.
func settleAnonClear(context.Context, remote.Unanswered) (remote.Settled, error) {
	return notApplied, nil
}
