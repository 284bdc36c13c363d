# Get-NetFirewallRules does not exist (the cmdlet is Get-NetFirewallRule):
# on Windows this fails only when the operation runs.
function Invoke-List {
    param($Arguments)
    return @(Get-NetFirewallRules -PolicyStore PersistentStore)
}
$script:IisAgentOps['firewall.rule.list'] = 'Invoke-List'
