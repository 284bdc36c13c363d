# HTTPS to the site, from the office and the load balancers only, on the
# domain profile: exposure "medium" (a private range wider than a /24).
resource "iis_firewall_rule" "https" {
  name             = "shop-https-in"
  display_name     = "Shop (HTTPS in)"
  description      = "HTTPS to the shop site from the office and the load balancers."
  group            = "Shop"
  protocol         = "TCP"
  local_ports      = ["443"]
  remote_addresses = ["10.20.0.0/16", "192.0.2.10-192.0.2.12"]
  profiles         = ["Domain"]
}

# UDP high ports for a media service, from one subnet only: still "high",
# because more than 100 ports are open; narrowing the ports lowers it.
resource "iis_firewall_rule" "media" {
  name             = "shop-media-in"
  display_name     = "Shop media (UDP in)"
  group            = "Shop"
  protocol         = "UDP"
  local_ports      = ["50000-50100"]
  remote_addresses = ["10.30.1.0/24"]
  profiles         = ["Domain", "Private"]
  service          = "ShopMedia"
}

# Ping from the monitoring hosts.
resource "iis_firewall_rule" "ping" {
  name             = "shop-ping-in"
  display_name     = "Shop (ICMPv4 echo in)"
  protocol         = "ICMPv4"
  icmp_types       = ["8"]
  remote_addresses = ["10.40.0.5", "10.40.0.6"]
}

# The same rule on every host of a fleet: one provider block, the host per
# instance.
resource "iis_firewall_rule" "fleet_https" {
  for_each = toset(["web01.corp.example.com", "web02.corp.example.com"])

  host             = each.key
  name             = "shop-https-in"
  display_name     = "Shop (HTTPS in)"
  protocol         = "TCP"
  local_ports      = ["443"]
  remote_addresses = ["LocalSubnet"]
}

# Reviewers read this in the plan: exposure is known before apply.
output "https_exposure" {
  value = "${iis_firewall_rule.https.exposure}: ${iis_firewall_rule.https.exposure_reason}"
}
