# path|identity, with the identity as Windows writes it in the ACL:
terraform import iis_content_access.shop_read 'D:\sites\shop|IIS APPPOOL\shop'
terraform import iis_content_access.iusr 'D:\sites\shop|NT AUTHORITY\IUSR'
terraform import iis_content_access.deploy 'D:\sites\shop|WEB01\deploy'

# On another host than the provider's, host|path|identity:
terraform import iis_content_access.shop_read 'web02.corp.example.com|D:\sites\shop|IIS APPPOOL\shop'
