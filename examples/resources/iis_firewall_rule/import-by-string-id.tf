# Bring the stock WinRM rule under management. Its group is the indirect
# string Windows stores. Without the resource block below,
# `terraform plan -generate-config-out=winrm.tf` writes one.
import {
  to = iis_firewall_rule.winrm
  id = "WINRM-HTTP-In-TCP"
}

resource "iis_firewall_rule" "winrm" {
  name         = "WINRM-HTTP-In-TCP"
  display_name = "Windows Remote Management (HTTP-In)"
  description  = "Inbound rule for Windows Remote Management via WS-Management. [TCP 5985]"
  group        = "@FirewallAPI.dll,-35001"
  protocol     = "TCP"
  local_ports  = ["5985"]
  profiles     = ["Domain", "Private"]
  program      = "System"
}
