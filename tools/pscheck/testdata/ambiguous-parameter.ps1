# -Pol could be -PolicyStore, -PolicyStoreSource or -PolicyStoreSourceType.
Get-NetFirewallRule -Pol PersistentStore
