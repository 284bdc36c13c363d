package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// The data source finds what is open, including rules no configuration
// manages, filters by group, direction, state and exposure, and reads the
// whole store with one list operation.
func TestAccFirewallRulesDataSource(t *testing.T) {
	h := newTestHost(t, simOptions{})
	c := agentClient(t, h)
	narrow, wide := uniqueRuleName(t, "narrow"), uniqueRuleName(t, "wide")
	const group = "tfacc audit"
	config := h.providerConfig() +
		fwRuleConfig("narrow", narrow, `display_name = "Narrow"`, `group = "`+group+`"`, `protocol = "TCP"`,
			`local_ports = ["443"]`, `remote_addresses = ["10.1.2.0/24"]`, `profiles = ["Domain"]`) +
		fwRuleConfig("wide", wide, `display_name = "Wide"`, `group = "`+group+`"`, `protocol = "UDP"`,
			`local_ports = ["1024-65535"]`) + `
data "iis_firewall_rules" "group" {
  group      = "` + group + `"
  depends_on = [iis_firewall_rule.narrow, iis_firewall_rule.wide]
}
data "iis_firewall_rules" "critical" {
  group        = "` + group + `"
  min_exposure = "critical"
  depends_on   = [iis_firewall_rule.narrow, iis_firewall_rule.wide]
}
data "iis_firewall_rules" "rdp" {
  group   = "Remote Desktop"
  enabled = false
}
data "iis_firewall_rules" "egress" {
  direction    = "Outbound"
  min_exposure = "egress-low"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkRuleGone(t, c, narrow, wide),
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.iis_firewall_rules.group", "host", h.Host),
				resource.TestCheckResourceAttr("data.iis_firewall_rules.group", "rules.#", "2"),
				resource.TestCheckTypeSetElemNestedAttrs("data.iis_firewall_rules.group", "rules.*", map[string]string{
					"name": narrow, "exposure": "low", "remote_addresses.0": "10.1.2.0/255.255.255.0", "profiles.0": "Domain",
				}),
				resource.TestCheckResourceAttr("data.iis_firewall_rules.critical", "rules.#", "1"),
				resource.TestCheckResourceAttr("data.iis_firewall_rules.critical", "rules.0.name", wide),
				resource.TestCheckResourceAttr("data.iis_firewall_rules.critical", "rules.0.exposure_reason",
					"inbound UDP 1024-65535 from Any on all profiles: 64512 ports reachable from the internet; more than 100 ports"),
				resource.TestCheckResourceAttr("data.iis_firewall_rules.rdp", "rules.#", "2"),
				resource.TestCheckResourceAttr("data.iis_firewall_rules.rdp", "rules.0.display_group", "Remote Desktop"),
				resource.TestCheckResourceAttr("data.iis_firewall_rules.rdp", "rules.0.exposure", "none"),
				resource.TestCheckTypeSetElemNestedAttrs("data.iis_firewall_rules.egress", "rules.*", map[string]string{
					"name": "CoreNet-DNS-Out-UDP", "exposure": "egress",
				}),
			),
		}},
	})
}

// However many rules the host holds, the data source asks for them once:
// no operation per rule (on the host, the agent reads each filter kind
// once and joins them).
func TestAccFirewallRulesDataSourceReadsInBulk(t *testing.T) {
	h := newSimHost(t, simOptions{}) // counts operations: simulator only
	for i := 0; i < 40; i++ {
		err := h.host.NewFirewallRule(context.Background(), fmt.Sprintf("unmanaged-%d", i), host.FWParams{
			DisplayName: host.Str("Unmanaged"), Protocol: host.Str("TCP"), LocalPort: []string{fmt.Sprint(8000 + i)},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config: h.providerConfig() + `data "iis_firewall_rules" "all" {}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.iis_firewall_rules.all", "rules.#", "49"),
				resource.TestCheckTypeSetElemNestedAttrs("data.iis_firewall_rules.all", "rules.*", map[string]string{
					"name": "unmanaged-39", "local_ports.0": "8039", "exposure": "critical",
				}),
				func(*terraform.State) error {
					lists, gets := hostOps(h, hostapi.OpFirewallRuleList), hostOps(h, hostapi.OpFirewallRuleGet)
					// The step reads the data source in plan, apply and refresh.
					if gets != 0 || lists == 0 || lists > 4 {
						return fmt.Errorf("%d list and %d get operations for 49 rules", lists, gets)
					}
					return nil
				},
			),
		}},
	})
}
