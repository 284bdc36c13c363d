package simulate

import (
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// latencyModel is one --latency preset, split over the three places a real
// host spends time: the network and WinRM service, powershell.exe start-up,
// and the work of each operation.
type latencyModel struct {
	wsman winsim.Latency
	proc  proc.Options
	host  host.Latency
	// cpus is the host's processor count (0: no limit).
	cpus int
}

// The presets' figures, and where they come from (docs/benchmarks.md
// repeats them):
//   - powershell.exe start: 0.25 s. The research notes (winrm.md section 5)
//     report 228 ms p50 with -NoProfile and 262 ms without
//     (microsoft/intelligent-terminal#83) and about 0.19 s normally
//     (PowerShell/PowerShell#12843); issue 8 asks for about 0.25 s. It is a
//     property of the host, so both presets use it.
//   - Firewall cmdlets: their cost follows the number of rules in the store
//     (windows-host.md 4.2: 48 s for 1,091 rules cold, about 44 ms a rule);
//     the presets assume a warm store at 1 ms a rule, plus 15 ms for any
//     operation (an assumption: cmdlet dispatch and a configuration read).
//   - Round trip: 0.5 ms on a LAN and 40 ms over a WAN. The notes have no
//     figure; these are the usual orders of a switched data-centre network
//     and of a cross-region link, and are assumptions.
//   - Shell creation: 30 ms for the WinRS Create (wsmprovhost), an
//     assumption; the notes have no figure.
//   - Processors: 2. The start of powershell.exe or wsmprovhost and the
//     cmdlets' work run on the host's processors, so a host runs only as
//     many at once as it has; ten powershell.exe started together take
//     five times as long on two. Two is an assumption (the notes have no
//     figure): a common size for a small Windows server VM, such as Azure
//     B2s or D2s, or AWS t3.medium. --host-cpus
//     sets another; make bench reports the per-resource baseline on
//     larger hosts too. Treating a whole PowerShell start as processor
//     time is a simplification: part of it is disk.
//
// "none" makes the simulator as fast as it can be, for tests.
var latencyPresets = map[string]latencyModel{
	"none": {},
	"lan": {
		wsman: winsim.Latency{RTT: 500 * time.Microsecond, ShellCreate: 30 * time.Millisecond},
		proc:  proc.Options{PowerShellStart: 250 * time.Millisecond},
		host:  host.Latency{PerOp: 15 * time.Millisecond, PerFirewallRule: time.Millisecond},
		cpus:  2,
	},
	"wan": {
		wsman: winsim.Latency{RTT: 40 * time.Millisecond, ShellCreate: 30 * time.Millisecond},
		proc:  proc.Options{PowerShellStart: 250 * time.Millisecond},
		host:  host.Latency{PerOp: 15 * time.Millisecond, PerFirewallRule: time.Millisecond},
		cpus:  2,
	},
}
