package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// ruleVariants span every exposure level; each is both an iis_firewall_rule
// and an object literal passed to the function.
const ruleVariants = `
locals {
  rules = [
    { name = "fn-scoped", protocol = "TCP", local_ports = ["443"], remote_addresses = ["10.1.2.0/24"], profiles = ["Domain"] },
    { name = "fn-intranet", protocol = "TCP", local_ports = [443], remote_addresses = ["Intranet"], profiles = ["Domain"] },
    { name = "fn-wide", protocol = "UDP", local_ports = ["1024-65535"], remote_addresses = ["Any"] },
    { name = "fn-program", protocol = "TCP", local_ports = ["8080"], program = "C:\\app\\app.exe", profiles = ["Domain", "Private"] },
    { name = "fn-out", direction = "Outbound", protocol = 6, remote_ports = ["443"] },
    { name = "fn-disabled", enabled = false, protocol = "TCP", local_ports = ["3389"] },
    { name = "fn-block", action = "Block", protocol = "TCP", local_ports = ["445"] },
    { name = "fn-ping", protocol = "ICMPv4", icmp_types = ["8"], remote_addresses = ["LocalSubnet"], profiles = ["Domain"] },
    { name = "fn-edge", protocol = "UDP", local_ports = ["3544"], remote_addresses = ["10.0.0.0/8"], profiles = ["Private"], edge_traversal = "Allow" },
    { name = "fn-any" },
  ]
}
`

// The function gives every rule the level and reason the resource gives
// it, whether it is passed the resource itself or the object literal the
// resource was written from (so its defaults match the resource's).
func TestAccFunctionRuleExposureMatchesResource(t *testing.T) {
	h := newSimHost(t, simOptions{})
	config := h.providerConfig() + ruleVariants + `
resource "iis_firewall_rule" "r" {
  count            = length(local.rules)
  name             = local.rules[count.index].name
  display_name     = local.rules[count.index].name
  enabled          = lookup(local.rules[count.index], "enabled", null)
  direction        = lookup(local.rules[count.index], "direction", null)
  action           = lookup(local.rules[count.index], "action", null)
  protocol         = lookup(local.rules[count.index], "protocol", null)
  local_ports      = lookup(local.rules[count.index], "local_ports", null)
  remote_ports     = lookup(local.rules[count.index], "remote_ports", null)
  remote_addresses = lookup(local.rules[count.index], "remote_addresses", null)
  icmp_types       = lookup(local.rules[count.index], "icmp_types", null)
  profiles         = lookup(local.rules[count.index], "profiles", null)
  program          = lookup(local.rules[count.index], "program", null)
  edge_traversal   = lookup(local.rules[count.index], "edge_traversal", null)
}
output "levels" {
  value = [for r in iis_firewall_rule.r : r.exposure]
}
output "resource_mismatches" {
  value = [for r in iis_firewall_rule.r : "${r.name}: ${jsonencode(provider::iis::rule_exposure(r))} vs ${r.exposure}: ${r.exposure_reason}"
    if provider::iis::rule_exposure(r) != { level = r.exposure, reason = r.exposure_reason }]
}
output "literal_mismatches" {
  value = [for i, rule in local.rules : "${rule.name}: ${jsonencode(provider::iis::rule_exposure(rule))} vs ${iis_firewall_rule.r[i].exposure}"
    if provider::iis::rule_exposure(rule) != { level = iis_firewall_rule.r[i].exposure, reason = iis_firewall_rule.r[i].exposure_reason }]
}
`
	levels := []knownvalue.Check{}
	for _, l := range []string{"low", "medium", "critical", "medium", "egress", "none", "none", "low", "critical", "critical"} {
		levels = append(levels, knownvalue.StringExact(l))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   functionsNeedTF18,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("levels", knownvalue.ListExact(levels)),
				statecheck.ExpectKnownOutputValue("resource_mismatches", knownvalue.ListExact(nil)),
				statecheck.ExpectKnownOutputValue("literal_mismatches", knownvalue.ListExact(nil)),
			},
		}},
	})
}

// A rule the resource would refuse, a misspelt attribute or a value that
// is not a rule is an error naming the problem, not a guess.
func TestAccFunctionRuleExposureErrors(t *testing.T) {
	step := func(arg string, want ...string) resource.TestStep {
		return resource.TestStep{
			Config:      "output \"x\" {\n  value = provider::iis::rule_exposure(" + arg + ")\n}\n",
			ExpectError: wrappedText(want...),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   functionsNeedTF18,
		Steps: []resource.TestStep{
			step(`{ protocol = "TCP", remote_address = ["10.0.0.1"] }`, `"remote_address" is not an iis_firewall_rule attribute`),
			step(`{ protocol = "ICMPv4", local_ports = ["443"] }`, `iis_firewall_rule would refuse this rule`, `local_ports:`, `ports need protocol TCP or UDP`),
			step(`{ protocol = "TCP", local_ports = "443" }`, `local_ports: want a list of strings`),
			step(`"TCP 443"`, `want an object with the rule's attributes, got`),
			step(`{ direction = "Sideways" }`, `iis_firewall_rule would refuse this rule`, `direction`),
		},
	})
}
