package remote

import (
	"errors"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

func TestRedact(t *testing.T) {
	r := &redactor{}
	r.add("")                // ignored: would mask nothing useful
	r.add(`pa"ss<w>ord`)     // quotes and angle brackets: JSON and XML forms differ
	r.add(`pa"ss<w>ord-ext`) // contains the first: must be masked whole
	r.add("Zürich$(whoami)")

	tests := []struct{ in, want string }{
		{`set password pa"ss<w>ord failed`, "set password *** failed"},
		{`json: {"password":"pa\"ss<w>ord"}`, `json: {"password":"***"}`},
		{`json: {"password":"pa\"ss\u003cw\u003eord"}`, `json: {"password":"***"}`},
		{`xml: <P>pa&quot;ss&lt;w&gt;ord</P>`, `xml: <P>***</P>`},
		{`longer pa"ss<w>ord-ext here`, "longer *** here"},
		{"unicode Zürich$(whoami) ok", "unicode *** ok"},
		{"nothing secret", "nothing secret"},
	}
	for _, tt := range tests {
		if got := r.redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var nilRed *redactor
	if got := nilRed.redact("x"); got != "x" {
		t.Errorf("nil redactor changed text: %q", got)
	}
}

func TestAgentErrorsAreRedacted(t *testing.T) {
	c := newClient(NewPool(nil), validConfig())
	c.Redact("Hunter2-user-secret")
	resp := protocol.Response{ID: 7, Error: &protocol.Error{
		Kind:    protocol.InvalidArgument,
		Message: "Set-ItemProperty: password Hunter2-user-secret rejected; WinRM pw S3cret!pass",
	}}
	err := c.decode("app_pool.create", resp, nil)
	if !IsKind(err, protocol.InvalidArgument) {
		t.Fatalf("decode() = %v, want kind invalid_argument", err)
	}
	msg := err.Error()
	for _, secret := range []string{"Hunter2-user-secret", "S3cret!pass"} {
		if strings.Contains(msg, secret) {
			t.Errorf("error %q leaks %q", msg, secret)
		}
	}
	if want := "host web01.example.com: app_pool.create: invalid_argument: Set-ItemProperty: password *** rejected; WinRM pw ***"; msg != want {
		t.Errorf("error = %q\nwant    %q", msg, want)
	}
}

func TestAsErrorKeepsKindAndCause(t *testing.T) {
	cause := errors.New("dial tcp: connection refused")
	err := asError("web01", "host.info", newKindError(protocol.AccessDenied, cause, "denied for %s", "deploy"), &redactor{})
	if !IsKind(err, protocol.AccessDenied) || !errors.Is(err, cause) {
		t.Fatalf("asError lost kind or cause: %#v", err)
	}
	if got, want := err.Error(), "host web01: host.info: access_denied: denied for deploy"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	plain := asError("web01", "", errors.New("boom"), &redactor{})
	if !IsKind(plain, protocol.Unavailable) || plain.Error() != "host web01: unavailable: boom" {
		t.Errorf("plain error = %q (kind %s)", plain.Error(), plain.Kind)
	}
	if IsKind(errors.New("x"), protocol.Unavailable) {
		t.Error("IsKind true for a foreign error")
	}
}
