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

# Get-OobArgText is Get-OobArgString for a value that may be empty.
function Get-OobArgText {
    param($Arguments, [string]$Key)
    $v = $null
    if ($null -ne $Arguments) { $v = $Arguments.$Key }
    if (-not ($v -is [string])) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a string" -f $Key))
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

# Invoke-OobCleanupAppPools removes the tfacc- sites and applications (of
# any site), then the tfacc- application pools, stopping each first as
# WebAdministrationDsc does.
function Invoke-OobCleanupAppPools {
    param($Arguments)
    Import-Module WebAdministration -ErrorAction Stop
    $removed = New-Object System.Collections.Generic.List[string]
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        foreach ($site in @($sm.Sites)) {
            $n = [string]$site.Name
            if ($n.StartsWith($script:OobPrefix, [System.StringComparison]::OrdinalIgnoreCase)) {
                $sm.Sites.Remove($site)
                $removed.Add('site ' + $n)
                continue
            }
            foreach ($app in @($site.Applications)) {
                $p = [string]$app.Path
                if (-not $p.TrimStart('/').StartsWith($script:OobPrefix, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
                $site.Applications.Remove($app)
                $removed.Add('application ' + $n + $p)
            }
        }
        $sm.CommitChanges()
    } finally {
        $sm.Dispose()
    }
    foreach ($p in @(Get-ChildItem -Path 'IIS:\AppPools')) {
        $n = [string]$p.Name
        if (-not $n.StartsWith($script:OobPrefix, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        if ([string](Get-WebAppPoolState -Name $n).Value -eq 'Started') { Stop-WebAppPool -Name $n }
        Remove-WebAppPool -Name $n
        $removed.Add('application pool ' + $n)
    }
    return [ordered]@{ removed = [string[]]$removed.ToArray() }
}

# The IIS steps run through the WebAdministration module, as an
# administrator's console would: pools and sites by their IIS: items,
# applications with New-/Remove-WebApplication, sections with
# Set-WebConfigurationProperty and Clear-WebConfiguration.
function Initialize-OobIis {
    Import-Module WebAdministration -ErrorAction Stop
}

function Get-OobPoolPath {
    param($Arguments)
    return 'IIS:\AppPools\' + (Get-OobArgString $Arguments 'pool')
}

# Get-OobAppPath is the IIS: item of an application: the site, then the
# application's path with its slashes as IIS: separators.
function Get-OobAppPath {
    param($Arguments)
    $site = Get-OobArgString $Arguments 'site'
    $path = (Get-OobArgString $Arguments 'path').Trim('/').Replace('/', '\')
    return 'IIS:\Sites\' + $site + '\' + $path
}

function Invoke-OobAppPoolAdd {
    param($Arguments)
    Initialize-OobIis
    New-WebAppPool -Name (Get-OobArgString $Arguments 'pool') | Out-Null
    return $null
}

function Invoke-OobAppPoolRemove {
    param($Arguments)
    Initialize-OobIis
    Remove-WebAppPool -Name (Get-OobArgString $Arguments 'pool')
    return $null
}

# Invoke-OobAppPoolSet sets one attribute by its configuration name
# (managedPipelineMode, processModel.identityType), as
# Set-ItemProperty IIS:\AppPools\<pool> -Name <attribute> does.
function Invoke-OobAppPoolSet {
    param($Arguments)
    Initialize-OobIis
    Set-ItemProperty -LiteralPath (Get-OobPoolPath $Arguments) -Name (Get-OobArgString $Arguments 'attribute') -Value (Get-OobArgText $Arguments 'value')
    return $null
}

# Invoke-OobAppPoolGet reads one attribute as a string; some attributes come
# back as a ConfigurationAttribute, whose Value is the value.
function Invoke-OobAppPoolGet {
    param($Arguments)
    Initialize-OobIis
    $v = Get-ItemProperty -LiteralPath (Get-OobPoolPath $Arguments) -Name (Get-OobArgString $Arguments 'attribute')
    if ($null -ne $v -and $null -ne $v.PSObject.Properties['Value']) { $v = $v.Value }
    return [ordered]@{ value = [string]$v }
}

function Invoke-OobUserAdd {
    param($Arguments)
    $password = ConvertTo-SecureString -String (Get-OobArgString $Arguments 'password') -AsPlainText -Force
    New-LocalUser -Name (Get-OobArgString $Arguments 'name') -Password $password | Out-Null
    return $null
}

function Invoke-OobUserRemove {
    param($Arguments)
    Remove-LocalUser -Name (Get-OobArgString $Arguments 'name')
    return $null
}

function Invoke-OobGroupAddMember {
    param($Arguments)
    Add-LocalGroupMember -Group (Get-OobArgString $Arguments 'group') -Member (Get-OobArgString $Arguments 'member')
    return $null
}

function Invoke-OobGroupRemoveMember {
    param($Arguments)
    Remove-LocalGroupMember -Group (Get-OobArgString $Arguments 'group') -Member (Get-OobArgString $Arguments 'member')
    return $null
}

# Initialize-OobDirectory creates a content directory that does not exist
# yet: WebAdministration refuses a physical path that points nowhere.
function Initialize-OobDirectory {
    param([string]$Path)
    if (-not (Test-Path -LiteralPath $Path)) { New-Item -ItemType Directory -Path $Path -Force | Out-Null }
}

# Invoke-OobApplicationAdd adds an application; without a physical path it
# gets the directory of the same name under the default site's root, as the
# simulator does.
function Invoke-OobApplicationAdd {
    param($Arguments)
    Initialize-OobIis
    $name = (Get-OobArgString $Arguments 'path').Trim('/')
    $physical = Get-OobArgText $Arguments 'physical_path'
    if ($physical.Length -eq 0) { $physical = $env:SystemDrive + '\inetpub\wwwroot\' + $name.Replace('/', '\') }
    Initialize-OobDirectory $physical
    New-WebApplication -Site (Get-OobArgString $Arguments 'site') -Name $name -PhysicalPath $physical -ApplicationPool (Get-OobArgString $Arguments 'pool') | Out-Null
    return $null
}

function Invoke-OobApplicationSetPool {
    param($Arguments)
    Initialize-OobIis
    Set-ItemProperty -LiteralPath (Get-OobAppPath $Arguments) -Name applicationPool -Value (Get-OobArgString $Arguments 'pool')
    return $null
}

function Invoke-OobApplicationRemove {
    param($Arguments)
    Initialize-OobIis
    Remove-WebApplication -Site (Get-OobArgString $Arguments 'site') -Name (Get-OobArgString $Arguments 'path').Trim('/')
    return $null
}

# Get-OobAnonParams addresses anonymousAuthentication in applicationHost.config
# at a location ("" is the server level, else "Site" or "Site/app").
function Get-OobAnonParams {
    param($Arguments)
    $p = @{ PSPath = 'MACHINE/WEBROOT/APPHOST'; Filter = 'system.webServer/security/authentication/anonymousAuthentication' }
    $loc = Get-OobArgText $Arguments 'location'
    if ($loc.Length -gt 0) { $p['Location'] = $loc }
    return $p
}

function Invoke-OobAnonAuthSet {
    param($Arguments)
    Initialize-OobIis
    $p = Get-OobAnonParams $Arguments
    Set-WebConfigurationProperty @p -Name (Get-OobArgString $Arguments 'attribute') -Value (Get-OobArgText $Arguments 'value')
    return $null
}

# Invoke-OobAnonAuthGet reads one effective attribute; a boolean reads as
# applicationHost.config writes it.
function Invoke-OobAnonAuthGet {
    param($Arguments)
    Initialize-OobIis
    $p = Get-OobAnonParams $Arguments
    $v = Get-WebConfigurationProperty @p -Name (Get-OobArgString $Arguments 'attribute')
    if ($null -ne $v -and $null -ne $v.PSObject.Properties['Value']) { $v = $v.Value }
    if ($v -is [bool]) {
        if ($v) { $v = 'true' } else { $v = 'false' }
    }
    return [ordered]@{ value = [string]$v }
}

function Invoke-OobAnonAuthClear {
    param($Arguments)
    Initialize-OobIis
    $p = Get-OobAnonParams $Arguments
    Clear-WebConfiguration @p
    return $null
}

# Invoke-OobSiteAdd adds a site with one HTTP binding on port 80 for its own
# name as host header, as the simulator's admin API does.
function Invoke-OobSiteAdd {
    param($Arguments)
    Initialize-OobIis
    $name = Get-OobArgString $Arguments 'name'
    $physical = Get-OobArgText $Arguments 'physical_path'
    if ($physical.Length -eq 0) { $physical = $env:SystemDrive + '\inetpub\' + $name }
    Initialize-OobDirectory $physical
    New-Website -Name $name -PhysicalPath $physical -ApplicationPool (Get-OobArgString $Arguments 'pool') -Port 80 -HostHeader $name.ToLowerInvariant() | Out-Null
    return $null
}

function Invoke-OobSiteRemove {
    param($Arguments)
    Initialize-OobIis
    Remove-Website -Name (ConvertTo-OobLiteralName (Get-OobArgString $Arguments 'name'))
    return $null
}

function Invoke-OobSiteState {
    param($Arguments)
    Initialize-OobIis
    $name = ConvertTo-OobLiteralName (Get-OobArgString $Arguments 'name')
    if ($Arguments.started -eq $true) { Start-Website -Name $name } else { Stop-Website -Name $name }
    return $null
}

function Invoke-OobDirMake {
    param($Arguments)
    New-Item -ItemType Directory -Path (Get-OobArgString $Arguments 'path') -Force | Out-Null
    return $null
}

# Get-OobAccessOnly reads only the access rules, so Set-Acl writes them
# alone and never needs the right to set the owner.
function Get-OobAccessOnly {
    param([string]$Path)
    return (Get-Item -LiteralPath $Path).GetAccessControl('Access')
}

# Invoke-OobAclSetRule replaces the identity's rules of that type with one
# rule (rights and inheritance by their enum names, as icacls shows them),
# as FileSystemAccessRule and SetAccessRule do.
function Invoke-OobAclSetRule {
    param($Arguments)
    $path = Get-OobArgString $Arguments 'path'
    $rights = [System.Security.AccessControl.FileSystemRights](Get-OobArgString $Arguments 'rights')
    $inherit = [System.Security.AccessControl.InheritanceFlags](Get-OobArgString $Arguments 'inheritance')
    $type = [System.Security.AccessControl.AccessControlType](Get-OobArgString $Arguments 'type')
    $account = New-Object System.Security.Principal.NTAccount -ArgumentList (Get-OobArgString $Arguments 'identity')
    $rule = New-Object System.Security.AccessControl.FileSystemAccessRule -ArgumentList $account, $rights, $inherit, ([System.Security.AccessControl.PropagationFlags]::None), $type
    $acl = Get-OobAccessOnly $path
    $acl.SetAccessRule($rule)
    Set-Acl -LiteralPath $path -AclObject $acl
    return $null
}

function Invoke-OobAclRemoveRules {
    param($Arguments)
    $path = Get-OobArgString $Arguments 'path'
    $account = New-Object System.Security.Principal.NTAccount -ArgumentList (Get-OobArgString $Arguments 'identity')
    $acl = Get-OobAccessOnly $path
    $acl.PurgeAccessRules($account)
    Set-Acl -LiteralPath $path -AclObject $acl
    return $null
}

$script:IisAgentOps['oob.apppool.add'] = 'Invoke-OobAppPoolAdd'
$script:IisAgentOps['oob.apppool.remove'] = 'Invoke-OobAppPoolRemove'
$script:IisAgentOps['oob.apppool.set'] = 'Invoke-OobAppPoolSet'
$script:IisAgentOps['oob.apppool.get'] = 'Invoke-OobAppPoolGet'
$script:IisAgentOps['oob.user.add'] = 'Invoke-OobUserAdd'
$script:IisAgentOps['oob.group.add_member'] = 'Invoke-OobGroupAddMember'
$script:IisAgentOps['oob.group.remove_member'] = 'Invoke-OobGroupRemoveMember'
$script:IisAgentOps['oob.application.add'] = 'Invoke-OobApplicationAdd'
$script:IisAgentOps['oob.application.set_pool'] = 'Invoke-OobApplicationSetPool'
$script:IisAgentOps['oob.application.remove'] = 'Invoke-OobApplicationRemove'
$script:IisAgentOps['oob.anonauth.set'] = 'Invoke-OobAnonAuthSet'
$script:IisAgentOps['oob.anonauth.clear'] = 'Invoke-OobAnonAuthClear'
$script:IisAgentOps['oob.anonauth.get'] = 'Invoke-OobAnonAuthGet'
$script:IisAgentOps['oob.user.remove'] = 'Invoke-OobUserRemove'
$script:IisAgentOps['oob.site.add'] = 'Invoke-OobSiteAdd'
$script:IisAgentOps['oob.site.remove'] = 'Invoke-OobSiteRemove'
$script:IisAgentOps['oob.site.state'] = 'Invoke-OobSiteState'
$script:IisAgentOps['oob.dir.make'] = 'Invoke-OobDirMake'
$script:IisAgentOps['oob.acl.set_rule'] = 'Invoke-OobAclSetRule'
$script:IisAgentOps['oob.acl.remove_rules'] = 'Invoke-OobAclRemoveRules'
$script:IisAgentOps['oob.firewall.widen'] = 'Invoke-OobFirewallWiden'
$script:IisAgentOps['oob.firewall.remove'] = 'Invoke-OobFirewallRemove'
$script:IisAgentOps['oob.cleanup'] = 'Invoke-OobCleanup'
$script:IisAgentOps['oob.cleanup.apppools'] = 'Invoke-OobCleanupAppPools'
