# A site in a pool of its own, answering shop.example.com over HTTP and,
# with the certificate in LocalMachine\WebHosting, over HTTPS (SNI). The
# plan lists the identities that can run code in it; it warns when the
# pool is one another site already runs in.
resource "iis_app_pool" "shop" {
  name = "shop"
}

resource "iis_website" "shop" {
  name             = "shop"
  physical_path    = "D:\\sites\\shop"
  application_pool = iis_app_pool.shop.name

  bindings = [
    { protocol = "http", port = 80, host_name = "shop.example.com" },
    {
      protocol               = "https"
      port                   = 443
      host_name              = "shop.example.com"
      certificate_thumbprint = "3A5C0B17D2E4F6A8B9C0D1E2F3A4B5C6D7E8F901"
      certificate_store      = "WebHosting"
    },
  ]
}

output "shop_identities" {
  description = "Accounts that can run code in the shop site."
  value       = iis_website.shop.identities
}
