import {
  to = iis_application.api
  id = "shop/api"
}

resource "iis_application" "api" {
  site             = "shop"
  path             = "/api"
  physical_path    = "D:\\sites\\shop-api"
  application_pool = "shop-api"
}
