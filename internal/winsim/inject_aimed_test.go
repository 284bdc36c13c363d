package winsim

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// An aimed fault passes every exchange its match refuses and fires on the
// one it accepts, after the action ran: here the Receive whose reply
// carries "SECOND" is lost, and the output is gone from the host too.
func TestAimedFaultHitsOnlyTheMatchingExchange(t *testing.T) {
	f := &Faults{}
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Faults: f, Runner: upperRunner})
	c := newRawClient(t, s)
	sh := c.createShell()
	id := c.startCommand(sh, "upper.exe")
	want := base64.StdEncoding.EncodeToString([]byte("SECOND"))
	var seenRequest bool
	f.DropReplyWhen(1, "Receive", func(request, reply []byte) bool {
		seenRequest = seenRequest || bytes.Contains(request, []byte("DesiredStream"))
		return bytes.Contains(reply, []byte(want))
	})
	c.post(soapRequest(actSend, sh, "", "", sendBody(id, []byte("second"), true)))
	if f.Pending() != 1 {
		t.Fatal("the aimed Receive fault fired on a Send")
	}
	if _, _, err := rawPost(t, s, soapRequest(actReceive, sh, "PT5S", "", receiveBody(id))); err == nil {
		t.Fatal("the reply carrying SECOND was not lost")
	}
	if f.Pending() != 0 || !seenRequest {
		t.Fatalf("pending %d, match saw the request: %t", f.Pending(), seenRequest)
	}
	// The action ran: the command finished and its output was consumed.
	status, _, _ := c.post(soapRequest(actReceive, sh, "PT1S", "", receiveBody(id)))
	if status != 500 {
		t.Fatalf("Receive after the lost reply: HTTP %d, want the unknown-command fault of a delivered command", status)
	}
	if st := s.Stats(); st.Injected != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestAimedFaultNeverFiresOnFaults(t *testing.T) {
	f := &Faults{}
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Faults: f, Runner: upperRunner})
	c := newRawClient(t, s)
	f.TruncateWhen(1, "Receive", func(_, _ []byte) bool { return true })
	// A Receive for a shell that does not exist answers with a fault,
	// which an aimed fault leaves alone.
	if status, _, _ := c.post(soapRequest(actReceive, "no-such-shell", "PT1S", "", receiveBody("x"))); status != 500 {
		t.Fatalf("HTTP %d", status)
	}
	if f.Pending() != 1 {
		t.Fatal("an aimed fault fired on a fault reply")
	}
}
