# Bring the existing settings of an application under management. Only
# locations with settings of their own in applicationHost.config can be
# imported; one that inherits everything is simply created.
import {
  to = iis_anonymous_authentication.shop
  id = "Default Web Site/shop"
}

resource "iis_anonymous_authentication" "shop" {
  location = "Default Web Site/shop"
  identity = "app_pool"
}
