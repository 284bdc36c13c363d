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
}

// latencyPresets follow the figures in the project's research notes:
// powershell.exe starts in about 0.2 s with -NoProfile (winrm.md section 5),
// and the firewall cmdlets cost in proportion to the number of rules in the
// store (windows-host.md 4.2: 48 s for 1,091 rules cold, about 44 ms a rule;
// the presets assume a warm store at 1 ms a rule). "none" makes the
// simulator as fast as it can be, for tests.
var latencyPresets = map[string]latencyModel{
	"none": {},
	"lan": {
		wsman: winsim.Latency{RTT: time.Millisecond, ShellCreate: 30 * time.Millisecond},
		proc:  proc.Options{PowerShellStart: 200 * time.Millisecond},
		host:  host.Latency{PerOp: 15 * time.Millisecond, PerFirewallRule: time.Millisecond},
	},
	"wan": {
		wsman: winsim.Latency{RTT: 40 * time.Millisecond, ShellCreate: 30 * time.Millisecond},
		proc:  proc.Options{PowerShellStart: 250 * time.Millisecond},
		host:  host.Latency{PerOp: 15 * time.Millisecond, PerFirewallRule: time.Millisecond},
	},
}
