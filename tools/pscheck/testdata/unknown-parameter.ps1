# Get-NetFirewallRule has -PolicyStore, not -Store.
Get-NetFirewallRule -Name 'web-https' -Store PersistentStore
