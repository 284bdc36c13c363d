# Take over the identity of the stock DefaultAppPool as it is today.
import {
  to = iis_app_pool_identity.default
  id = "DefaultAppPool"
}

resource "iis_app_pool_identity" "default" {
  pool          = "DefaultAppPool"
  identity_type = "ApplicationPoolIdentity"
}
