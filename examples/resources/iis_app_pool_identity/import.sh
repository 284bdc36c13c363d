# By the pool's name, on the provider's host. Passwords cannot be imported:
# set password_wo and password_wo_version, and the first apply sends it.
terraform import iis_app_pool_identity.shop shop

# On another host than the provider's, host/pool (the resource must set the
# same host):
terraform import 'iis_app_pool_identity.fleet["web02.corp.example.com"]' web02.corp.example.com/shop
