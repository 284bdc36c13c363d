terraform {
  required_providers {
    iis = {
      source = "iisguard/iis"
    }
  }
}

# The demo points the provider at a simulated host through the environment:
# IIS_HOST, IIS_PORT, IIS_CA_CERT, IIS_USERNAME and IIS_PASSWORD. The same
# configuration works against a real host with those variables set.
provider "iis" {}

variable "https_sources" {
  description = "Who may reach the site over HTTPS."
  type        = list(string)
  default     = ["10.20.0.0/16"]
}

data "iis_host" "web" {}

# HTTPS in, from the office network only, on the domain profile.
resource "iis_firewall_rule" "https" {
  name             = "demo-site-https-in"
  display_name     = "Demo site (HTTPS in)"
  protocol         = "TCP"
  local_ports      = ["443"]
  remote_addresses = var.https_sources
  profiles         = ["Domain"]
}

# Anonymous requests to the catalog application run as its pool's identity
# (CIS IIS 1.6). The plan shows who that is and how privileged; if the pool
# is ever switched to LocalSystem, the privilege follows it.
resource "iis_anonymous_authentication" "catalog" {
  location = "Default Web Site/catalog"
  identity = "app_pool"
}

variable "catalog_identity" {
  description = "Who the catalog's pool runs as."
  type        = string
  default     = "ApplicationPoolIdentity"
}

# Who the catalog's pool runs as. The pool was made outside Terraform; its
# identity is managed here. The plan shows the account and its privilege
# before anything is applied, and warns when the privilege rises.
resource "iis_app_pool_identity" "catalog" {
  pool          = "catalog"
  identity_type = var.catalog_identity
}

output "catalog_pool" {
  description = "Who the catalog's pool runs as, and how privileged that is."
  value       = "${iis_app_pool_identity.catalog.account} (${iis_app_pool_identity.catalog.privilege}): ${iis_app_pool_identity.catalog.privilege_reason}"
}

output "catalog_anonymous" {
  description = "Who anonymous requests to the catalog run as, and how privileged that is."
  value       = "${iis_anonymous_authentication.catalog.account} (${iis_anonymous_authentication.catalog.privilege}): ${iis_anonymous_authentication.catalog.privilege_reason}"
}

output "host" {
  description = "What the provider found on the host."
  value = {
    computer_name = data.iis_host.web.computer_name
    os            = "${data.iis_host.web.os_caption} (${data.iis_host.web.os_version})"
    iis_version   = data.iis_host.web.iis_version
    domain        = data.iis_host.web.domain
    domain_joined = data.iis_host.web.domain_joined
  }
}

output "https_exposure" {
  description = "How far the HTTPS rule opens the host, and why."
  value       = "${iis_firewall_rule.https.exposure}: ${iis_firewall_rule.https.exposure_reason}"
}

# Audit: every rule on the host at least this exposed, managed here or not.
data "iis_firewall_rules" "open" {
  min_exposure = "high"
  depends_on   = [iis_firewall_rule.https]
}

output "open_rules" {
  description = "Rules on the host with exposure high or critical."
  value       = [for r in data.iis_firewall_rules.open.rules : "${r.exposure}: ${r.name} (${r.exposure_reason})"]
}

# --- Two sites, each with an identity of its own -----------------------------
# shop and blog run in pools of their own, so each runs as its own virtual
# account (IIS AppPool\shop, IIS AppPool\blog), and anonymous requests run
# as the pool's identity everywhere (CIS IIS 1.6), so no two sites share
# IUSR. Each identity reads its own content and nothing else.

variable "blog_pool" {
  description = "The pool the blog runs in."
  type        = string
  default     = "blog"
}

variable "shop_content_access" {
  description = "What the shop's identity may do to its own content."
  type        = string
  default     = "read"
}

resource "iis_anonymous_authentication" "server" {
  location = ""
  identity = "app_pool"
}

resource "iis_app_pool" "site" {
  for_each = toset(["shop", "blog"])
  name     = each.key
}

resource "iis_website" "shop" {
  name             = "shop"
  physical_path    = "C:\\sites\\shop"
  application_pool = iis_app_pool.site["shop"].name
  bindings         = [{ protocol = "http", port = 80, host_name = "shop.example.com" }]
}

resource "iis_website" "blog" {
  name             = "blog"
  physical_path    = "C:\\sites\\blog"
  application_pool = var.blog_pool == "blog" ? iis_app_pool.site["blog"].name : var.blog_pool
  bindings         = [{ protocol = "http", port = 80, host_name = "blog.example.com" }]
}

resource "iis_content_access" "shop" {
  path     = iis_website.shop.physical_path
  app_pool = iis_app_pool.site["shop"].name
  access   = var.shop_content_access
}

resource "iis_content_access" "blog" {
  path     = iis_website.blog.physical_path
  app_pool = iis_app_pool.site["blog"].name
}

output "sites" {
  description = "Who can run code in each site, and what each identity may do to the content."
  value = {
    shop = { identities = iis_website.shop.identities, content = "${iis_content_access.shop.privilege}: ${iis_content_access.shop.exposure}" }
    blog = { identities = iis_website.blog.identities, content = "${iis_content_access.blog.privilege}: ${iis_content_access.blog.exposure}" }
  }
}
