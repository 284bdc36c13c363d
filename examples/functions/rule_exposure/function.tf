# Provider functions resolve only in a module that requires the provider.
terraform {
  required_providers {
    iis = {
      source = "iisguard/iis"
    }
  }
}

# A rule's exposure, from the same attributes iis_firewall_rule takes
# (left-out attributes take the resource's defaults):
# { level = "high", reason = "inbound UDP 50000-50100 from 10.30.1.0/255.255.255.0 on Domain: 101 ports reachable from 256 addresses; more than 100 ports" }
locals {
  media_rule = {
    protocol         = "UDP"
    local_ports      = ["50000-50100"]
    remote_addresses = ["10.30.1.0/24"]
    profiles         = ["Domain"]
  }
}

output "media_exposure" {
  value = provider::iis::rule_exposure(local.media_rule)
}

# Warn on every plan when a rule would be reachable from the whole internet
# on every port or on Public networks. A whole resource works too:
#   provider::iis::rule_exposure(iis_firewall_rule.media)
# returns what iis_firewall_rule.media.exposure and exposure_reason hold, and
# so does an element of data.iis_firewall_rules' rules.
check "no_critical_rules" {
  assert {
    condition     = provider::iis::rule_exposure(local.media_rule).level != "critical"
    error_message = "Critical exposure: ${provider::iis::rule_exposure(local.media_rule).reason}."
  }
}
