package winsim

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// maxProcessesPerShell is the WinRS quota (winrm/config/winrs): each shell
// runs in a job object that admits this many live processes.
const maxProcessesPerShell = 25

type envVar struct{ name, value string }

// shell is one WinRS shell: its owner, what Create asked for, and its
// commands.
type shell struct {
	id       string
	owner    string // canonical account name, as Stats and quotas count it
	clientIP string
	created  time.Time
	env      []envVar
	workDir  string
	idle     time.Duration
	inputs   string
	outputs  string

	ctx    context.Context // ended by Delete or server Close
	cancel context.CancelFunc

	mu       sync.Mutex
	commands map[string]*command
	running  int
	lastUsed time.Time // when the last request naming this shell ended
	active   int       // requests naming this shell in progress
}

// begin and end bracket a request naming the shell: a shell with a request
// in progress (a long-polling Receive) is never idle.
func (s *shell) begin() {
	s.mu.Lock()
	s.active++
	s.mu.Unlock()
}

func (s *shell) end(now time.Time) {
	s.mu.Lock()
	s.active--
	s.lastUsed = now
	s.mu.Unlock()
}

func (s *shell) idleFor(now time.Time) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Sub(s.lastUsed), s.active == 0
}

// command is one process started by Command.
type command struct {
	id     string
	ctx    context.Context
	cancel context.CancelFunc
	stdin  *stdinPipe
	out    *outputQueue

	mu        sync.Mutex
	delivered bool // the client has received Done; further Receives fault
}

// shellTable is every open shell of the server.
type shellTable struct {
	mu     sync.Mutex
	shells map[string]*shell
}

func (t *shellTable) get(id string) (*shell, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.shells[strings.ToUpper(id)]
	return s, ok
}

// add registers s unless its owner already has max shells open.
func (t *shellTable) add(s *shell, max int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, o := range t.shells {
		if o.owner == s.owner {
			n++
		}
	}
	if n >= max {
		return faultShellQuota(max)
	}
	t.shells[s.id] = s
	return nil
}

func (t *shellTable) remove(id string) (*shell, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.shells[strings.ToUpper(id)]
	if ok {
		delete(t.shells, s.id)
	}
	return s, ok
}

// reapIdle removes and returns the shells no request named for longer than
// their IdleTimeOut, as WinRS deletes shells a vanished client left behind.
func (t *shellTable) reapIdle(now time.Time) []*shell {
	t.mu.Lock()
	defer t.mu.Unlock()
	var reaped []*shell
	for id, s := range t.shells {
		if d, quiet := s.idleFor(now); quiet && d > s.idle {
			reaped = append(reaped, s)
			delete(t.shells, id)
		}
	}
	return reaped
}

func (t *shellTable) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.shells)
}

func (t *shellTable) removeAll() []*shell {
	t.mu.Lock()
	defer t.mu.Unlock()
	all := make([]*shell, 0, len(t.shells))
	for id, s := range t.shells {
		all = append(all, s)
		delete(t.shells, id)
	}
	return all
}

func (s *shell) command(id string) (*command, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.commands[strings.ToUpper(id)]
	return c, ok
}

func (s *shell) forget(id string) {
	s.mu.Lock()
	delete(s.commands, strings.ToUpper(id))
	s.mu.Unlock()
}

// startCommand starts c under the shell's process quota. The runner goes in
// a goroutine tracked by wg so Close can wait for it.
func (s *shell) startCommand(id string, pc proc.Command, runner proc.Runner, wg *sync.WaitGroup, logf func(string, ...any)) (*command, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return nil, faultUnknownShell(s.id)
	}
	if s.running >= maxProcessesPerShell {
		return nil, faultProcessQuota()
	}
	if _, dup := s.commands[id]; dup {
		return nil, faultInvalidParameter()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	c := &command{id: id, ctx: ctx, cancel: cancel, stdin: newStdinPipe(ctx), out: newOutputQueue()}
	pc.Stdin = c.stdin
	pc.Stdout = streamWriter{ctx: ctx, q: c.out, stream: "stdout"}
	pc.Stderr = streamWriter{ctx: ctx, q: c.out, stream: "stderr"}
	s.commands[id] = c
	s.running++
	wg.Add(1)
	go func() {
		defer wg.Done()
		code := runSafely(ctx, runner, pc, logf)
		c.out.finish(code)
		s.mu.Lock()
		s.running--
		s.mu.Unlock()
	}()
	return c, nil
}

// statusAccessViolation is the exit code Windows reports for a process that
// crashed; a panicking Runner is reported the same way instead of taking
// the whole test binary down.
const statusAccessViolation = 0xC0000005

func runSafely(ctx context.Context, r proc.Runner, c proc.Command, logf func(string, ...any)) (code int) {
	defer func() {
		if p := recover(); p != nil {
			logf("winsim: runner panicked in shell %s: %v", c.ShellID, p)
			code = statusAccessViolation
		}
	}()
	return r.Run(ctx, c)
}

// close ends the shell: every process is signalled to stop.
func (s *shell) close() {
	s.cancel()
}

// formatDuration writes an xs:duration the way WinRS echoes IdleTimeOut.
func formatDuration(d time.Duration) string {
	return fmt.Sprintf("PT%.3fS", d.Seconds())
}
