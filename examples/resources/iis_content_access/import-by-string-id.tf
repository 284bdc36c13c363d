# Take over the explicit entry an administrator made by hand.
import {
  to = iis_content_access.shop_read
  id = "D:\\sites\\shop|IIS APPPOOL\\shop"
}

resource "iis_content_access" "shop_read" {
  path     = "D:\\sites\\shop"
  app_pool = "shop"
  access   = "read"
}
