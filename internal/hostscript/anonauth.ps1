# anonauth.* handlers: the anonymousAuthentication section per location
# (reference/windows-host.md sections 3 and 6).
#
# Every read and write goes to applicationHost.config: -PSPath
# MACHINE/WEBROOT/APPHOST with -Location for a site or application. The
# section is locked for web.config files on a stock host
# (overrideModeDefault="Deny"), and a location element in applicationHost.config
# is the one place that works while it is. The location only ever reaches
# the cmdlets as a parameter value, and only after it has been matched against
# the sites and applications that exist, because the configuration system
# would otherwise write a <location> element for any path it is given.

$script:AnonApphost = 'MACHINE/WEBROOT/APPHOST'
$script:AnonSection = 'system.webServer/security/authentication/anonymousAuthentication'

# Initialize-AnonIis loads WebAdministration once, which also loads
# Microsoft.Web.Administration for the site and pool enumeration.
function Initialize-AnonIis {
    if ($null -eq (Get-Module -Name WebAdministration)) {
        Import-Module WebAdministration -ErrorAction Stop
    }
}

function Get-AnonArgString {
    param($Arguments, [string]$Key)
    $v = $null
    if ($null -ne $Arguments) { $v = $Arguments.$Key }
    if ($null -eq $v) { return '' }
    if (-not ($v -is [string])) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a string" -f $Key))
    }
    return $v
}

function Get-AnonArgBool {
    param($Arguments, [string]$Key)
    $v = $null
    if ($null -ne $Arguments) { $v = $Arguments.$Key }
    if ($null -eq $v) { return $false }
    if (-not ($v -is [bool])) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be true or false" -f $Key))
    }
    return $v
}

# Resolve-AnonLocation returns the location as IIS spells it ('' for the
# server level), or throws not_found with the IIS: drive's text. Site names
# cannot contain '/', so the first '/' ends the site name.
function Resolve-AnonLocation {
    param([string]$Location)
    $loc = $Location.Replace('\', '/').Trim('/')
    if ($loc.Length -eq 0) { return '' }
    $parts = $loc.Split([char[]]@('/'), 2)
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        $site = $null
        foreach ($s in $sm.Sites) {
            if ([string]::Equals($s.Name, $parts[0], [System.StringComparison]::OrdinalIgnoreCase)) { $site = $s; break }
        }
        if ($null -eq $site) {
            throw (New-AgentError -Kind 'not_found' -Message ("Cannot find path 'IIS:\Sites\{0}' because it does not exist." -f $parts[0]))
        }
        if ($parts.Count -eq 1) { return [string]$site.Name }
        $appPath = '/' + $parts[1]
        foreach ($app in $site.Applications) {
            if ([string]::Equals($app.Path, $appPath, [System.StringComparison]::OrdinalIgnoreCase)) {
                return [string]$site.Name + [string]$app.Path
            }
        }
        throw (New-AgentError -Kind 'not_found' -Message ("Cannot find path 'IIS:\Sites\{0}{1}' because it does not exist." -f $site.Name, $appPath.Replace('/', '\')))
    } finally {
        $sm.Dispose()
    }
}

# Get-AnonParams is the splat that addresses the section at a location.
function Get-AnonParams {
    param([string]$Location)
    $p = @{ PSPath = $script:AnonApphost; Filter = $script:AnonSection }
    if ($Location.Length -gt 0) { $p['Location'] = $Location }
    return $p
}

# Get-AnonValue reads one effective attribute. Get-WebConfigurationProperty
# returns a ConfigurationAttribute for some attributes and a bare value for
# others, so both are unwrapped (as WebAdministrationDsc does).
function Get-AnonValue {
    param([hashtable]$Params, [string]$Name)
    $v = Get-WebConfigurationProperty @Params -Name $Name
    if ($null -ne $v -and $null -ne $v.PSObject.Properties['Value']) { $v = $v.Value }
    return $v
}

# Test-AnonLocallyStored reports whether applicationHost.config holds the
# section for the location itself (a <location> element with it), as
# opposed to inheriting it. Microsoft.Web.Administration documents
# IsLocallyStored for exactly this.
function Test-AnonLocallyStored {
    param([string]$Location)
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        $section = $sm.GetApplicationHostConfiguration().GetSection($script:AnonSection, $Location)
        return [bool]$section.IsLocallyStored
    } finally {
        $sm.Dispose()
    }
}

# Read-AnonAuth is the section as requests at the location get it, and
# whether applicationHost.config holds it for this location itself. The
# password is only tested for emptiness and, with a check, turned into its
# digest under the caller's salt (digest.ps1): it never leaves this
# function.
function Read-AnonAuth {
    param([string]$Location, $Check)
    $p = Get-AnonParams $Location
    $configured = $true
    if ($Location.Length -gt 0) { $configured = Test-AnonLocallyStored $Location }
    $password = [string](Get-AnonValue $p 'password')
    $result = [ordered]@{
        location     = $Location
        configured   = $configured
        enabled      = [bool](Get-AnonValue $p 'enabled')
        user_name    = [string](Get-AnonValue $p 'userName')
        password_set = ($password.Length -gt 0)
        logon_method = [string](Get-AnonValue $p 'logonMethod')
    }
    if ($null -ne $Check -and $password.Length -gt 0) {
        $result['password_digest'] = Get-PasswordDigest $password $Check
    }
    $password = $null
    return $result
}

function Invoke-AnonAuthGet {
    param($Arguments)
    Initialize-AnonIis
    $loc = Resolve-AnonLocation (Get-AnonArgString $Arguments 'location')
    return Read-AnonAuth $loc (Read-PasswordCheck $Arguments.check)
}

# Invoke-AnonAuthSet writes enabled, userName and password in one commit, so
# a failure leaves the location as it was. A failure on the password is
# reported without the cmdlet's message, which could quote the value.
function Invoke-AnonAuthSet {
    param($Arguments)
    Initialize-AnonIis
    $loc = Resolve-AnonLocation (Get-AnonArgString $Arguments 'location')
    $enabled = Get-AnonArgBool $Arguments 'enabled'
    $user = Get-AnonArgString $Arguments 'user_name'
    # A bad check is refused before anything is written.
    $check = Read-PasswordCheck $Arguments.check
    $p = Get-AnonParams $loc
    Start-WebCommitDelay
    $committed = $false
    try {
        Set-WebConfigurationProperty @p -Name enabled -Value $enabled
        Set-WebConfigurationProperty @p -Name userName -Value $user
        try {
            Set-WebConfigurationProperty @p -Name password -Value (Get-AnonArgString $Arguments 'password')
        } catch {
            throw (New-AgentError -Kind 'invalid_argument' -Message 'the host refused the anonymous user password (the value is not shown)')
        }
        Stop-WebCommitDelay -Commit $true
        $committed = $true
    } finally {
        if (-not $committed) { Stop-WebCommitDelay -Commit $false }
    }
    return Read-AnonAuth $loc $check
}

# Invoke-AnonAuthClear removes the location's own settings so it inherits
# again. The server level has nothing to inherit from but the schema, whose
# default disables anonymous access, so it gets the stock element back:
# <anonymousAuthentication enabled="true" userName="IUSR" />.
function Invoke-AnonAuthClear {
    param($Arguments)
    Initialize-AnonIis
    $loc = Resolve-AnonLocation (Get-AnonArgString $Arguments 'location')
    $p = Get-AnonParams $loc
    if ($loc.Length -gt 0) {
        if (Test-AnonLocallyStored $loc) {
            Clear-WebConfiguration @p
        }
        return Read-AnonAuth $loc
    }
    Start-WebCommitDelay
    $committed = $false
    try {
        Clear-WebConfiguration @p
        Set-WebConfigurationProperty @p -Name enabled -Value $true
        Set-WebConfigurationProperty @p -Name userName -Value 'IUSR'
        Stop-WebCommitDelay -Commit $true
        $committed = $true
    } finally {
        if (-not $committed) { Stop-WebCommitDelay -Commit $false }
    }
    return Read-AnonAuth $loc
}

# Invoke-AnonAuthResolve lists every application with its effective pool
# (ApplicationPoolName falls back to applicationDefaults) and that pool's
# effective identity (applicationPoolDefaults included).
function Invoke-AnonAuthResolve {
    param($Arguments)
    Initialize-AnonIis
    $apps = New-Object System.Collections.Generic.List[object]
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        foreach ($site in $sm.Sites) {
            foreach ($app in $site.Applications) {
                $poolName = [string]$app.ApplicationPoolName
                $entry = [ordered]@{
                    site          = [string]$site.Name
                    path          = [string]$app.Path
                    pool          = $poolName
                    pool_found    = $false
                    identity_type = ''
                    user_name     = ''
                }
                $pool = $null
                foreach ($candidate in $sm.ApplicationPools) {
                    if ([string]::Equals($candidate.Name, $poolName, [System.StringComparison]::OrdinalIgnoreCase)) { $pool = $candidate; break }
                }
                if ($null -ne $pool) {
                    $entry['pool_found'] = $true
                    $entry['identity_type'] = [string]$pool.ProcessModel.IdentityType
                    if ($entry['identity_type'] -eq 'SpecificUser') {
                        $entry['user_name'] = [string]$pool.ProcessModel.UserName
                    }
                }
                $apps.Add($entry)
            }
        }
    } finally {
        $sm.Dispose()
    }
    return [ordered]@{
        computer_name = [System.Environment]::MachineName
        applications  = $apps.ToArray()
    }
}

$script:IisAgentOps['anonauth.get'] = 'Invoke-AnonAuthGet'
$script:IisAgentOps['anonauth.set'] = 'Invoke-AnonAuthSet'
$script:IisAgentOps['anonauth.clear'] = 'Invoke-AnonAuthClear'
$script:IisAgentOps['anonauth.resolve'] = 'Invoke-AnonAuthResolve'
