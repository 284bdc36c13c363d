package provider

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/aim"
)

// The objects every fault test applies: a pool and a firewall rule, each
// created by one write whose answer the faults aim at.
const (
	faultPool = "tfacc-fault-pool"
	faultRule = "tfacc-fault-rule"
)

func faultConfig(h *faultyHost, extra ...string) string {
	return h.providerConfig(extra...) +
		poolConfig("test", faultPool, `pipeline_mode = "Classic"`) +
		fwRuleConfig("test", faultRule, `display_name = "Fault test"`, `protocol = "TCP"`, `local_ports = ["8443"]`,
			`remote_addresses = ["10.1.0.0/16"]`)
}

// checkCreatedOnce checks that both objects are on the host and that each
// create ran there exactly once: no write was applied twice.
func checkCreatedOnce(t *testing.T, h *faultyHost) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		if _, err := h.host.AppPool(ctx, faultPool); err != nil {
			return fmt.Errorf("pool not on the host: %w", err)
		}
		if _, err := h.host.FirewallRule(ctx, faultRule); err != nil {
			return fmt.Errorf("rule not on the host: %w", err)
		}
		for _, op := range []string{hostapi.OpAppPoolCreate, hostapi.OpFirewallRuleCreate} {
			if n := h.applied(op); n != 1 {
				return fmt.Errorf("the host ran %s %d times, want exactly once", op, n)
			}
		}
		return nil
	}
}

// Every fault that loses or breaks one exchange of an apply: the apply
// succeeds, each create runs once on the host, and the plan after it is
// empty (resource.Test fails on a non-empty plan after apply), so the
// state holds exactly what the host holds.
func TestAccFaultsSurvived(t *testing.T) {
	pool := func(f func(n int, action string, m func(req, reply []byte) bool), action string) func(*faultyHost) {
		return func(h *faultyHost) {
			if action == "Send" {
				f(1, action, aim.Request(hostapi.OpAppPoolCreate, faultPool))
			} else {
				f(1, action, aim.Response(`"name":"`+faultPool+`"`))
			}
		}
	}
	rule := func(f func(n int, action string, m func(req, reply []byte) bool), action string) func(*faultyHost) {
		return func(h *faultyHost) {
			if action == "Send" {
				f(1, action, aim.Request(hostapi.OpFirewallRuleCreate, faultRule))
			} else {
				f(1, action, aim.Response(`"name":"`+faultRule+`"`))
			}
		}
	}
	cases := []struct {
		name  string
		arm   func(h *faultyHost)
		fired func(h *faultyHost) bool
	}{
		{"reply to the pool create's Send dropped", func(h *faultyHost) { pool(h.faults.DropReplyWhen, "Send")(h) }, nil},
		{"reply to the rule create's Send dropped", func(h *faultyHost) { rule(h.faults.DropReplyWhen, "Send")(h) }, nil},
		{"reply carrying the pool create's answer dropped", func(h *faultyHost) { pool(h.faults.DropReplyWhen, "Receive")(h) }, nil},
		{"reply carrying the rule create's answer truncated", func(h *faultyHost) { rule(h.faults.TruncateWhen, "Receive")(h) }, nil},
		{"reply carrying the pool create's answer malformed", func(h *faultyHost) { pool(h.faults.MalformedWhen, "Receive")(h) }, nil},
		{"HTTP 500 on three Sends", func(h *faultyHost) { h.faults.HTTP500NextN(3, "Send") }, nil},
		{"connection reset on two Receives", func(h *faultyHost) { h.faults.DropNextN(2, "Receive") }, nil},
		{"agent process dies after creating the pool", func(h *faultyHost) { h.agent.killWhenAnswering(`"name":"` + faultPool + `"`) },
			func(h *faultyHost) bool { return h.agent.killed() == 1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newFaultyHost(t, nil)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders(),
				Steps: []resource.TestStep{{
					PreConfig: func() { tc.arm(h) },
					Config:    faultConfig(h),
					Check: resource.ComposeTestCheckFunc(checkCreatedOnce(t, h), func(*terraform.State) error {
						fired := h.faults.Pending() == 0
						if tc.fired != nil {
							fired = tc.fired(h)
						}
						if !fired {
							return fmt.Errorf("the fault never fired")
						}
						return nil
					}),
				}},
			})
		})
	}
}

// Faults that outlast the retries fail the apply with a clear error, and
// the next plan shows what the host holds: here nothing, so both objects
// are planned for creation and the apply after the fault creates them.
func TestAccFailedApplyThenPlanShowsTheHost(t *testing.T) {
	cases := []struct {
		name  string
		tune  func(*winsim.Options)
		extra []string
		arm   func(t *testing.T, h *faultyHost) (heal func())
		err   *regexp.Regexp
	}{
		{
			name: "shell quota held by another client",
			tune: func(o *winsim.Options) { o.MaxShellsPerUser = 1 },
			arm: func(t *testing.T, h *faultyHost) func() {
				return holdShell(t, h) // another tool holds the user's only shell
			},
			err: regexp.MustCompile(`MaxShellsPerUser[\s\S]*gave up after 5 attempts`),
		},
		{
			name:  "host slower than the timeout",
			extra: []string{`timeout = "1s"`},
			arm: func(t *testing.T, h *faultyHost) func() {
				h.faults.SetSlowReply(3 * time.Second)
				return h.faults.Clear
			},
			err: regexp.MustCompile(`within 1s[\s\S]*gave up after 5 attempts`),
		},
		{
			name: "HTTP 500 on every Send",
			arm: func(t *testing.T, h *faultyHost) func() {
				h.faults.HTTP500NextN(1000, "Send")
				return h.faults.Clear
			},
			err: regexp.MustCompile(`The remote procedure call failed[\s\S]*gave up after 5 attempts`),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newFaultyHost(t, tc.tune)
			var heal func()
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders(),
				Steps: []resource.TestStep{
					{
						PreConfig:   func() { heal = tc.arm(t, h) },
						Config:      faultConfig(h, tc.extra...),
						ExpectError: tc.err,
					},
					{
						// The default timeout: a 1 s one is too tight for
						// a loaded test machine once the host is well.
						PreConfig: func() { heal() },
						Config:    faultConfig(h),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("iis_app_pool.test", plancheck.ResourceActionCreate),
							plancheck.ExpectResourceAction("iis_firewall_rule.test", plancheck.ResourceActionCreate),
						}},
						Check: checkCreatedOnce(t, h),
					},
				},
			})
		})
	}
}

// holdShell opens a shell on h as the test user from outside Terraform, as
// another tool would, and returns what closes it.
func holdShell(t *testing.T, h *faultyHost) (release func()) {
	t.Helper()
	pool := remote.NewPool(nil)
	c, err := pool.Client(remote.Config{
		Host: h.Host, Port: h.Port, Auth: remote.AuthNTLM, Username: h.Username, Password: h.Password,
		Scripts: remote.Scripts{CommandLine: hostscript.CommandLine(), AgentLine: hostscript.AgentLine()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Call(context.Background(), hostapi.OpHostInfo, nil, nil); err != nil {
		t.Fatalf("holder: %v", err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = pool.Close() }) }
	t.Cleanup(release)
	return release
}
