package remote

import (
	"errors"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// Error is a failed call: an error the agent reported, or a failure to reach
// or talk to the host, with its kind from the closed set in protocol.
type Error struct {
	Kind    protocol.Kind
	Host    string
	Op      string // the operation name, or a phase such as "open session"
	Message string // already redacted
	Err     error  // the underlying cause, if any (for errors.Is/As)
}

// Error reads like "host web01: app_pool.create: already_exists: ...".
func (e *Error) Error() string {
	if e.Op == "" {
		return fmt.Sprintf("host %s: %s: %s", e.Host, e.Kind, e.Message)
	}
	return fmt.Sprintf("host %s: %s: %s: %s", e.Host, e.Op, e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// IsKind reports whether err is, or wraps, an *Error of kind k.
func IsKind(err error, k protocol.Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// kindError carries a kind and a user-facing message from the transport
// layer up to where host and operation are known.
type kindError struct {
	kind protocol.Kind
	msg  string
	err  error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.err }

func newKindError(k protocol.Kind, err error, format string, a ...any) *kindError {
	return &kindError{kind: k, msg: fmt.Sprintf(format, a...), err: err}
}

// asError turns any failure into an *Error for host and op, redacting its
// text. An *Error passes through with op filled in if it had none.
func asError(host, op string, err error, red *redactor) *Error {
	var re *Error
	if errors.As(err, &re) {
		out := *re
		if out.Op == "" {
			out.Op = op
		}
		return &out
	}
	kind := protocol.Unavailable
	var ke *kindError
	if errors.As(err, &ke) {
		kind = ke.kind
	}
	return &Error{Kind: kind, Host: host, Op: op, Message: red.redact(err.Error()), Err: err}
}

// ErrLanguageMode is wrapped by the error of a call whose agent could not
// start because PowerShell on the host does not run in FullLanguage: a
// WDAC or AppLocker policy with script enforcement puts every powershell.exe
// a WinRM user starts in ConstrainedLanguage, where the agent's .NET calls
// are refused. Retrying cannot help, so its kind is access_denied.
var ErrLanguageMode = errors.New("PowerShell on the host does not run in FullLanguage mode")

// languageModeError recognises the bootstrap's refusal (protocol.
// LanguageModeRefusal) in the agent's stderr, and returns nil otherwise.
// Only the mode's name is taken from the host's text, and only when it is
// a plain word.
func languageModeError(stderr string) error {
	_, rest, ok := strings.Cut(stderr, protocol.LanguageModeRefusal)
	if !ok {
		return nil
	}
	mode, _, _ := strings.Cut(rest, " ")
	if mode == "" || strings.Trim(mode, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		mode = "a constrained language"
	}
	return newKindError(protocol.AccessDenied, ErrLanguageMode,
		"PowerShell on the host runs in %s mode, where the provider's agent cannot run: it needs FullLanguage", mode)
}
