# Everything on the host that is at least "high", managed here or not.
data "iis_firewall_rules" "open" {
  min_exposure = "high"
}

output "open_rules" {
  value = { for r in data.iis_firewall_rules.open.rules : r.name => "${r.exposure}: ${r.exposure_reason}" }
}

# Enabled inbound rules of one group, by the group name Windows displays.
data "iis_firewall_rules" "remote_desktop" {
  group     = "Remote Desktop"
  direction = "Inbound"
  enabled   = true
}

# Outbound allow rules that can reach the internet.
data "iis_firewall_rules" "egress" {
  direction    = "Outbound"
  min_exposure = "egress"
}
