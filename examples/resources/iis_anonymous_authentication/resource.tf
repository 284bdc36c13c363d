# The shop application runs anonymous requests as its own pool's identity,
# IIS AppPool\shop (CIS IIS 1.6): privilege "least" while the pool runs as
# ApplicationPoolIdentity. If the pool is ever switched to LocalSystem, this
# resource's privilege follows it to "full", in the plan and on refresh.
resource "iis_anonymous_authentication" "shop" {
  location = "Default Web Site/shop"
  identity = "app_pool"
}

# The server level, which every site inherits: the built-in IUSR account.
resource "iis_anonymous_authentication" "server" {
  location = ""
  identity = "iusr"
}

# No anonymous access to the admin application.
resource "iis_anonymous_authentication" "admin" {
  location = "Default Web Site/admin"
  enabled  = false
}

# A dedicated low-privilege account for a legacy application. The password
# is write-only: sent to the host, never stored in plan or state. Bump the
# version to send a new one.
variable "legacy_anon_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "iis_anonymous_authentication" "legacy" {
  location            = "Legacy Site"
  identity            = "specific_user"
  username            = "WEB01\\legacy-anon"
  password_wo         = var.legacy_anon_password
  password_wo_version = 1
}

# The same setting on every host of a fleet: one provider block, the host
# per instance.
resource "iis_anonymous_authentication" "fleet" {
  for_each = toset(["web01.corp.example.com", "web02.corp.example.com"])

  host     = each.key
  location = "Default Web Site/shop"
  identity = "app_pool"
}

# Reviewers read this in the plan: account and privilege are known before
# apply.
output "shop_anonymous" {
  value = "${iis_anonymous_authentication.shop.account} (${iis_anonymous_authentication.shop.privilege}): ${iis_anonymous_authentication.shop.privilege_reason}"
}
