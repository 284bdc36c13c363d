# By site/path, on the provider's host:
terraform import iis_application.api shop/api

# On another host than the provider's, host|site/path:
terraform import iis_application.api 'web02.corp.example.com|shop/api'
