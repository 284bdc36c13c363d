# A pool for an ASP.NET Core application: no managed code, always running,
# recycled at night instead of every 29 hours. Attributes left out take the
# host's stock defaults (applicationPoolDefaults), shown in the plan once
# known. Who the pool runs as is iis_app_pool_identity's job.
resource "iis_app_pool" "shop" {
  name                    = "shop"
  managed_runtime_version = ""
  start_mode              = "AlwaysRunning"
  idle_timeout            = "00:00:00"

  periodic_restart = {
    time     = "00:00:00"
    schedule = ["03:00:00"]
  }
}

# A classic ASP.NET pool, stopped until the application is deployed.
resource "iis_app_pool" "legacy" {
  name                  = "legacy"
  pipeline_mode         = "Classic"
  enable_32bit_on_win64 = true
  state                 = "Stopped"

  periodic_restart = {
    private_memory = 1048576 # KB: recycle above 1 GB of private bytes
  }
}

# A pool that applications may still run in when it is destroyed: without
# force_destroy, destroying it fails and names them.
resource "iis_app_pool" "retiring" {
  name          = "retiring"
  force_destroy = true
}

# The same pool on every host of a fleet: one provider block, the host per
# instance.
resource "iis_app_pool" "fleet" {
  for_each = toset(["web01.corp.example.com", "web02.corp.example.com"])

  host = each.key
  name = "shop"
}
