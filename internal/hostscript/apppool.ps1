# apppool.* handlers: application pools and their identity, through the
# WebAdministration module (reference/windows-host.md sections 1 and 6):
# New-WebAppPool, Get-Item and Set-ItemProperty on IIS:\AppPools\<name>,
# Start-/Stop-/Remove-WebAppPool.
#
# A pool name only ever reaches the cmdlets as a parameter value, and paths
# are passed with -LiteralPath, so no character of a name is read as a
# wildcard. The processModel password is read only to derive its digest
# (Get-PasswordDigest, digest.ps1) and never leaves this file in any other form.

$script:PoolApphost = 'MACHINE/WEBROOT/APPHOST'
$script:PoolAnonSection = 'system.webServer/security/authentication/anonymousAuthentication'
$script:PoolInvalidChars = '\/"|<>:*?][+=;,@&'
$script:PoolMaxName = 64

function Initialize-PoolIis {
    if ($null -eq (Get-Module -Name WebAdministration)) {
        Import-Module WebAdministration -ErrorAction Stop
    }
}

function New-PoolNotFoundError {
    param([string]$Name)
    return New-AgentError -Kind 'not_found' -Message ('Cannot find path ''IIS:\AppPools\{0}'' because it does not exist.' -f $Name)
}

function Get-PoolArg {
    param($Arguments, [string]$Key)
    if ($null -eq $Arguments) { return $null }
    return $Arguments.$Key
}

function Get-PoolArgString {
    param($Arguments, [string]$Key)
    $v = Get-PoolArg $Arguments $Key
    if ($null -eq $v) { return $null }
    if (-not ($v -is [string])) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a string" -f $Key))
    }
    return $v
}

function Get-PoolArgBool {
    param($Arguments, [string]$Key)
    $v = Get-PoolArg $Arguments $Key
    if ($null -eq $v) { return $null }
    if (-not ($v -is [bool])) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be true or false" -f $Key))
    }
    return $v
}

function Get-PoolArgCount {
    param($Arguments, [string]$Key)
    $v = Get-PoolArg $Arguments $Key
    if ($null -eq $v) { return $null }
    if (-not ($v -is [int] -or $v -is [long]) -or $v -lt 0 -or $v -gt [uint32]::MaxValue) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a whole number from 0 to 4294967295" -f $Key))
    }
    return [uint32]$v
}

# ConvertTo-PoolTimeSpan reads hh:mm:ss or d.hh:mm:ss with the invariant
# culture, as the host will read it back.
function ConvertTo-PoolTimeSpan {
    param([string]$Value, [string]$Key)
    $ts = [TimeSpan]::Zero
    if (-not [TimeSpan]::TryParseExact($Value, 'c', [System.Globalization.CultureInfo]::InvariantCulture, [ref]$ts)) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("'{0}' is not a valid value for attribute '{1}'" -f $Value, $Key))
    }
    return $ts
}

# Find-AppPoolName returns the pool's name as IIS spells it, matching
# case-insensitively as IIS keys pools, or $null.
function Find-AppPoolName {
    param([string]$Name)
    foreach ($p in @(Get-ChildItem -Path 'IIS:\AppPools')) {
        if ([string]::Equals([string]$p.Name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) { return [string]$p.Name }
    }
    return $null
}

function Get-PoolPath {
    param([string]$Name)
    return 'IIS:\AppPools\' + $Name
}

# Get-AppPoolItem returns the pool's IIS: item, or throws not_found.
function Get-AppPoolItem {
    param([string]$Name)
    $canon = Find-AppPoolName $Name
    if ($null -eq $canon) { throw (New-PoolNotFoundError $Name) }
    return Get-Item -LiteralPath (Get-PoolPath $canon)
}

function ConvertTo-PoolSpan {
    param($Value)
    if ($Value -is [TimeSpan]) { return $Value.ToString('c') }
    return [string]$Value
}

# Get-PoolApplications lists the applications whose effective pool is $Name
# (ApplicationPoolName falls back to applicationDefaults), with whether
# anonymous requests there run as the pool's identity (userName '').
function Get-PoolApplications {
    param([string]$Name)
    $out = New-Object System.Collections.Generic.List[object]
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        foreach ($site in $sm.Sites) {
            foreach ($app in $site.Applications) {
                if (-not [string]::Equals([string]$app.ApplicationPoolName, $Name, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
                $location = [string]$site.Name
                if ([string]$app.Path -ne '/') { $location = $location + [string]$app.Path }
                $p = @{ PSPath = $script:PoolApphost; Filter = $script:PoolAnonSection; Location = $location }
                $enabled = Get-WebConfigurationProperty @p -Name enabled
                if ($null -ne $enabled -and $null -ne $enabled.PSObject.Properties['Value']) { $enabled = $enabled.Value }
                $user = Get-WebConfigurationProperty @p -Name userName
                if ($null -ne $user -and $null -ne $user.PSObject.Properties['Value']) { $user = $user.Value }
                $out.Add([ordered]@{
                        site                         = [string]$site.Name
                        path                         = [string]$app.Path
                        anonymous_uses_pool_identity = ([bool]$enabled -and ([string]$user).Length -eq 0)
                    })
            }
        }
    } finally {
        $sm.Dispose()
    }
    return , $out.ToArray()
}

# Read-AppPool is a pool's effective settings, enums by name.
function Read-AppPool {
    param([string]$Name)
    $pool = Get-AppPoolItem $Name
    $canon = [string]$pool.Name
    $pm = $pool.processModel
    $pr = $pool.recycling.periodicRestart
    $schedule = @(@($pr.schedule.Collection) | Where-Object { $null -ne $_ } | ForEach-Object { ConvertTo-PoolSpan $_.value } | Sort-Object)
    return [ordered]@{
        name                      = $canon
        state                     = [string](Get-WebAppPoolState -Name $canon).Value
        managed_runtime_version   = [string]$pool.managedRuntimeVersion
        managed_pipeline_mode     = [string]$pool.managedPipelineMode
        start_mode                = [string]$pool.startMode
        enable_32bit_app_on_win64 = [bool]$pool.enable32BitAppOnWin64
        auto_start                = [bool]$pool.autoStart
        load_user_profile         = [bool]$pm.loadUserProfile
        idle_timeout              = ConvertTo-PoolSpan $pm.idleTimeout
        periodic_restart          = [ordered]@{
            time           = ConvertTo-PoolSpan $pr.time
            requests       = [long]$pr.requests
            memory         = [long]$pr.memory
            private_memory = [long]$pr.privateMemory
            schedule       = [string[]]$schedule
        }
        identity_type             = [string]$pm.identityType
        user_name                 = [string]$pm.userName
        logon_type                = [string]$pm.logonType
        applications              = (Get-PoolApplications $canon)
    }
}

# Assert-NewPoolName applies what New-WebAppPool and the configuration
# system refuse, with their texts, plus the 64-character limit the provider
# holds names to (WAS ignores pools whose names are too long).
function Assert-NewPoolName {
    param([string]$Name)
    if ($Name.StartsWith('.')) {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'Parent node has no children of type appPool.')
    }
    if ($Name.Trim().Length -eq 0 -or $Name.Length -gt $script:PoolMaxName -or $Name.IndexOfAny($script:PoolInvalidChars.ToCharArray()) -ge 0) {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'Invalid application pool name')
    }
}

# Set-AppPoolSettings writes each setting the request carries, and leaves
# the others to inheritance.
function Set-AppPoolSettings {
    param([string]$Name, $Arguments)
    $path = Get-PoolPath $Name
    $strings = [ordered]@{
        managed_runtime_version = 'managedRuntimeVersion'
        managed_pipeline_mode   = 'managedPipelineMode'
        start_mode              = 'startMode'
    }
    foreach ($key in $strings.Keys) {
        $v = Get-PoolArgString $Arguments $key
        if ($null -ne $v) { Set-ItemProperty -LiteralPath $path -Name $strings[$key] -Value $v }
    }
    $bools = [ordered]@{
        enable_32bit_app_on_win64 = 'enable32BitAppOnWin64'
        auto_start                = 'autoStart'
        load_user_profile         = 'processModel.loadUserProfile'
    }
    foreach ($key in $bools.Keys) {
        $v = Get-PoolArgBool $Arguments $key
        if ($null -ne $v) { Set-ItemProperty -LiteralPath $path -Name $bools[$key] -Value $v }
    }
    $spans = [ordered]@{
        idle_timeout          = 'processModel.idleTimeout'
        periodic_restart_time = 'recycling.periodicRestart.time'
    }
    foreach ($key in $spans.Keys) {
        $v = Get-PoolArgString $Arguments $key
        if ($null -ne $v) { Set-ItemProperty -LiteralPath $path -Name $spans[$key] -Value (ConvertTo-PoolTimeSpan $v $spans[$key]) }
    }
    $counts = [ordered]@{
        periodic_restart_requests       = 'recycling.periodicRestart.requests'
        periodic_restart_memory         = 'recycling.periodicRestart.memory'
        periodic_restart_private_memory = 'recycling.periodicRestart.privateMemory'
    }
    foreach ($key in $counts.Keys) {
        $v = Get-PoolArgCount $Arguments $key
        if ($null -ne $v) { Set-ItemProperty -LiteralPath $path -Name $counts[$key] -Value $v }
    }
    $schedule = Get-PoolArg $Arguments 'periodic_restart_schedule'
    if ($null -ne $schedule) {
        $times = New-Object System.Collections.Generic.List[TimeSpan]
        foreach ($t in @($schedule)) {
            if (-not ($t -is [string])) {
                throw (New-AgentError -Kind 'invalid_argument' -Message 'argument periodic_restart_schedule must be a list of strings')
            }
            $ts = ConvertTo-PoolTimeSpan $t 'value'
            if ($ts.Days -gt 0) { throw (New-AgentError -Kind 'invalid_argument' -Message ("'{0}' is not a valid value for attribute 'value'" -f $t)) }
            if (-not $times.Contains($ts)) { $times.Add($ts) }
        }
        Clear-ItemProperty -LiteralPath $path -Name 'recycling.periodicRestart.schedule'
        foreach ($ts in $times) {
            New-ItemProperty -LiteralPath $path -Name 'recycling.periodicRestart.schedule' -Value @{ value = $ts } | Out-Null
        }
    }
}

# Set-AppPoolState starts or stops the pool unless it already is; starting a
# started pool is an error in WebAdministration.
function Set-AppPoolState {
    param([string]$Name, $Arguments)
    $want = Get-PoolArgString $Arguments 'state'
    if ($null -eq $want) { return }
    $now = [string](Get-WebAppPoolState -Name $Name).Value
    switch ($want) {
        'Started' { if ($now -ne 'Started' -and $now -ne 'Starting') { Start-WebAppPool -Name $Name } }
        'Stopped' { if ($now -ne 'Stopped' -and $now -ne 'Stopping') { Stop-WebAppPool -Name $Name } }
        default { throw (New-AgentError -Kind 'invalid_argument' -Message ("state must be Started or Stopped, not '{0}'" -f $want)) }
    }
}

function Invoke-AppPoolList {
    param($Arguments)
    Initialize-PoolIis
    $pools = New-Object System.Collections.Generic.List[object]
    foreach ($p in @(Get-ChildItem -Path 'IIS:\AppPools')) {
        $pools.Add((Read-AppPool ([string]$p.Name)))
    }
    return [ordered]@{ computer_name = [System.Environment]::MachineName; pools = $pools.ToArray() }
}

function Invoke-AppPoolGet {
    param($Arguments)
    Initialize-PoolIis
    return Read-AppPool ([string](Get-PoolArgString $Arguments 'name'))
}

# Invoke-AppPoolCreate refuses a name in use rather than adopting that pool,
# and removes the new pool again when a setting is refused, so a failed
# create leaves nothing behind.
function Invoke-AppPoolCreate {
    param($Arguments)
    Initialize-PoolIis
    $name = [string](Get-PoolArgString $Arguments 'name')
    Assert-NewPoolName $name
    if ($null -ne (Find-AppPoolName $name)) {
        throw (New-AgentError -Kind 'already_exists' -Message 'Destination element already exists, please use "force" parameter to override.')
    }
    New-WebAppPool -Name $name | Out-Null
    try {
        Set-AppPoolSettings $name $Arguments
        Set-AppPoolState $name $Arguments
    } catch {
        $failure = $_
        Remove-WebAppPool -Name $name -ErrorAction SilentlyContinue
        throw $failure
    }
    return Read-AppPool $name
}

# Invoke-AppPoolUpdate writes every setting in one commit, so a refused
# value leaves the pool as it was; the runtime state follows the commit.
function Invoke-AppPoolUpdate {
    param($Arguments)
    Initialize-PoolIis
    $name = [string](Get-AppPoolItem ([string](Get-PoolArgString $Arguments 'name'))).Name
    Start-WebCommitDelay
    $committed = $false
    try {
        Set-AppPoolSettings $name $Arguments
        Stop-WebCommitDelay -Commit $true
        $committed = $true
    } finally {
        if (-not $committed) { Stop-WebCommitDelay -Commit $false }
    }
    Set-AppPoolState $name $Arguments
    return Read-AppPool $name
}

# Invoke-AppPoolDelete refuses, unless forced, while applications run in the
# pool: IIS would delete it and leave them answering 503. A started pool is
# stopped first, as WebAdministrationDsc does.
function Invoke-AppPoolDelete {
    param($Arguments)
    Initialize-PoolIis
    $name = [string](Get-AppPoolItem ([string](Get-PoolArgString $Arguments 'name'))).Name
    $force = Get-PoolArgBool $Arguments 'force'
    # Assigned, not wrapped in @(): the function returns its array whole.
    $apps = Get-PoolApplications $name
    if ($apps.Count -gt 0 -and -not $force) {
        $paths = @($apps | ForEach-Object { $_.site + $_.path }) -join ', '
        throw (New-AgentError -Kind 'conflict' -Message ('Application pool ''{0}'' is still used by {1} application(s): {2}. Applications cannot run without their pool (requests get 503); move them to another pool first.' -f $name, $apps.Count, $paths))
    }
    $state = [string](Get-WebAppPoolState -Name $name).Value
    if ($state -eq 'Started' -or $state -eq 'Starting') { Stop-WebAppPool -Name $name }
    Remove-WebAppPool -Name $name
    return $null
}

# Read-AppPoolIdentity reads processModel's identity. The password is read
# in clear, as any administrator's Get-Item can, and only its digest under
# the caller's salt goes into the result.
function Read-AppPoolIdentity {
    param([string]$Name, $Check)
    $pool = Get-AppPoolItem $Name
    $pm = $pool.processModel
    $password = [string]$pm.password
    $result = [ordered]@{
        name          = [string]$pool.Name
        computer_name = [System.Environment]::MachineName
        identity_type = [string]$pm.identityType
        user_name     = [string]$pm.userName
        logon_type    = [string]$pm.logonType
        password_set  = ($password.Length -gt 0)
    }
    if ($null -ne $Check -and $password.Length -gt 0) {
        $result['password_digest'] = Get-PasswordDigest $password $Check
    }
    $password = $null
    return $result
}

function Invoke-AppPoolIdentityGet {
    param($Arguments)
    Initialize-PoolIis
    return Read-AppPoolIdentity ([string](Get-PoolArgString $Arguments 'name')) (Read-PasswordCheck (Get-PoolArg $Arguments 'check'))
}

# Invoke-AppPoolIdentitySet writes the identity in one Set-ItemProperty of
# processModel, which WAS answers with one recycle. Leaving SpecificUser
# clears userName and password, which a host otherwise keeps readable by any
# administrator. A refusal is reported without the cmdlet's message, which
# could quote the password.
function Invoke-AppPoolIdentitySet {
    param($Arguments)
    Initialize-PoolIis
    $name = [string](Get-AppPoolItem ([string](Get-PoolArgString $Arguments 'name'))).Name
    $type = [string](Get-PoolArgString $Arguments 'identity_type')
    $valid = @('LocalSystem', 'LocalService', 'NetworkService', 'SpecificUser', 'ApplicationPoolIdentity')
    $canonType = $valid | Where-Object { [string]::Equals($_, $type, [System.StringComparison]::OrdinalIgnoreCase) } | Select-Object -First 1
    if ($null -eq $canonType) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("'{0}' is not a valid value for attribute 'identityType'" -f $type))
    }
    # A bad check is refused before anything is written.
    $check = Read-PasswordCheck (Get-PoolArg $Arguments 'check')
    $values = @{ identityType = $canonType }
    if ($canonType -eq 'SpecificUser') {
        $values['userName'] = [string](Get-PoolArgString $Arguments 'user_name')
        $password = Get-PoolArgString $Arguments 'password'
        if ($null -ne $password) { $values['password'] = $password }
    } else {
        $values['userName'] = ''
        $values['password'] = ''
    }
    $logon = Get-PoolArgString $Arguments 'logon_type'
    if ($null -ne $logon -and $logon.Length -gt 0) { $values['logonType'] = $logon }
    try {
        Set-ItemProperty -LiteralPath (Get-PoolPath $name) -Name processModel -Value $values
    } catch {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("the host refused the identity of application pool '{0}' (values are not shown)" -f $name))
    } finally {
        $values = $null
        $password = $null
    }
    return Read-AppPoolIdentity $name $check
}

$script:IisAgentOps['apppool.list'] = 'Invoke-AppPoolList'
$script:IisAgentOps['apppool.get'] = 'Invoke-AppPoolGet'
$script:IisAgentOps['apppool.create'] = 'Invoke-AppPoolCreate'
$script:IisAgentOps['apppool.update'] = 'Invoke-AppPoolUpdate'
$script:IisAgentOps['apppool.delete'] = 'Invoke-AppPoolDelete'
$script:IisAgentOps['apppool.identity.get'] = 'Invoke-AppPoolIdentityGet'
$script:IisAgentOps['apppool.identity.set'] = 'Invoke-AppPoolIdentitySet'
