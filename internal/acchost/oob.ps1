# pscheck: with ../hostscript/agent.ps1 ../hostscript/main.ps1
# oob.* handlers: the changes an administrator makes behind Terraform's back,
# for the acceptance tests against a real host (make testacc-windows). They
# call the cmdlets directly, never the provider's own handlers, so a drift
# test cannot pass because the provider's code agrees with itself. This file
# is assembled with agent.ps1 and main.ps1 into a separate agent with its own
# hash (internal/acchost); the provider never sends it.

$script:OobPrefix = 'tfacc-'

function Get-OobArgString {
    param($Arguments, [string]$Key)
    $v = $null
    if ($null -ne $Arguments) { $v = $Arguments.$Key }
    if (-not ($v -is [string]) -or $v.Length -eq 0) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a non-empty string" -f $Key))
    }
    return $v
}

# ConvertTo-OobLiteralName escapes the wildcard characters of -Name, so a
# name means that one rule.
function ConvertTo-OobLiteralName {
    param([string]$Name)
    $sb = New-Object System.Text.StringBuilder
    foreach ($ch in $Name.ToCharArray()) {
        if ('`*?[]'.IndexOf($ch) -ge 0) { [void]$sb.Append('`') }
        [void]$sb.Append($ch)
    }
    return $sb.ToString()
}

# Invoke-OobFirewallWiden opens a rule to every remote address and the given
# local ports, as Set-NetFirewallRule at an administrator's prompt would.
function Invoke-OobFirewallWiden {
    param($Arguments)
    $name = ConvertTo-OobLiteralName (Get-OobArgString $Arguments 'name')
    $ports = @($Arguments.local_port | Where-Object { $_ -is [string] })
    if ($ports.Count -gt 0) {
        Set-NetFirewallRule -Name $name -PolicyStore PersistentStore -RemoteAddress Any -LocalPort $ports
    } else {
        Set-NetFirewallRule -Name $name -PolicyStore PersistentStore -RemoteAddress Any
    }
    return $null
}

function Invoke-OobFirewallRemove {
    param($Arguments)
    $name = ConvertTo-OobLiteralName (Get-OobArgString $Arguments 'name')
    Remove-NetFirewallRule -Name $name -PolicyStore PersistentStore
    return $null
}

# Invoke-OobCleanup removes what acceptance tests leave behind when a run is
# interrupted: firewall rules and local users whose names start with
# tfacc-. Nothing else is touched. Application pools are the next operation,
# which needs IIS.
function Invoke-OobCleanup {
    param($Arguments)
    $removed = New-Object System.Collections.Generic.List[string]
    foreach ($r in @(Get-NetFirewallRule -PolicyStore PersistentStore)) {
        $n = [string]$r.Name
        if (-not $n.StartsWith($script:OobPrefix, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        Remove-NetFirewallRule -Name (ConvertTo-OobLiteralName $n) -PolicyStore PersistentStore
        $removed.Add('firewall rule ' + $n)
    }
    foreach ($u in @(Get-LocalUser)) {
        $n = [string]$u.Name
        if (-not $n.StartsWith($script:OobPrefix, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        Remove-LocalUser -SID $u.SID
        $removed.Add('local user ' + $n)
    }
    return [ordered]@{ removed = [string[]]$removed.ToArray() }
}

# Invoke-OobCleanupAppPools removes the tfacc- application pools, stopping
# each first as WebAdministrationDsc does.
function Invoke-OobCleanupAppPools {
    param($Arguments)
    Import-Module WebAdministration -ErrorAction Stop
    $removed = New-Object System.Collections.Generic.List[string]
    foreach ($p in @(Get-ChildItem -Path 'IIS:\AppPools')) {
        $n = [string]$p.Name
        if (-not $n.StartsWith($script:OobPrefix, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        if ([string](Get-WebAppPoolState -Name $n).Value -eq 'Started') { Stop-WebAppPool -Name $n }
        Remove-WebAppPool -Name $n
        $removed.Add('application pool ' + $n)
    }
    return [ordered]@{ removed = [string[]]$removed.ToArray() }
}

$script:IisAgentOps['oob.firewall.widen'] = 'Invoke-OobFirewallWiden'
$script:IisAgentOps['oob.firewall.remove'] = 'Invoke-OobFirewallRemove'
$script:IisAgentOps['oob.cleanup'] = 'Invoke-OobCleanup'
$script:IisAgentOps['oob.cleanup.apppools'] = 'Invoke-OobCleanupAppPools'
