# By the site's name, on the provider's host (compared without regard to case):
terraform import iis_website.shop shop

# On another host than the provider's, host/name (site names cannot contain "/";
# the resource must set the same host):
terraform import 'iis_website.fleet["web02.corp.example.com"]' web02.corp.example.com/shop

# The stock site, to manage it:
terraform import iis_website.default "Default Web Site"
