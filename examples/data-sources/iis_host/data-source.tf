# The provider's host.
data "iis_host" "this" {}

output "iis_version" {
  value = data.iis_host.this.iis_version
}

# A fleet: one provider block, one host per instance.
data "iis_host" "fleet" {
  for_each = toset(["web01.corp.example.com", "web02.corp.example.com"])
  host     = each.key
}

output "fleet" {
  value = { for h, d in data.iis_host.fleet : h => "${d.computer_name} (${d.os_caption}, IIS ${d.iis_version})" }
}
