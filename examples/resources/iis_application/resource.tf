# The shop's API as an application of its own, in its own pool, so that a
# flaw in the API does not hand over the shop's identity (and the other way
# round). Putting it in the site's pool instead makes the plan warn.
resource "iis_app_pool" "shop_api" {
  name                    = "shop-api"
  managed_runtime_version = ""
}

resource "iis_application" "api" {
  site             = "shop"
  path             = "/api"
  physical_path    = "D:\\sites\\shop-api"
  application_pool = iis_app_pool.shop_api.name
}
