# By the pool's name, on the provider's host:
terraform import iis_app_pool.shop shop

# On another host than the provider's, host/name (pool names cannot contain
# "/"; the resource must set the same host):
terraform import 'iis_app_pool.fleet["web02.corp.example.com"]' web02.corp.example.com/shop

# A stock pool, to manage its settings:
terraform import iis_app_pool.default DefaultAppPool
