package proc

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// chunks records every Write as one chunk, as a Receive would return it.
type chunks struct {
	mu     sync.Mutex
	list   [][]byte
	notify chan struct{}
}

func newChunks() *chunks { return &chunks{notify: make(chan struct{}, 1024)} }

func (c *chunks) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.list = append(c.list, bytes.Clone(p))
	c.mu.Unlock()
	c.notify <- struct{}{}
	return len(p), nil
}

func (c *chunks) all() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.list...)
}

func (c *chunks) String() string { return string(bytes.Join(c.all(), nil)) }

// proc is one running process driven through pipes.
type process struct {
	t      testing.TB
	stdin  *io.PipeWriter
	stdout *chunks
	stderr *chunks
	exit   chan int
	cancel context.CancelFunc
	read   int // stdout chunks consumed by nextResponse
}

func start(t testing.TB, e *Emulator, c Command) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	p := &process{t: t, stdin: pw, stdout: newChunks(), stderr: newChunks(), exit: make(chan int, 1), cancel: cancel}
	c.Stdin, c.Stdout, c.Stderr = pr, p.stdout, p.stderr
	go func() {
		code := e.Run(ctx, c)
		pr.CloseWithError(io.ErrClosedPipe) // the server closes stdin when the process ends
		p.exit <- code
	}()
	t.Cleanup(func() {
		cancel()
		pw.Close()
	})
	return p
}

func (p *process) write(b []byte) {
	p.t.Helper()
	if _, err := p.stdin.Write(b); err != nil {
		p.t.Fatalf("stdin write: %v", err)
	}
}

// nextResponse waits for the next stdout chunk and decodes it as exactly
// one framed response.
func (p *process) nextResponse() protocol.Response {
	p.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if all := p.stdout.all(); len(all) > p.read {
			chunk := all[p.read]
			p.read++
			r, framed, err := protocol.DecodeResponse(chunk)
			if !framed || err != nil || !bytes.HasSuffix(chunk, []byte("\r\n")) || bytes.Count(chunk, []byte("\n")) != 1 {
				p.t.Fatalf("chunk %q is not one framed response: %v", chunk, err)
			}
			return r
		}
		select {
		case <-p.stdout.notify:
		case <-deadline:
			p.t.Fatalf("no response; stderr %q", p.stderr.String())
		}
	}
}

func (p *process) wait() int {
	p.t.Helper()
	select {
	case code := <-p.exit:
		return code
	case <-time.After(5 * time.Second):
		p.t.Fatal("process did not exit")
		return 0
	}
}

func request(t testing.TB, id uint64, op string, args string) []byte {
	t.Helper()
	r := protocol.Request{ID: id, Op: op}
	if args != "" {
		r.Args = []byte(args)
	}
	b, err := protocol.EncodeRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// agentCommand is how internal/remote starts the agent: powershell.exe
// with its arguments, through cmd.exe.
func agentCommand() Command {
	return Command{Command: "powershell.exe", Args: []string{"-NoProfile", "-NonInteractive", "-EncodedCommand", hostscript.EncodedCommand()}}
}

// startAgent starts the agent, sends the agent line and checks the hello.
func startAgent(t testing.TB, e *Emulator) *process {
	t.Helper()
	p := start(t, e, agentCommand())
	p.write(hostscript.AgentLine())
	hello := p.nextResponse()
	if hello.ID != 0 || !hello.OK {
		t.Fatalf("hello = %+v", hello)
	}
	return p
}

func newEmulator() (*Emulator, *host.Host) {
	h := host.New(host.Options{})
	return New(h, Options{}), h
}

func encodeUTF16LE(s string) string {
	var raw []byte
	for _, u := range utf16.Encode([]rune(s)) {
		raw = append(raw, byte(u), byte(u>>8))
	}
	return base64.StdEncoding.EncodeToString(raw)
}
