# A splatted key is a parameter name too: New-NetFirewallRule has no -Ports.
$params = @{ Name = 'web'; DisplayName = 'web' }
$params['Ports'] = '443'
New-NetFirewallRule @params
