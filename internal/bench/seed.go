package bench

import (
	"fmt"
	"io"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// SeedHost prepares the state file of one simulated host before the
// simulator starts on it: PreexistingRules firewall rules that Terraform
// does not manage (what a server accumulates: product and line-of-business
// rules), and the applications the anonymous authentication resources
// configure, as a deployment would have made them. It goes through the
// same admin commands as `simulate admin`, in process, to save hundreds of
// process starts.
func SeedHost(statePath, computerName string, m Mix) error {
	h, err := host.Open(statePath, host.Options{ComputerName: computerName})
	if err != nil {
		return fmt.Errorf("seed %s: %w", statePath, err)
	}
	for _, args := range seedCommands(m) {
		if err := host.RunAdmin(h, args, io.Discard); err != nil {
			return fmt.Errorf("seed %s: %w", statePath, err)
		}
	}
	return nil
}

// seedCommands are the admin commands SeedHost runs.
func seedCommands(m Mix) [][]string {
	var cmds [][]string
	for i := range PreexistingRules {
		cmds = append(cmds, preexistingRule(i))
	}
	for i := range m.Anonymous {
		cmds = append(cmds, []string{"add-app", "Default Web Site", "/" + appName(i), "DefaultAppPool"})
	}
	return cmds
}

// preexistingRule varies protocol, direction, addresses and profiles the
// way a real store does, so the rule list the provider reads is not
// uniform.
func preexistingRule(i int) []string {
	name := fmt.Sprintf("seed-rule-%03d", i)
	args := []string{"add-rule", name, fmt.Sprintf("Line of business rule %d", i), "group=Seeded"}
	switch i % 4 {
	case 0:
		args = append(args, "protocol=TCP", fmt.Sprintf("local-ports=%d", 30000+i), "remote-addresses=LocalSubnet")
	case 1:
		args = append(args, "protocol=UDP", fmt.Sprintf("local-ports=%d-%d", 40000+10*i, 40000+10*i+9), "profiles=Domain,Private")
	case 2:
		args = append(args, "protocol=ICMPv4", "icmp-types=8", fmt.Sprintf("remote-addresses=172.16.%d.0/24", i%250))
	default:
		args = append(args, "direction=Outbound", "protocol=TCP", "remote-ports=443", "enabled=False")
	}
	return args
}
