package winsim

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestRoundTripHTTPWithNTLM(t *testing.T) {
	s := startServer(t, Options{Runner: upperRunner, AllowUnencrypted: true})
	c := masterzenClient(t, s, `WIN-SIM01\Vagrant`, testPass, true)
	ctx := t.Context()

	shell, err := c.CreateShell()
	if err != nil || shell == nil {
		t.Fatalf("CreateShell: %v", err)
	}
	cmd, err := shell.ExecuteWithContext(ctx, "upper.exe")
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	// masterzen polls Receive in the background while the caller sends
	// stdin, so the Send opens a second connection and logs on there. Its
	// NTLM negotiator takes any idle pooled connection for each leg of the
	// handshake; if the Receive's connection were idle at that moment the
	// AUTHENTICATE could land on it, and HTTP.sys (like this server) refuses
	// an AUTHENTICATE on a connection that got no NEGOTIATE. Waiting until
	// the Receive is parked keeps the test about the server, not that race.
	waitFor(t, func() bool { return s.Stats().ByAction["Receive"] > 0 })
	if _, err := cmd.Stdin.Write([]byte("hello, ntlm\n")); err != nil {
		t.Fatalf("stdin: %v", err)
	}
	if err := cmd.Stdin.Close(); err != nil {
		t.Fatalf("close stdin: %v", err)
	}
	out, _ := io.ReadAll(cmd.Stdout)
	errOut, _ := io.ReadAll(cmd.Stderr)
	cmd.Wait()
	if string(out) != "HELLO, NTLM\n" || len(errOut) != 0 || cmd.ExitCode() != 0 {
		t.Fatalf("stdout %q stderr %q code %d", out, errOut, cmd.ExitCode())
	}
	if err := cmd.Close(); err != nil {
		t.Fatalf("Signal: %v", err)
	}
	if err := shell.Close(); err != nil {
		t.Fatalf("Delete: %v", err)
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
	// The logon is bound to each connection: two connections, two
	// handshakes of two extra rounds, however many requests follow.
	soap := int64(0)
	for _, n := range st.ByAction {
		soap += n
	}
	if extra := st.Requests - soap; extra != 4 {
		t.Errorf("%d HTTP requests for %d SOAP requests, want 4 handshake rounds", st.Requests, soap)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(time.Millisecond)
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
	var stdout, stderr strings.Builder
	code, err := c.RunWithContext(t.Context(), "frobnicate.exe --all", &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	want := "'frobnicate.exe' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"
	// cmd.exe exits 9009 when it finds no such program.
	if stdout.String() != "" || stderr.String() != want || code != 9009 {
		t.Fatalf("stdout %q stderr %q code %d", stdout.String(), stderr.String(), code)
	}
}

func TestDroppedConnectionIsAClientError(t *testing.T) {
	f := &Faults{}
	s := startServer(t, Options{Runner: upperRunner, AllowUnencrypted: true, AllowBasic: true, Faults: f})
	c := masterzenClient(t, s, testUser, testPass, false)
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
