package winsim

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// A process that prints, waits and prints again: the first output must come
// back while it still runs, the wait must end in TimedOut faults, and the
// late output must still arrive (the long-lived agent depends on all three).
func TestReceiveTimesOutThenDeliversLateOutput(t *testing.T) {
	release := make(chan struct{})
	runner := runnerFunc(func(ctx context.Context, c proc.Command) int {
		fmt.Fprint(c.Stdout, "hi")
		select {
		case <-release:
		case <-ctx.Done():
			return 1
		}
		fmt.Fprint(c.Stdout, " again\r\n")
		return 7
	})
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Runner: runner})
	c := newRawClient(t, s)
	sh := c.createShell()
	id := c.startCommand(sh, "slow.exe")

	status, root, raw := c.post(soapRequest(actReceive, sh, "PT5S", "", receiveBody(id)))
	if status != http.StatusOK || decodeStreams(t, root, "stdout") != "hi" {
		t.Fatalf("first Receive: HTTP %d\n%s", status, raw)
	}
	if st, _ := find(root, nsShell, "CommandState").attr("State"); st != stateRunning {
		t.Fatalf("state %q, want Running", st)
	}

	start := time.Now()
	status, root, raw = c.post(soapRequest(actReceive, sh, "PT0.300S", "", receiveBody(id)))
	if waited := time.Since(start); waited < 250*time.Millisecond || waited > 5*time.Second {
		t.Errorf("TimedOut after %v, want about the 300ms OperationTimeout", waited)
	}
	if status != http.StatusInternalServerError || faultCode(root) != "2150858793" {
		t.Fatalf("second Receive: HTTP %d\n%s", status, raw)
	}
	if sub := find(root, nsSOAP, "Subcode").child(nsSOAP, "Value").text(); sub != "w:TimedOut" {
		t.Fatalf("subcode %q", sub)
	}

	close(release)
	status, root, raw = c.post(soapRequest(actReceive, sh, "PT5S", "", receiveBody(id)))
	if status != http.StatusOK {
		t.Fatalf("third Receive: HTTP %d\n%s", status, raw)
	}
	out := decodeStreams(t, root, "stdout")
	state, _ := find(root, nsShell, "CommandState").attr("State")
	if state != stateDone {
		// The exit may trail the write by a moment: one more poll settles it.
		_, root, _ = c.post(soapRequest(actReceive, sh, "PT5S", "", receiveBody(id)))
		out += decodeStreams(t, root, "stdout")
	}
	if out != " again\r\n" || find(root, nsShell, "ExitCode").text() != "7" {
		t.Fatalf("late output %q exit %q\n%s", out, find(root, nsShell, "ExitCode").text(), raw)
	}
	// Done was delivered: the command is finished for the client.
	if status, root, _ := c.post(soapRequest(actReceive, sh, "PT1S", "", receiveBody(id))); status != 500 || faultCode(root) != "2150858843" {
		t.Fatalf("Receive after Done: HTTP %d", status)
	}
}

func TestStdinArrivesInOrderAndEndClosesIt(t *testing.T) {
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Runner: upperRunner})
	c := newRawClient(t, s)
	sh := c.createShell()
	id := c.startCommand(sh, "upper.exe")
	for i, part := range []string{"one ", "two ", "three"} {
		if status, _, raw := c.post(soapRequest(actSend, sh, "", "", sendBody(id, []byte(part), i == 2))); status != 200 {
			t.Fatalf("Send: %d\n%s", status, raw)
		}
	}
	var out string
	for range 10 {
		_, root, _ := c.post(soapRequest(actReceive, sh, "PT5S", "", receiveBody(id)))
		out += decodeStreams(t, root, "stdout")
		if st, _ := find(root, nsShell, "CommandState").attr("State"); st == stateDone {
			break
		}
	}
	if out != "ONE TWO THREE" {
		t.Fatalf("stdout %q", out)
	}
}

// Output bigger than the client's MaxEnvelopeSize is split over several
// Receives instead of producing an envelope the client would refuse.
func TestLargeOutputIsSplitToFitTheEnvelope(t *testing.T) {
	big := make([]byte, 400_000)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	runner := runnerFunc(func(ctx context.Context, c proc.Command) int {
		_, _ = c.Stdout.Write(big) // the test reads it back whole
		return 0
	})
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Runner: runner})
	c := newRawClient(t, s)
	sh := c.createShell()
	id := c.startCommand(sh, "big.exe")
	var got []byte
	for n := 0; n < 20; n++ {
		_, root, raw := c.post(soapRequest(actReceive, sh, "PT5S", "", receiveBody(id)))
		if len(raw) > 153600 {
			t.Fatalf("reply of %d bytes exceeds MaxEnvelopeSize 153600", len(raw))
		}
		got = append(got, decodeStreams(t, root, "stdout")...)
		if st, _ := find(root, nsShell, "CommandState").attr("State"); st == stateDone {
			break
		}
	}
	if string(got) != string(big) {
		t.Fatalf("got %d bytes back of %d", len(got), len(big))
	}
}

func TestTerminateSignalStopsTheProcess(t *testing.T) {
	stopped := make(chan struct{})
	runner := runnerFunc(func(ctx context.Context, c proc.Command) int {
		<-ctx.Done()
		close(stopped)
		return 1
	})
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Runner: runner})
	c := newRawClient(t, s)
	sh := c.createShell()
	id := c.startCommand(sh, "wait.exe")
	body := `<sh:Signal CommandId="` + id + `"><sh:Code>` + nsShell + `/signal/terminate</sh:Code></sh:Signal>`
	if status, _, raw := c.post(soapRequest(actSignal, sh, "", "", body)); status != 200 {
		t.Fatalf("Signal: %d\n%s", status, raw)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the process did not see its context end")
	}
}

// A shell nobody talks to for its IdleTimeOut is deleted with its
// processes, so a client that vanished does not hold quota forever.
func TestIdleShellsAreDeleted(t *testing.T) {
	stopped := make(chan struct{})
	runner := runnerFunc(func(ctx context.Context, c proc.Command) int {
		<-ctx.Done()
		close(stopped)
		return 1
	})
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Runner: runner})
	c := newRawClient(t, s)
	body := `<sh:Shell><sh:InputStreams>stdin</sh:InputStreams><sh:OutputStreams>stdout stderr</sh:OutputStreams><sh:IdleTimeOut>PT0.5S</sh:IdleTimeOut></sh:Shell>`
	status, root, raw := c.post(soapRequest(actCreate, "", "PT5S", "", body))
	if status != 200 || find(root, nsShell, "IdleTimeOut").text() != "PT0.500S" {
		t.Fatalf("Create: %d\n%s", status, raw)
	}
	sh := find(root, nsShell, "ShellId").text()
	c.startCommand(sh, "wait.exe")
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the idle shell's process is still running")
	}
	if st := s.Stats(); st.ShellsOpen != 0 {
		t.Fatalf("%d shells open", st.ShellsOpen)
	}
	if status, root, _ := c.post(soapRequest(actDelete, sh, "PT5S", "", "")); status != 500 || faultCode(root) != "2150858843" {
		t.Fatalf("Delete of the reaped shell: HTTP %d", status)
	}
}

// A long-polling Receive is activity: the shell survives it even when the
// poll outlasts the IdleTimeOut.
func TestReceiveInProgressKeepsTheShellAlive(t *testing.T) {
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Runner: runnerFunc(func(ctx context.Context, c proc.Command) int {
		<-ctx.Done()
		return 1
	})})
	c := newRawClient(t, s)
	body := `<sh:Shell><sh:IdleTimeOut>PT0.2S</sh:IdleTimeOut></sh:Shell>`
	_, root, _ := c.post(soapRequest(actCreate, "", "PT5S", "", body))
	sh := find(root, nsShell, "ShellId").text()
	id := c.startCommand(sh, "wait.exe")
	if status, root, _ := c.post(soapRequest(actReceive, sh, "PT0.6S", "", receiveBody(id))); status != 500 || faultCode(root) != "2150858793" {
		t.Fatalf("Receive: HTTP %d code %s, want the TimedOut fault of a live shell", status, faultCode(root))
	}
}
