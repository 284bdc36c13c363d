package provider

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A resource's timeouts block bounds its operation, retries and checks
// included, well below the provider's own per-call timeout; the block is
// kept in state and plans no diff.
func TestAccResourceTimeoutsBoundTheOperation(t *testing.T) {
	h := newFaultyHost(t, nil)
	timeouts := `timeouts = { create = "4s", read = "1m", update = "1m", delete = "1m" }`
	resources := poolConfig("test", faultPool, timeouts) +
		fwRuleConfig("test", faultRule, `display_name = "Timeouts"`, `protocol = "TCP"`, `local_ports = ["8443"]`, timeouts)
	var start time.Time
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				// Every reply takes 20 s; the provider would wait 60 s
				// per call, the resources give up after 4 s.
				PreConfig: func() {
					h.faults.SetSlowReply(20 * time.Second)
					start = time.Now()
				},
				Config:      h.providerConfig() + resources,
				ExpectError: regexp.MustCompile(`context deadline exceeded|within|deadline`),
			},
			{
				PreConfig: func() {
					if d := time.Since(start); d > 45*time.Second {
						t.Errorf("the failed apply took %s; the 4 s create timeout did not bound it", d)
					}
					h.faults.Clear()
				},
				// Another provider timeout is another connection: the
				// first one's sessions are still opening against the
				// slow host, as they would be on a real one.
				Config: h.providerConfig(`timeout = "30s"`) + resources,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("iis_app_pool.test", tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("4s")),
					statecheck.ExpectKnownValue("iis_firewall_rule.test", tfjsonpath.New("timeouts").AtMapKey("delete"), knownvalue.StringExact("1m")),
				},
			},
		},
	})
}
