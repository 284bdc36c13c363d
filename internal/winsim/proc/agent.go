package proc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// runAgent is powershell.exe running the bootstrap: it checks the agent
// line exactly as bootstrap.ps1 does, then serves requests from the host
// model as agent.ps1 would, one response line per stdout Write.
//
// Lines that do not decode follow agent.ps1's rule, with its messages:
// blank lines are ignored; a line that is not base64 JSON, or whose JSON is
// not an object, is answered under id 0; a JSON object without a positive integer id or
// without an op is answered under its id when it has one, else id 0. A
// line over protocol.MaxLine is answered under id 0 and skipped. Every such
// answer is invalid_argument, and the session goes on.
func (e *Emulator) runAgent(ctx context.Context, c Command, a Agent) int {
	done := make(chan struct{})
	defer close(done)
	lines := readLines(c.Stdin, protocol.MaxLine, done)

	first, ok := next(ctx, lines)
	if !ok {
		return ExitTerminated
	}
	if msg := checkAgentLine(first, a.SHA256); msg != "" {
		fmt.Fprint(c.Stderr, msg+"\r\n")
		return hostscript.BootstrapExitCode
	}

	ps, err := e.psVersion(ctx)
	if err != nil {
		return ExitTerminated
	}
	hello, _ := json.Marshal(protocol.Hello{Agent: hostscript.AgentName, PSVersion: ps})
	c.Stdout.Write(protocol.EncodeResponse(protocol.Response{ID: 0, OK: true, Result: hello}))

	// held gathers the answers to requests marked More, written with the
	// answer to the batch's last request in one stdout write, as agent.ps1
	// flushes its writer only then.
	var held []byte
	for {
		l, ok := next(ctx, lines)
		if !ok {
			return ExitTerminated
		}
		if l.err != nil {
			if len(held) > 0 {
				c.Stdout.Write(held)
			}
			return 0 // stdin closed: the agent's loop ends and PowerShell exits
		}
		resp, more, answer := e.serve(ctx, l, a)
		if !answer {
			continue
		}
		held = append(held, protocol.EncodeResponse(resp)...)
		if !more {
			c.Stdout.Write(held)
			held = nil
		}
		if ctx.Err() != nil {
			return ExitTerminated
		}
	}
}

// next waits for a line or for the process to be terminated.
func next(ctx context.Context, lines <-chan line) (line, bool) {
	select {
	case l, ok := <-lines:
		if !ok {
			return line{}, false
		}
		return l, true
	case <-ctx.Done():
		return line{}, false
	}
}

// checkAgentLine returns the bootstrap's refusal for a first line that is
// not the agent whose hash is sha, or "".
func checkAgentLine(l line, sha string) string {
	if l.err != nil {
		return hostscript.MsgNoAgent
	}
	if l.tooLong {
		return hostscript.MsgHashMismatch
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(l.text)))
	if err != nil {
		return hostscript.MsgNotBase64
	}
	sum := sha256.Sum256(raw)
	if strings.ToUpper(hex.EncodeToString(sum[:])) != sha {
		return hostscript.MsgHashMismatch
	}
	return ""
}

// serve answers one request line; answer is false for a blank line, and
// more says the request let the answer wait for the next ones'.
func (e *Emulator) serve(ctx context.Context, l line, a Agent) (resp protocol.Response, more, answer bool) {
	fail := func(id uint64, msg string) (protocol.Response, bool, bool) {
		return protocol.Response{ID: id, Error: &protocol.Error{Kind: protocol.InvalidArgument, Message: msg}}, false, true
	}
	if l.tooLong {
		return fail(0, "request line too long")
	}
	text := bytes.TrimSpace(l.text)
	if len(text) == 0 {
		return resp, false, false
	}
	req, err := protocol.DecodeRequest(text)
	if err != nil {
		id, isJSON, isObject := recoverID(text)
		switch {
		case !isJSON:
			return fail(0, "request is not base64 JSON")
		case !isObject:
			return fail(0, "request is not a JSON object")
		default:
			return fail(id, "request needs an id and an op")
		}
	}
	e.ops.Add(1)
	result, perr := a.Handle(ctx, req.Op, req.Args)
	if perr != nil {
		return protocol.Response{ID: req.ID, Error: perr}, req.More, true
	}
	return protocol.Response{ID: req.ID, OK: true, Result: result}, req.More, true
}

// recoverID reads what it can of a request that DecodeRequest refused:
// whether it is a JSON object at all, and its id if that is a positive
// integer.
func recoverID(text []byte) (id uint64, isJSON, isObject bool) {
	raw, err := base64.StdEncoding.DecodeString(string(text))
	if err != nil || !json.Valid(raw) {
		return 0, false, false
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return 0, true, false
	}
	var n uint64
	if err := json.Unmarshal(obj["id"], &n); err == nil {
		id = n
	}
	return id, true, true
}

func (e *Emulator) psVersion(ctx context.Context) (string, error) {
	s, err := e.host.Snapshot(ctx)
	if err != nil {
		return "", err
	}
	return s.System.PSVersion, nil
}
