terraform {
  required_providers {
    iis = {
      source = "iisguard/iis"
    }
  }
}

# HTTPS with NTLM and the host's CA: the defaults are the safe choice.
# The password comes from IIS_PASSWORD, so it stays out of the configuration.
provider "iis" {
  host     = "web01.corp.example.com"
  username = "CORP\\svc-terraform"
  ca_cert  = file("${path.module}/winrm-ca.pem")
}

# A lab host that only has the HTTP listener: NTLM still keeps the password
# off the wire, but the traffic itself is not encrypted.
provider "iis" {
  alias    = "lab"
  host     = "192.0.2.10"
  https    = false
  username = "Administrator"
}
