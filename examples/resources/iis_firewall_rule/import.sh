# By the rule's name (its unique ID, as in Get-NetFirewallRule -Name), on the
# provider's host:
terraform import iis_firewall_rule.https shop-https-in

# On another host than the provider's (the resource must set the same host):
terraform import 'iis_firewall_rule.fleet_https["web02.corp.example.com"]' web02.corp.example.com/shop-https-in

# A stock rule, to bring it under management:
terraform import iis_firewall_rule.winrm WINRM-HTTP-In-TCP
