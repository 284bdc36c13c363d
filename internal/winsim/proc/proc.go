// Package proc is what runs inside a simulated WinRM shell: cmd.exe's
// handling of a command line, powershell.exe, and the host agent that the
// provider starts. The WS-Management server (internal/winsim) hands each
// Command it receives to a Runner and streams the Runner's output back
// through Receive.
package proc

import (
	"context"
	"io"
)

// Command is one process started by a WinRS Command request.
type Command struct {
	ShellID      string
	Command      string    // rsp:Command text, as sent
	Args         []string  // rsp:Arguments, as sent
	SkipCmdShell bool      // WINRS_SKIP_CMD_SHELL=TRUE: no cmd.exe in between
	Stdin        io.Reader // bytes from Send; io.EOF after a Send with End="true"
	Stdout       io.Writer // each Write is one chunk a Receive can return
	Stderr       io.Writer
}

// Runner runs commands. Run blocks until the process exits and returns its
// exit code. ctx is cancelled when the client signals terminate or deletes
// the shell, and the process must then return promptly.
type Runner interface {
	Run(ctx context.Context, c Command) int
}
