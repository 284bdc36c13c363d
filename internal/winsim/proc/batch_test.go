package proc

import (
	"bytes"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

func moreRequest(t *testing.T, id uint64, more bool) []byte {
	t.Helper()
	b, err := protocol.EncodeRequest(protocol.Request{ID: id, Op: hostapi.OpHostInfo, More: more})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitChunks waits until stdout has n chunks past the hello.
func waitChunks(t *testing.T, p *process, n int) [][]byte {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if all := p.stdout.all(); len(all)-1 >= n {
			return all[1:]
		}
		select {
		case <-p.stdout.notify:
		case <-deadline:
			t.Fatalf("want %d stdout chunks, have %v", n, p.stdout.all())
		}
	}
}

// As agent.ps1 holds the answers to requests marked More and flushes with
// the batch's last answer, the emulator writes a batch's answers in one
// stdout chunk, which one Receive returns; a request without More (every
// request of a client that does not batch) is answered in its own chunk.
func TestAgentAnswersABatchInOneWrite(t *testing.T) {
	e, _ := newEmulator()
	p := startAgent(t, e)
	var batch []byte
	batch = append(batch, moreRequest(t, 1, true)...)
	batch = append(batch, moreRequest(t, 2, true)...)
	batch = append(batch, moreRequest(t, 3, false)...)
	p.write(batch)
	p.write(moreRequest(t, 4, false))
	chunks := waitChunks(t, p, 2)
	if len(chunks) != 2 {
		t.Fatalf("%d chunks, want the batch's and the lone request's", len(chunks))
	}
	lines := bytes.SplitAfter(chunks[0], []byte("\r\n"))
	if len(lines) != 4 || len(lines[3]) != 0 {
		t.Fatalf("the batch came as %q, want three lines in one chunk", chunks[0])
	}
	for i, l := range lines[:3] {
		r, framed, err := protocol.DecodeResponse(l)
		if !framed || err != nil || r.ID != uint64(i+1) || !r.OK {
			t.Fatalf("line %d = %+v (%v), want the answer to %d", i, r, err, i+1)
		}
	}
	if r, _, _ := protocol.DecodeResponse(chunks[1]); r.ID != 4 {
		t.Fatalf("second chunk answers %d, want 4", r.ID)
	}
}

// Answers held for a batch whose last request never comes are written when
// stdin ends, not lost.
func TestAgentFlushesHeldAnswersAtEOF(t *testing.T) {
	e, _ := newEmulator()
	p := startAgent(t, e)
	p.write(moreRequest(t, 5, true))
	p.stdin.Close()
	if code := p.wait(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	chunks := waitChunks(t, p, 1)
	if r, _, err := protocol.DecodeResponse(chunks[0]); err != nil || r.ID != 5 || !r.OK {
		t.Fatalf("held answer %q: %+v %v", chunks[0], r, err)
	}
}
