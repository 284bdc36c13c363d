package winsim

import (
	"context"
	"encoding/base64"
	"io"
	"sync"
)

// chunk is one Write of a process to stdout or stderr. WinRS returns each
// as its own rsp:Stream element, which clients see as separate chunks.
type chunk struct {
	stream string
	data   []byte
}

// maxBuffered is how much unreceived output a process may have before its
// writes block, the way WinRS blocks a process whose client stops polling.
const maxBuffered = 4 << 20

// outputQueue holds a command's output until Receive takes it, and its exit.
type outputQueue struct {
	mu       sync.Mutex
	chunks   []chunk
	size     int
	exited   bool
	exitCode int
	changed  chan struct{} // closed and replaced whenever anything changes
}

func newOutputQueue() *outputQueue {
	return &outputQueue{changed: make(chan struct{})}
}

// signal wakes every waiter; the caller holds q.mu.
func (q *outputQueue) signal() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// write appends one chunk, blocking while too much output is unreceived.
func (q *outputQueue) write(ctx context.Context, stream string, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	data := append([]byte(nil), p...) // the caller may reuse p
	q.mu.Lock()
	for q.size >= maxBuffered {
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		q.mu.Lock()
	}
	q.chunks = append(q.chunks, chunk{stream: stream, data: data})
	q.size += len(data)
	q.signal()
	q.mu.Unlock()
	return len(p), nil
}

func (q *outputQueue) finish(code int) {
	q.mu.Lock()
	q.exited, q.exitCode = true, code
	q.signal()
	q.mu.Unlock()
}

// take removes queued chunks of the wanted streams whose base64 fits in
// budget bytes, splitting a chunk too big for one envelope. done is true
// when the process exited and nothing wanted is left. wait is closed on
// the next change, for a caller that got nothing.
func (q *outputQueue) take(want map[string]bool, budget int) (out []chunk, done bool, code int, wait <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	const perElem = 160 // the rsp:Stream element around the data
	kept := q.chunks[:0:0]
	for i, c := range q.chunks {
		if !want[c.stream] || budget <= perElem {
			kept = append(kept, q.chunks[i])
			continue
		}
		room := (budget - perElem) / 4 * 3
		if room <= 0 {
			kept = append(kept, c)
			continue
		}
		if len(c.data) > room {
			out = append(out, chunk{stream: c.stream, data: c.data[:room]})
			kept = append(kept, chunk{stream: c.stream, data: c.data[room:]})
			q.size -= room
			budget = 0
			continue
		}
		out = append(out, c)
		q.size -= len(c.data)
		budget -= perElem + base64.StdEncoding.EncodedLen(len(c.data))
	}
	q.chunks = kept
	if len(out) > 0 {
		q.signal() // writers blocked on maxBuffered may go on
	}
	rest := false
	for _, c := range q.chunks {
		if want[c.stream] {
			rest = true
			break
		}
	}
	return out, q.exited && !rest, q.exitCode, q.changed
}

// stdinPipe is the process's stdin: bytes from Send, EOF after End="true".
type stdinPipe struct {
	mu      sync.Mutex
	buf     []byte
	closed  bool
	changed chan struct{}
	ctx     context.Context // the process's: Read gives up when it ends
}

func newStdinPipe(ctx context.Context) *stdinPipe {
	return &stdinPipe{changed: make(chan struct{}), ctx: ctx}
}

func (p *stdinPipe) Read(b []byte) (int, error) {
	for {
		p.mu.Lock()
		if len(p.buf) > 0 {
			n := copy(b, p.buf)
			p.buf = p.buf[n:]
			p.mu.Unlock()
			return n, nil
		}
		if p.closed {
			p.mu.Unlock()
			return 0, io.EOF
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-p.ctx.Done():
			return 0, io.ErrClosedPipe
		}
	}
}

// send appends data; end closes the pipe after it. Data after the end is
// dropped, as a closed pipe handle would.
func (p *stdinPipe) send(data []byte, end bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.buf = append(p.buf, data...)
	p.closed = end
	close(p.changed)
	p.changed = make(chan struct{})
}

// streamWriter is the io.Writer a Runner gets for stdout or stderr.
type streamWriter struct {
	ctx    context.Context
	q      *outputQueue
	stream string
}

func (w streamWriter) Write(p []byte) (int, error) { return w.q.write(w.ctx, w.stream, p) }
