# Provider functions resolve only in a module that requires the provider.
terraform {
  required_providers {
    iis = {
      source = "iisguard/iis"
    }
  }
}

# The privilege an identity would have, known before any pool runs as it:
# { level = "full", reason = "LocalSystem: full control of the host, acts as the computer account on the network" }
output "system_privilege" {
  value = provider::iis::identity_privilege("LocalSystem", null)
}

# A module input that refuses identities above medium, with the reason in
# the error.
variable "pool_identity_type" {
  type    = string
  default = "ApplicationPoolIdentity"

  validation {
    condition     = contains(["least", "low", "medium"], provider::iis::identity_privilege(var.pool_identity_type, null).level)
    error_message = "Pool identity too powerful: ${provider::iis::identity_privilege(var.pool_identity_type, null).reason}."
  }
}

# A check block that warns on every plan while anonymous requests would run
# as an account that is not the built-in IUSR or a pool's virtual account.
# With resources, pass their attributes instead:
#   provider::iis::identity_privilege(iis_app_pool_identity.shop.identity_type, iis_app_pool_identity.shop.username)
# (the resource's own privilege attribute also sees the account's groups on
# the host, which a function cannot).
variable "anonymous_user" {
  type    = string
  default = "IUSR"
}

check "anonymous_least_privilege" {
  assert {
    condition     = provider::iis::identity_privilege(null, var.anonymous_user).level == "least"
    error_message = "Anonymous requests would run as ${var.anonymous_user}: ${provider::iis::identity_privilege(null, var.anonymous_user).reason}."
  }
}
