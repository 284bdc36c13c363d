resource "iis_app_pool" "shop" {
  name = "shop"
}

# Least privilege: the per-pool virtual account IIS AppPool\shop. The plan
# shows account and privilege ("least") before anything is applied.
resource "iis_app_pool_identity" "shop" {
  pool          = iis_app_pool.shop.name
  identity_type = "ApplicationPoolIdentity"
}

# A service account for a pool that must reach a file share. The password
# is write-only: sent to the host, never stored in plan or state. Bump
# password_wo_version to send a new one. If someone changes the password on
# the host, a refresh shows password_wo_version as unset (the host proves
# which password it holds without sending it) and the next apply sets it
# back.
variable "reports_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "iis_app_pool" "reports" {
  name = "reports"
}

resource "iis_app_pool_identity" "reports" {
  pool                = iis_app_pool.reports.name
  identity_type       = "SpecificUser"
  username            = "CONTOSO\\svc-reports"
  password_wo         = var.reports_password
  password_wo_version = 1
}

# A group managed service account needs no password: Windows fetches it
# from Active Directory.
resource "iis_app_pool" "api" {
  name = "api"
}

resource "iis_app_pool_identity" "api" {
  pool          = iis_app_pool.api.name
  identity_type = "SpecificUser"
  username      = "CONTOSO\\web-api$"
}

# The stock pool, which this configuration did not create. Destroying this
# resource returns it to ApplicationPoolIdentity.
resource "iis_app_pool_identity" "default" {
  pool          = "DefaultAppPool"
  identity_type = "ApplicationPoolIdentity"
}

# Reviewers read this in the plan: a change to LocalSystem shows
# privilege "least" -> "full" in the diff, with a warning naming the sites
# and applications that would run as SYSTEM.
output "shop_identity" {
  value = "${iis_app_pool_identity.shop.account} (${iis_app_pool_identity.shop.privilege}): ${iis_app_pool_identity.shop.privilege_reason}"
}
