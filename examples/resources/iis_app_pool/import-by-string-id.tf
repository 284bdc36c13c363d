# Bring the stock DefaultAppPool under management. Attributes left out keep
# what the host has; destroying it later fails while Default Web Site runs
# in it, unless force_destroy is set.
import {
  to = iis_app_pool.default
  id = "DefaultAppPool"
}

resource "iis_app_pool" "default" {
  name       = "DefaultAppPool"
  start_mode = "AlwaysRunning"
}
