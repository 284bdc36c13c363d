package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/masterzen/winrm"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// oneShotConn is a masterzen client lent to one one-shot call at a time.
type oneShotConn struct {
	wc *winrm.Client
	tr *transport
}

// takeOneShot lends a masterzen client to one call. Clients are reused by
// later calls, so their authenticated HTTP connections are too, as with a
// client pooled per host; but never by two calls at once: go-ntlmssp sends
// the legs of a handshake as separate requests through the client's
// http.Transport, and concurrent calls on one client scatter them over
// different connections, which the server then refuses.
func (c *Client) takeOneShot() (*oneShotConn, error) {
	c.mu.Lock()
	if n := len(c.oneShotFree); n > 0 {
		oc := c.oneShotFree[n-1]
		c.oneShotFree = c.oneShotFree[:n-1]
		c.mu.Unlock()
		return oc, nil
	}
	c.mu.Unlock()
	wc, tr, err := newWinRMClient(c.cfg, &c.cnt, c.log)
	if err != nil {
		return nil, err
	}
	return &oneShotConn{wc: wc, tr: tr}, nil
}

func (c *Client) returnOneShot(oc *oneShotConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.oneShotFree = append(c.oneShotFree, oc)
}

type oneShotResult struct {
	resp      protocol.Response
	delivered bool
	err       error
}

// viaOneShot runs one request in its own shell and powershell.exe: the
// fallback when long-lived sessions misbehave, and the baseline the
// benchmarks compare sessions against. The exchange runs in the background
// so that the caller returns as soon as its context ends, while cleanup
// (signal and delete) still happens.
func (c *Client) viaOneShot(ctx context.Context, op string, raw json.RawMessage) (protocol.Response, bool, error) {
	oc, err := c.takeOneShot()
	if err != nil {
		return protocol.Response{}, false, err
	}
	id, line, err := c.newRequest(op, raw)
	if err != nil {
		return protocol.Response{}, false, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.timeout())
	defer cancel()
	out := make(chan oneShotResult, 1)
	var written atomic.Bool
	c.goBackground(func() {
		defer c.returnOneShot(oc) // only once the exchange and its cleanup are over
		c.runOneShot(ctx, oc.wc, oc.tr, id, line, &written, out)
	})
	select {
	case r := <-out:
		return r.resp, r.delivered, r.err
	case <-ctx.Done():
		return protocol.Response{}, written.Load(), cancelled(ctx, fmt.Sprintf("waiting for request %d", id))
	}
}

func (c *Client) runOneShot(ctx context.Context, wc *winrm.Client, tr *transport, id uint64, line []byte,
	written *atomic.Bool, out chan<- oneShotResult) {
	shell, _, err := openShell(c.cfg, wc, tr)
	if err != nil {
		out <- oneShotResult{err: err}
		return
	}
	defer func() { _ = shell.Close() }()

	// The command gets a context of its own, cancelled only from here, so
	// that masterzen's output loop and this function never both call
	// Command.Close (a double close of its channel panics).
	cmdCtx, cmdCancel := context.WithCancel(context.Background())
	defer cmdCancel()
	cmd, err := shell.ExecuteWithContext(cmdCtx, c.cfg.Scripts.CommandLine)
	if err != nil {
		out <- oneShotResult{err: prefixError("could not start the agent", tr.describe(err))}
		return
	}
	c.cnt.powerShellStarts.Add(1)
	// Until the caller has its answer, its context ends the command; after
	// that, cleanup runs on its own clock.
	stop := context.AfterFunc(ctx, cmdCancel)

	cmdDone := make(chan struct{})
	go func() {
		cmd.Wait()
		close(cmdDone)
	}()
	stderr := newTailBuffer(8 << 10)
	stderrDone := make(chan struct{})
	go func() {
		_, _ = io.Copy(stderr, cmd.Stderr)
		close(stderrDone)
	}()

	input := append(withNewline(c.cfg.Scripts.AgentLine), line...)
	written.Store(true)
	if _, err := cmd.Stdin.Write(input); err != nil {
		out <- oneShotResult{delivered: true, err: prefixError("sending to the agent failed", tr.describe(err))}
	} else {
		_ = cmd.Stdin.Close() // End: the agent exits after answering
		resp, err := c.readOne(cmd, id, cmdDone, stderr, stderrDone, tr)
		out <- oneShotResult{resp: resp, delivered: true, err: err}
	}
	callerGaveUp := !stop() // its context already cancelled the command
	go func() { _, _ = io.Copy(io.Discard, cmd.Stdout) }()

	if !waitClosed(cmdDone, c.cfg.timeout()) {
		cmdCancel() // masterzen's loop signals terminate itself
		waitClosed(cmdDone, 2*c.cfg.httpTimeout())
		return
	}
	if !callerGaveUp {
		// WinRS keeps a finished command until it is signalled; masterzen's
		// loop has returned, so this is the only Close.
		_ = cmd.Close()
	}
}

// readOne reads stdout until the response to id, skipping the hello and
// noise lines.
func (c *Client) readOne(cmd *winrm.Command, id uint64, cmdDone chan struct{}, stderr *tailBuffer, stderrDone chan struct{}, tr *transport) (protocol.Response, error) {
	lr := protocol.NewLineReader(cmd.Stdout)
	for {
		line, err := lr.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return protocol.Response{}, prefixError("lost the agent", tr.describe(err))
			}
			waitClosed(stderrDone, 5*time.Second)
			tail := cleanStderr(stderr.String())
			if err := languageModeError(tail); err != nil {
				return protocol.Response{}, err
			}
			msg := fmt.Sprintf("the agent process exited without answering (exit code %s)", exitCodeText(exitCode(cmd, cmdDone)))
			if tail != "" {
				msg += ": " + c.red.redact(tail)
			}
			return protocol.Response{}, newKindError(protocol.Unavailable, nil, "%s", msg)
		}
		resp, framed, err := protocol.DecodeResponse(line)
		switch {
		case !framed:
			continue
		case err != nil:
			return protocol.Response{}, newKindError(protocol.Internal, err, "the agent sent a broken frame: %v", err)
		case resp.ID == id:
			return resp, nil
		case resp.ID == 0 && !resp.OK:
			return protocol.Response{}, newKindError(protocol.Unavailable, nil, "the agent refused the request: %s", c.red.redact(resp.Error.Message))
		}
	}
}

// exitCodeText shows NTSTATUS-style codes (a process killed, crashed or
// terminated by the client's signal) in the hex form Windows documents.
func exitCodeText(code int) string {
	if code < -1 || code > 0x7FFFFFFF {
		return fmt.Sprintf("0x%08X", uint32(code))
	}
	return fmt.Sprint(code)
}

// exitCode waits briefly for masterzen to record the exit code, which it
// does just after closing the output pipes; -1 when it has not.
func exitCode(cmd *winrm.Command, cmdDone chan struct{}) int {
	if !waitClosed(cmdDone, 5*time.Second) {
		return -1 // reading it now would race with masterzen's loop
	}
	return cmd.ExitCode()
}
