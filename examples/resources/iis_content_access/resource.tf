# Least content access for a site in its own pool: its identity reads its
# own content and writes only to an uploads folder that is not served.
# Each grant is one explicit ACL entry; the plan shows what it exposes.
resource "iis_content_access" "shop_read" {
  path     = "D:\\sites\\shop"
  app_pool = "shop"
  access   = "read"
}

resource "iis_content_access" "shop_uploads" {
  path     = "D:\\data\\shop-uploads"
  app_pool = "shop"
  access   = "modify"
}

# A deployment account that replaces the site's files.
resource "iis_content_access" "deploy" {
  path    = "D:\\sites\\shop"
  account = "WEB01\\deploy"
  access  = "modify"
}

output "shop_uploads_exposure" {
  value = "${iis_content_access.shop_uploads.privilege}: ${iis_content_access.shop_uploads.exposure}"
}
