package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/iisguard/terraform-provider-iis/internal/firewall"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// fwRuleConfig renders an iis_firewall_rule block; attrs are HCL lines.
func fwRuleConfig(label, name string, attrs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"iis_firewall_rule\" %q {\n  name = %s\n", label, hclString(name))
	for _, a := range attrs {
		b.WriteString("  " + a + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// agentClient is a connection to the test host outside Terraform, through
// the same agent, to look at rules as they are on the host and to change
// them as an administrator would. It works against a real host too.
func agentClient(t *testing.T, h *testHost) *remote.Client {
	t.Helper()
	pool := remote.NewPool(nil)
	t.Cleanup(func() { pool.Close() })
	c, err := pool.Client(remote.Config{
		Host: h.Host, Port: h.Port, HTTPS: h.HTTPS, Insecure: h.Insecure, CACert: []byte(h.CACert),
		Auth: remote.Auth(h.Auth), Username: h.Username, Password: h.Password,
		Scripts: remote.Scripts{CommandLine: hostscript.CommandLine(), AgentLine: hostscript.AgentLine()},
	})
	if err != nil {
		t.Fatalf("connect to the test host: %v", err)
	}
	return c
}

// hostRule reads a rule from the host; ok is false when it does not exist.
func hostRule(t *testing.T, c *remote.Client, name string) (firewall.Rule, bool) {
	t.Helper()
	r, err := firewall.Get(context.Background(), c, name)
	if firewall.IsNotFound(err) {
		return firewall.Rule{}, false
	}
	if err != nil {
		t.Fatalf("read rule %s from the host: %v", name, err)
	}
	return r, true
}

// checkRuleGone is a CheckDestroy: the rule must be gone from the host.
func checkRuleGone(t *testing.T, c *remote.Client, names ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, n := range names {
			if _, ok := hostRule(t, c, n); ok {
				return fmt.Errorf("firewall rule %s is still on the host after destroy", n)
			}
		}
		return nil
	}
}

// widenOutOfBand opens a rule to every remote address and the given local
// ports, as an administrator would with Set-NetFirewallRule: through the
// simulator's admin API, or with Set-NetFirewallRule itself on a real host
// (acchost), never through the provider's own update handler.
func widenOutOfBand(t *testing.T, h *testHost, c *remote.Client, name string, localPorts ...string) {
	t.Helper()
	ctx := context.Background()
	if h.host != nil {
		err := h.host.SetFirewallRule(ctx, name, host.FWParams{RemoteAddress: []string{"Any"}, LocalPort: localPorts})
		if err != nil {
			t.Fatalf("widen %s out of band: %v", name, err)
		}
		return
	}
	if _, ok := hostRule(t, c, name); !ok {
		t.Fatalf("rule %s is not on the host", name)
	}
	if err := realAdmin(t, h).WidenFirewallRule(ctx, name, localPorts); err != nil {
		t.Fatal(err)
	}
}

// removeOutOfBand deletes a rule as an administrator would: the simulator's
// admin API, or Remove-NetFirewallRule on a real host.
func removeOutOfBand(t *testing.T, h *testHost, c *remote.Client, name string) {
	t.Helper()
	if h.host != nil {
		if err := h.host.RemoveFirewallRule(context.Background(), name); err != nil {
			t.Fatalf("remove %s out of band: %v", name, err)
		}
		return
	}
	if err := realAdmin(t, h).RemoveFirewallRule(context.Background(), name); err != nil {
		t.Fatal(err)
	}
}

// uniqueRuleName keeps tests that share a real host apart.
func uniqueRuleName(t *testing.T, base string) string {
	return "tfacc-" + base + "-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
}

// hostOps counts the operations of one kind the simulated host has
// answered; against a real host, which cannot be counted, it is always 0.
func hostOps(h *testHost, op string) uint64 {
	if h.host == nil {
		return 0
	}
	return h.host.Stats().ByOp[op]
}

// hostRuleCount counts the rules on the host, read through the agent.
func hostRuleCount(t *testing.T, c *remote.Client) int {
	t.Helper()
	rules, err := firewall.List(context.Background(), c, firewall.Filter{})
	if err != nil {
		t.Fatalf("list rules on the host: %v", err)
	}
	return len(rules)
}
