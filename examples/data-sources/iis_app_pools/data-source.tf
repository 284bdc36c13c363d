# Every pool on the host with who it runs as, managed here or not.
data "iis_app_pools" "all" {}

output "pool_identities" {
  value = { for p in data.iis_app_pools.all.pools : p.name => "${p.account} (${p.privilege})" }
}

# Only the pools that need a look: LocalSystem, administrators, accounts
# the host cannot resolve.
data "iis_app_pools" "risky" {
  min_privilege = "high"
}

output "risky_pools" {
  value = { for p in data.iis_app_pools.risky.pools : p.name => "${p.privilege_reason}; runs ${join(", ", p.applications)}" }
}
