package proc

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/cpu"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// Options shape the simulated processes.
type Options struct {
	// PowerShellStart is what starting powershell.exe costs (0.2 s to
	// over 1 s on real hosts, reference/winrm.md section 5).
	PowerShellStart time.Duration
	// CPUs are the host's processors: a start holds one for its
	// duration. nil for no limit.
	CPUs *cpu.CPUs
	// Agents are further fixed agents the host runs besides the
	// provider's: the acceptance tests' out-of-band agent
	// (internal/acchost), so that the path a test takes against a real
	// host can be taken against the simulator too.
	Agents []Agent
}

// Agent is a fixed PowerShell agent the simulator recognises by its
// bootstrap and answers from the host model, as it does the provider's.
type Agent struct {
	// Bootstrap is the -EncodedCommand text, hash filled in.
	Bootstrap string
	// SHA256 is the upper-case hex hash the bootstrap accepts.
	SHA256 string
	// Handle answers one request.
	Handle func(ctx context.Context, op string, args json.RawMessage) (json.RawMessage, *protocol.Error)
}

// Stats counts the work the emulator has done.
type Stats struct {
	PowerShellStarts uint64 // powershell.exe processes started
	Ops              uint64 // agent requests answered
}

// Emulator is the Runner of a simulated host: cmd.exe with a few built-in
// commands, powershell.exe, and the host agent answered from the host
// model. It is safe for concurrent use: each Run is one process.
type Emulator struct {
	host *host.Host
	opts Options

	psStarts atomic.Uint64
	ops      atomic.Uint64
}

var _ Runner = (*Emulator)(nil)

// New returns the Runner for h.
func New(h *host.Host, opts Options) *Emulator {
	return &Emulator{host: h, opts: opts}
}

// Stats returns the counters.
func (e *Emulator) Stats() Stats {
	return Stats{PowerShellStarts: e.psStarts.Load(), Ops: e.ops.Load()}
}

// ExitTerminated is the exit code of a process ended by the client's
// terminate signal (STATUS_CONTROL_C_EXIT, 0xC000013A, as an int32).
const ExitTerminated = -1073741510

// Run runs one command as WinRS would: through cmd.exe /c unless the shell
// was created with WINRS_SKIP_CMD_SHELL, else as the named program.
func (e *Emulator) Run(ctx context.Context, c Command) int {
	if c.SkipCmdShell {
		return e.runProgram(ctx, c, c.Command, joinArgs(c.Args), true)
	}
	return e.runCmd(ctx, c, joinCommand(c.Command, c.Args))
}
