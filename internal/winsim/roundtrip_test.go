package winsim

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestRoundTripHTTPWithNTLM(t *testing.T) {
	s := startServer(t, Options{Runner: upperRunner, AllowUnencrypted: true})
	c := masterzenClient(t, s, `WIN-SIM01\Vagrant`, testPass, true)

	stdout, stderr, code, err := c.RunWithContextWithString(t.Context(), "upper.exe", "hello, ntlm\n")
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if stdout != "HELLO, NTLM\n" || stderr != "" || code != 0 {
		t.Fatalf("stdout %q stderr %q code %d", stdout, stderr, code)
	}
	st := s.Stats()
	for _, a := range []string{"Create", "Command", "Send", "Receive", "Signal", "Delete"} {
		if st.ByAction[a] == 0 {
			t.Errorf("no %s counted: %v", a, st.ByAction)
		}
	}
	if st.Shells != 1 || st.ShellsOpen != 0 || st.Commands != 1 || st.AuthFailures != 0 {
		t.Errorf("stats %+v", st)
	}
	// The NTLM logon is bound to the connection: the handshake's extra 401
	// rounds are paid once, not on every request.
	soap := int64(0)
	for _, n := range st.ByAction {
		soap += n
	}
	t.Logf("%d HTTP requests for %d SOAP requests", st.Requests, soap)
	if extra := st.Requests - soap; extra < 2 || extra > 4 {
		t.Errorf("%d HTTP requests for %d SOAP requests: the logon is not kept on the connection", st.Requests, soap)
	}
}

func TestRoundTripHTTPSWithBasicVerifiesTheCA(t *testing.T) {
	s := startServer(t, Options{Runner: upperRunner, TLS: true, AllowBasic: true})
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %q", s.URL())
	}
	c := masterzenClient(t, s, testUser, testPass, false)
	stdout, _, code, err := c.RunWithContextWithString(t.Context(), "upper.exe", "over tls")
	if err != nil || stdout != "OVER TLS" || code != 0 {
		t.Fatalf("stdout %q code %d err %v", stdout, code, err)
	}

	// Another server's CA must not be trusted: verification is real.
	other := startServer(t, Options{TLS: true})
	bad := masterzenClientWithCA(t, s, other.CACertPEM())
	if _, _, _, err := bad.RunWithContextWithString(t.Context(), "upper.exe", "x"); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a client trusting another CA connected: err = %v", err)
	}
}

func TestWrongPasswordIsA401(t *testing.T) {
	for _, ntlm := range []bool{true, false} {
		s := startServer(t, Options{Runner: upperRunner, AllowUnencrypted: true, AllowBasic: !ntlm})
		c := masterzenClient(t, s, testUser, "wrong", ntlm)
		_, _, _, err := c.RunWithContextWithString(t.Context(), "upper.exe", "x")
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("ntlm=%v: err = %v, want an HTTP 401", ntlm, err)
		}
		if st := s.Stats(); st.AuthFailures == 0 || st.Shells != 0 {
			t.Fatalf("ntlm=%v: stats %+v", ntlm, st)
		}
	}
}

func TestUnencryptedHTTPIsRefusedByDefault(t *testing.T) {
	s := startServer(t, Options{Runner: upperRunner})
	c := masterzenClient(t, s, testUser, testPass, true)
	_, _, _, err := c.RunWithContextWithString(t.Context(), "upper.exe", "x")
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want 401 for an unsealed message over HTTP", err)
	}
	if st := s.Stats(); st.UnencryptedRejected == 0 || st.AuthFailures != 0 || st.Shells != 0 {
		t.Fatalf("stats %+v: want the refusal counted as unencrypted, not as bad credentials", st)
	}
}

func TestUnknownProgramFailsLikeCmdExe(t *testing.T) {
	s := startServer(t, Options{AllowUnencrypted: true})
	c := masterzenClient(t, s, testUser, testPass, true)
	stdout, stderr, code, err := c.RunWithContextWithString(t.Context(), "frobnicate.exe --all", "")
	if err != nil {
		t.Fatal(err)
	}
	want := "'frobnicate.exe' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"
	if stdout != "" || stderr != want || code != 1 {
		t.Fatalf("stdout %q stderr %q code %d", stdout, stderr, code)
	}
}

func TestDroppedConnectionIsAClientError(t *testing.T) {
	f := &Faults{}
	s := startServer(t, Options{Runner: upperRunner, AllowUnencrypted: true, Faults: f})
	c := masterzenClient(t, s, testUser, testPass, true)
	f.DropNextN(1, "Command")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, _, _, err := c.RunWithContextWithString(ctx, "upper.exe", "x")
	if err == nil {
		t.Fatal("the dropped Command went unnoticed")
	}
	st := s.Stats()
	if st.Injected != 1 || st.Commands != 0 || f.Pending() != 0 {
		t.Fatalf("stats %+v pending %d: the drop must fire once, before the command starts", st, f.Pending())
	}
	// The next run, on a fresh connection, works.
	out, _, _, err := c.RunWithContextWithString(ctx, "upper.exe", "again")
	if err != nil || out != "AGAIN" {
		t.Fatalf("after the drop: %q %v", out, err)
	}
}
