package winsim

import (
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestConformanceWithRecordedWindows replays every request recorded against
// real Windows hosts and holds each reply to the recorded one: element
// names by namespace, attributes, fault codes and texts, HTTP status,
// stream chunks and command states. Values that differ between hosts and
// runs (ids, message ids, owner, client IP, addresses) are not compared.
func TestConformanceWithRecordedWindows(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixturesDir(t), "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yml"), func(t *testing.T) {
			t.Parallel()
			replay(t, loadRecording(t, f))
		})
	}
}

var opTimeoutRE = regexp.MustCompile(`(<[A-Za-z0-9]*:?OperationTimeout>)[^<]*(</)`)

func replay(t *testing.T, rec *recording) {
	scripts := buildScripts(t, rec)
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Runner: &scriptRunner{scripts: scripts}})
	c := newRawClient(t, s)

	ids := map[string]string{}           // recorded shell and command ids -> ours
	received := map[*script]int{}        // data Receives answered so far per command
	byRecordedID := map[string]*script{} // recorded command id -> its script
	for i, m := range rec.Messages {
		recReq := mustParse(t, m.Request)
		recResp := mustParse(t, m.Response)
		action := find(recReq, nsAddr, "Action").text()
		wantStatus := http.StatusOK
		if m.TransportError != nil {
			wantStatus = m.TransportError.Code
		}

		req := m.Request
		for from, to := range ids {
			req = strings.ReplaceAll(req, from, to)
		}
		isTimeout := faultCode(recResp) == "2150858793"
		if isTimeout {
			// The recording waited PT10S twice; the behaviour is the same
			// at a fraction of a second.
			req = opTimeoutRE.ReplaceAllString(req, "${1}PT0.300S${2}")
		}
		if action == actReceive && !isTimeout {
			recID, _ := find(recReq, nsShell, "DesiredStream").attr("CommandId")
			if sc := byRecordedID[recID]; sc != nil {
				settle(t, s, sc, received[sc], ids[recID])
				received[sc]++
			}
		}

		status, got, raw := c.post(req)
		where := fmt.Sprintf("message %d (%s)", i, shortAction(action))
		if status != wantStatus {
			t.Fatalf("%s: HTTP %d, recorded %d\n%s", where, status, wantStatus, raw)
		}
		var diffs []string
		compareNodes(where, recResp, got, &diffs)
		if rel := find(got, nsAddr, "RelatesTo").text(); rel != find(mustParse(t, req), nsAddr, "MessageID").text() {
			diffs = append(diffs, fmt.Sprintf("%s: RelatesTo %q is not the request's MessageID", where, rel))
		}
		for _, d := range diffs {
			t.Error(d)
		}
		if len(diffs) > 0 {
			t.Fatalf("%s: reply differs from the recording\nrecorded: %s\n     got: %s", where, m.Response, raw)
		}

		// Learn the ids this server issued for the recorded ones.
		switch action {
		case actCreate:
			ids[find(recResp, nsShell, "ShellId").text()] = find(got, nsShell, "ShellId").text()
		case actCommand:
			if recID := find(recResp, nsShell, "CommandId").text(); recID != "" {
				ids[recID] = find(got, nsShell, "CommandId").text()
				cl := find(recReq, nsShell, "CommandLine")
				var args []string
				for _, a := range cl.children(nsShell, "Arguments") {
					args = append(args, a.Text)
				}
				byRecordedID[recID] = scripts[commandKey(cl.child(nsShell, "Command").Text, args)]
			}
		}
	}
	checkStdin(t, rec, scripts, byRecordedID)
}

// settle brings the scripted process to where the recording had it when
// the n-th answered Receive was sent: the n-th output segment written, and
// for the last segment the process exited.
func settle(t *testing.T, s *Server, sc *script, n int, ourCmdID string) {
	t.Helper()
	if n > 0 {
		sc.release <- struct{}{}
	}
	select {
	case <-sc.settled:
	case <-time.After(10 * time.Second):
		t.Fatalf("the scripted process never wrote segment %d", n)
	}
	if n == len(sc.segments)-1 {
		waitExited(t, s, ourCmdID)
	}
}

// waitExited waits until the server has seen the command's process exit.
func waitExited(t *testing.T, s *Server, cmdID string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s.shells.mu.Lock()
		var c *command
		for _, sh := range s.shells.shells {
			if cc, ok := sh.command(cmdID); ok {
				c = cc
			}
		}
		s.shells.mu.Unlock()
		if c != nil {
			c.out.mu.Lock()
			exited := c.out.exited
			c.out.mu.Unlock()
			if exited {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("command %s did not exit", cmdID)
}

// checkStdin compares what scripted processes read with what was sent.
func checkStdin(t *testing.T, rec *recording, scripts map[string]*script, byRecordedID map[string]*script) {
	sent := map[*script][]byte{}
	for _, m := range rec.Messages {
		req := mustParse(t, m.Request)
		if find(req, nsAddr, "Action").text() != actSend {
			continue
		}
		for _, st := range findAll(req, nsShell, "Stream") {
			id, _ := st.attr("CommandId")
			sc := byRecordedID[id]
			if sc == nil {
				continue
			}
			b, err := decodeB64(st.text())
			if err != nil {
				t.Fatal(err)
			}
			sent[sc] = append(sent[sc], b...)
		}
	}
	for sc, want := range sent {
		sc.mu.Lock()
		got := string(sc.stdin)
		sc.mu.Unlock()
		if got != string(want) {
			t.Errorf("process read stdin %q, the client sent %q", got, want)
		}
	}
}
