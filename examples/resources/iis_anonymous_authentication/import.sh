# By location, on the provider's host. Locations contain "/", so quote them:
terraform import iis_anonymous_authentication.shop 'Default Web Site/shop'

# The server level is "/":
terraform import iis_anonymous_authentication.server /

# On another host than the provider's, host|location (neither host names nor
# site names can contain "|"; the resource must set the same host):
terraform import 'iis_anonymous_authentication.fleet["web02.corp.example.com"]' 'web02.corp.example.com|Default Web Site/shop'
