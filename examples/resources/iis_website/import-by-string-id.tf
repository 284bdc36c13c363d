# Bring the stock Default Web Site under management. Written as the host has
# it, the first plan after the import changes nothing; from then on this
# configuration decides its root, pool and bindings.
import {
  to = iis_website.default
  id = "Default Web Site"
}

resource "iis_website" "default" {
  name             = "Default Web Site"
  physical_path    = "%SystemDrive%\\inetpub\\wwwroot"
  application_pool = "DefaultAppPool"
  bindings         = [{ protocol = "http", port = 80 }]
}
