# site.* and application.* handlers: sites, their bindings and
# applications, through the WebAdministration module (New-Website,
# New-WebBinding and the binding's AddSslCertificate, Set-ItemProperty on
# IIS:\Sites\<name>, Start-/Stop-/Remove-Website, New-/Remove-WebApplication)
# and Microsoft.Web.Administration for reads.
#
# A site name or application path only ever reaches the cmdlets as a
# parameter value, after it has been matched against what exists; names
# that a cmdlet reads as a wildcard pattern are escaped first, and IIS:
# paths go through -LiteralPath. Reads use ServerManager, which takes names
# literally.

$script:SiteInvalidChars = '\/?;:@&=+$,|"<>*'
$script:SiteStores = @('My', 'WebHosting')

function Initialize-SiteIis {
    if ($null -eq (Get-Module -Name WebAdministration)) {
        Import-Module WebAdministration -ErrorAction Stop
    }
}

function Get-SiteArg {
    param($Arguments, [string]$Key)
    if ($null -eq $Arguments) { return $null }
    return $Arguments.$Key
}

function Get-SiteArgString {
    param($Arguments, [string]$Key, [bool]$Required = $false)
    $v = Get-SiteArg $Arguments $Key
    if ($null -eq $v) {
        if ($Required) { throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} is required" -f $Key)) }
        return $null
    }
    if (-not ($v -is [string])) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a string" -f $Key))
    }
    return $v
}

function New-SiteNotFoundError {
    param([string]$Name)
    return New-AgentError -Kind 'not_found' -Message ('Cannot find path ''IIS:\Sites\{0}'' because it does not exist.' -f $Name)
}

# Find-SiteObject returns the ServerManager site whose name matches without
# regard to case, as IIS keys sites, or $null.
function Find-SiteObject {
    param($Manager, [string]$Name)
    foreach ($s in $Manager.Sites) {
        if ([string]::Equals([string]$s.Name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) { return $s }
    }
    return $null
}

function Find-SiteName {
    param([string]$Name)
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        $s = Find-SiteObject $sm $Name
        if ($null -eq $s) { return $null }
        return [string]$s.Name
    } finally {
        $sm.Dispose()
    }
}

function ConvertTo-SiteHex {
    param($Bytes)
    if ($null -eq $Bytes -or $Bytes.Length -eq 0) { return '' }
    return ([System.BitConverter]::ToString([byte[]]$Bytes)).Replace('-', '')
}

# Split-SiteBindingInformation reads "ip:port:host"; an IPv6 address is
# bracketed and holds colons itself.
function Split-SiteBindingInformation {
    param([string]$Info)
    $last = $Info.LastIndexOf(':')
    $rest = $Info.Substring(0, $last)
    $mid = $rest.LastIndexOf(':')
    return [ordered]@{
        ip_address = $rest.Substring(0, $mid).Trim('[', ']')
        port       = [int]$rest.Substring($mid + 1)
        host_name  = $Info.Substring($last + 1)
    }
}

function Read-SiteBinding {
    param($Binding)
    $parts = Split-SiteBindingInformation ([string]$Binding.BindingInformation)
    $entry = [ordered]@{
        protocol   = ([string]$Binding.Protocol).ToLowerInvariant()
        ip_address = $parts.ip_address
        port       = $parts.port
        host_name  = $parts.host_name
        ssl_flags  = 0
    }
    if ($entry.protocol -eq 'https') {
        $entry['certificate_thumbprint'] = ConvertTo-SiteHex $Binding.CertificateHash
        $entry['certificate_store'] = [string]$Binding.CertificateStoreName
        $entry['ssl_flags'] = [int]$Binding.SslFlags
    }
    return $entry
}

# Read-SiteApplication is one application with its effective pool, that
# pool's identity, and the anonymous identity at its location (anonauth.ps1
# reads the section).
function Read-SiteApplication {
    param($Manager, $Site, $App)
    $poolName = [string]$App.ApplicationPoolName
    $vdir = $null
    foreach ($v in $App.VirtualDirectories) { if ([string]$v.Path -eq '/') { $vdir = $v } }
    $entry = [ordered]@{
        site                = [string]$Site.Name
        path                = [string]$App.Path
        physical_path       = ''
        application_pool    = $poolName
        pool_found          = $false
        identity_type       = ''
        user_name           = ''
        anonymous_enabled   = $false
        anonymous_user_name = ''
    }
    if ($null -ne $vdir) { $entry['physical_path'] = [string]$vdir.PhysicalPath }
    foreach ($pool in $Manager.ApplicationPools) {
        if ([string]::Equals([string]$pool.Name, $poolName, [System.StringComparison]::OrdinalIgnoreCase)) {
            $entry['pool_found'] = $true
            $entry['identity_type'] = [string]$pool.ProcessModel.IdentityType
            if ($entry['identity_type'] -eq 'SpecificUser') { $entry['user_name'] = [string]$pool.ProcessModel.UserName }
        }
    }
    $location = [string]$Site.Name
    if ([string]$App.Path -ne '/') { $location = $location + [string]$App.Path }
    $p = Get-AnonParams $location
    $entry['anonymous_enabled'] = [bool](Get-AnonValue $p 'enabled')
    $entry['anonymous_user_name'] = [string](Get-AnonValue $p 'userName')
    return $entry
}

# Read-SiteState is the runtime state; ServerManager throws when W3SVC is
# not running, which reads as Stopped.
function Read-SiteState {
    param($Site)
    try { return [string]$Site.State } catch { return 'Stopped' }
}

function Read-SiteObject {
    param($Manager, $Site)
    $bindings = New-Object System.Collections.Generic.List[object]
    foreach ($b in $Site.Bindings) {
        $proto = ([string]$b.Protocol).ToLowerInvariant()
        if ($proto -eq 'http' -or $proto -eq 'https') { $bindings.Add((Read-SiteBinding $b)) }
    }
    $apps = New-Object System.Collections.Generic.List[object]
    $root = $null
    foreach ($app in $Site.Applications) {
        $entry = Read-SiteApplication $Manager $Site $app
        if ($entry.path -eq '/') { $root = $entry }
        $apps.Add($entry)
    }
    $out = [ordered]@{
        name             = [string]$Site.Name
        id               = [int64]$Site.Id
        state            = Read-SiteState $Site
        physical_path    = ''
        application_pool = ''
        bindings         = $bindings.ToArray()
        applications     = $apps.ToArray()
    }
    if ($null -ne $root) {
        $out['physical_path'] = $root.physical_path
        $out['application_pool'] = $root.application_pool
    }
    return $out
}

function Read-Site {
    param([string]$Name)
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        $s = Find-SiteObject $sm $Name
        if ($null -eq $s) { throw (New-SiteNotFoundError $Name) }
        return Read-SiteObject $sm $s
    } finally {
        $sm.Dispose()
    }
}

# ConvertTo-SiteBinding checks one requested binding as New-WebBinding and
# AddSslCertificate would, and returns it with its binding information.
function ConvertTo-SiteBinding {
    param($Binding)
    $proto = ([string]$Binding.protocol).ToLowerInvariant()
    if ($proto -ne 'http' -and $proto -ne 'https') {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("Protocol '{0}' is not supported: use http or https." -f [string]$Binding.protocol))
    }
    $port = $Binding.port
    if (-not ($port -is [int] -or $port -is [long]) -or $port -lt 1 -or $port -gt 65535) {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'The port number must be between 1 and 65535.')
    }
    $ip = [string]$Binding.ip_address
    if ($ip.Length -eq 0) { $ip = '*' }
    $infoIp = $ip
    if ($ip -ne '*') {
        $addr = $null
        if (-not [System.Net.IPAddress]::TryParse($ip, [ref]$addr)) {
            throw (New-AgentError -Kind 'invalid_argument' -Message ("'{0}' is not a valid IP address." -f $ip))
        }
        if ($addr.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetworkV6) { $infoIp = '[' + $addr.ToString() + ']' }
    }
    $hostName = [string]$Binding.host_name
    if ($hostName.Length -gt 0 -and [System.Uri]::CheckHostName($hostName.TrimStart('*', '.')) -ne [System.UriHostNameType]::Dns) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("'{0}' is not a valid host name." -f $hostName))
    }
    $out = [ordered]@{ protocol = $proto; ip = $ip; port = [int]$port; host = $hostName; info = ('{0}:{1}:{2}' -f $infoIp, $port, $hostName); thumbprint = ''; store = ''; ssl_flags = 0 }
    $thumb = ([string]$Binding.certificate_thumbprint) -replace '[\s:\u200e]', ''
    $storeArg = [string]$Binding.certificate_store
    if ($proto -eq 'http') {
        if ($thumb.Length -gt 0 -or $storeArg.Length -gt 0) {
            throw (New-AgentError -Kind 'invalid_argument' -Message 'A certificate applies to https bindings only.')
        }
        return $out
    }
    $store = $null
    foreach ($s in $script:SiteStores) { if ([string]::Equals($s, $storeArg, [System.StringComparison]::OrdinalIgnoreCase)) { $store = $s } }
    $thumb = $thumb.ToUpperInvariant()
    if ($null -eq $store -or $thumb -notmatch '^[0-9A-F]{40}$') {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'An https binding needs a certificate: a 40-digit thumbprint and a store (My or WebHosting).')
    }
    if (-not (Test-Path -LiteralPath ('Cert:\LocalMachine\{0}\{1}' -f $store, $thumb))) {
        throw (New-AgentError -Kind 'not_found' -Message ('Cannot find the certificate with thumbprint {0} in Cert:\LocalMachine\{1}.' -f $thumb, $store))
    }
    $out['thumbprint'] = $thumb
    $out['store'] = $store
    if ($hostName.Length -gt 0) { $out['ssl_flags'] = 1 }
    return $out
}

function ConvertTo-SiteBindingList {
    param($Arguments)
    $raw = Get-SiteArg $Arguments 'bindings'
    if ($null -eq $raw) { return $null }
    $list = New-Object System.Collections.Generic.List[object]
    foreach ($b in @($raw)) {
        $c = ConvertTo-SiteBinding $b
        foreach ($seen in $list) {
            if ($seen.protocol -eq $c.protocol -and [string]::Equals($seen.info, $c.info, [System.StringComparison]::OrdinalIgnoreCase)) {
                throw (New-AgentError -Kind 'invalid_argument' -Message ("Cannot add duplicate collection entry of type 'binding' with combined key attributes 'protocol, bindingInformation' respectively set to '{0}, {1}'" -f $c.protocol, $c.info))
            }
        }
        $list.Add($c)
    }
    if ($list.Count -eq 0) { throw (New-AgentError -Kind 'invalid_argument' -Message 'A site needs at least one binding.') }
    return , $list.ToArray()
}

# Find-SiteBindingConflict names the started site other than $Self that
# already answers one of the bindings, or returns $null: starting would
# fail in HTTP.sys with 0x800700B7, so it is refused before any change.
function Find-SiteBindingConflict {
    param([string]$Self, $Bindings)
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        foreach ($s in $sm.Sites) {
            if ([string]::Equals([string]$s.Name, $Self, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
            if ((Read-SiteState $s) -ne 'Started') { continue }
            foreach ($have in $s.Bindings) {
                foreach ($want in $Bindings) {
                    if ([string]::Equals([string]$have.BindingInformation, $want.info, [System.StringComparison]::OrdinalIgnoreCase)) { return [string]$s.Name }
                }
            }
        }
    } finally {
        $sm.Dispose()
    }
    return $null
}

function Assert-SiteBindingsFree {
    param([string]$Self, $Bindings)
    $other = Find-SiteBindingConflict $Self $Bindings
    if ($null -ne $other) {
        throw (New-AgentError -Kind 'conflict' -Message ('Cannot create a file when that file already exists. (Exception from HRESULT: 0x800700B7) Site "{0}" already answers one of these bindings.' -f $other))
    }
}

# Add-SiteCertificates registers each https binding's certificate with
# HTTP.sys through the binding's AddSslCertificate.
function Add-SiteCertificates {
    param([string]$Name, $Bindings)
    $pattern = [System.Management.Automation.WildcardPattern]::Escape($Name)
    foreach ($b in $Bindings) {
        if ($b.protocol -ne 'https') { continue }
        $wb = Get-WebBinding -Name $pattern -Protocol 'https' -IPAddress $b.ip -Port $b.port -HostHeader $b.host
        $wb.AddSslCertificate($b.thumbprint, $b.store)
    }
}

function Get-SiteState {
    param($Arguments)
    $state = Get-SiteArgString $Arguments 'state'
    if ($null -eq $state) { return $null }
    foreach ($s in @('Started', 'Stopped')) {
        if ([string]::Equals($s, $state, [System.StringComparison]::OrdinalIgnoreCase)) { return $s }
    }
    throw (New-AgentError -Kind 'invalid_argument' -Message ("State '{0}' is not Started or Stopped." -f $state))
}

function Invoke-SiteList {
    param($Arguments)
    Initialize-SiteIis
    $sites = New-Object System.Collections.Generic.List[object]
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        foreach ($s in $sm.Sites) { $sites.Add((Read-SiteObject $sm $s)) }
    } finally {
        $sm.Dispose()
    }
    return [ordered]@{ computer_name = [System.Environment]::MachineName; sites = $sites.ToArray() }
}

function Invoke-SiteGet {
    param($Arguments)
    Initialize-SiteIis
    return Read-Site (Get-SiteArgString $Arguments 'name' $true)
}

# Invoke-SiteCreate checks everything first, so a refused site leaves
# nothing behind: the name, the bindings (certificates included), and that
# no started site answers them. New-Website gets an explicit -Id, because
# without one it fails on a server that has no site left.
function Invoke-SiteCreate {
    param($Arguments)
    Initialize-SiteIis
    $name = Get-SiteArgString $Arguments 'name' $true
    if ($name.Trim().Length -eq 0 -or $name.IndexOfAny($script:SiteInvalidChars.ToCharArray()) -ge 0) {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'Invalid site name')
    }
    $path = Get-SiteArgString $Arguments 'physical_path' $true
    $pool = Get-SiteArgString $Arguments 'application_pool'
    $bindings = ConvertTo-SiteBindingList $Arguments
    if ($null -eq $bindings) { throw (New-AgentError -Kind 'invalid_argument' -Message 'A new site needs a physical path and at least one binding.') }
    $state = Get-SiteState $Arguments
    if ($null -ne (Find-SiteName $name)) {
        throw (New-AgentError -Kind 'already_exists' -Message ("Cannot add duplicate collection entry of type 'site' with unique key attribute 'name' set to '{0}'" -f $name))
    }
    if ($state -ne 'Stopped') { Assert-SiteBindingsFree $name $bindings }
    $id = [int64]1
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        foreach ($s in $sm.Sites) { if ([int64]$s.Id -ge $id) { $id = [int64]$s.Id + 1 } }
    } finally {
        $sm.Dispose()
    }
    $first = $bindings[0]
    $p = @{ Name = $name; Id = $id; PhysicalPath = $path; IPAddress = $first.ip; Port = $first.port; HostHeader = $first.host }
    if ($null -ne $pool) { $p['ApplicationPool'] = $pool }
    if ($first.protocol -eq 'https') {
        $p['Ssl'] = $true
        $p['SslFlags'] = $first.ssl_flags
    }
    $null = New-Website @p
    $pattern = [System.Management.Automation.WildcardPattern]::Escape($name)
    for ($i = 1; $i -lt $bindings.Count; $i++) {
        $b = $bindings[$i]
        New-WebBinding -Name $pattern -Protocol $b.protocol -IPAddress $b.ip -Port $b.port -HostHeader $b.host -SslFlags $b.ssl_flags
    }
    Add-SiteCertificates $name $bindings
    if ($state -eq 'Stopped') { Stop-Website -Name $pattern }
    return Read-Site $name
}

# Invoke-SiteUpdate sets what is present. New bindings replace the whole
# collection in one write; their certificates are registered afterwards.
function Invoke-SiteUpdate {
    param($Arguments)
    Initialize-SiteIis
    $requested = Get-SiteArgString $Arguments 'name' $true
    $name = Find-SiteName $requested
    if ($null -eq $name) { throw (New-SiteNotFoundError $requested) }
    $path = Get-SiteArgString $Arguments 'physical_path'
    $pool = Get-SiteArgString $Arguments 'application_pool'
    $bindings = ConvertTo-SiteBindingList $Arguments
    $state = Get-SiteState $Arguments
    $current = Read-Site $name
    $willRun = ($state -eq 'Started') -or ($null -eq $state -and $current.state -eq 'Started')
    if ($willRun) {
        $check = $bindings
        if ($null -eq $check) { $check = @(ConvertTo-SiteBindingList ([pscustomobject]@{ bindings = $current.bindings })) }
        Assert-SiteBindingsFree $name $check
    }
    $item = 'IIS:\Sites\' + $name
    if ($null -ne $path) {
        if ($path.Trim().Length -eq 0) { throw (New-AgentError -Kind 'invalid_argument' -Message 'The physical path of a site cannot be empty.') }
        Set-ItemProperty -LiteralPath $item -Name physicalPath -Value $path
    }
    if ($null -ne $pool) { Set-ItemProperty -LiteralPath $item -Name applicationPool -Value $pool }
    if ($null -ne $bindings) {
        $values = @($bindings | ForEach-Object { @{ protocol = $_.protocol; bindingInformation = $_.info; sslFlags = $_.ssl_flags } })
        Set-ItemProperty -LiteralPath $item -Name bindings -Value $values
        Add-SiteCertificates $name $bindings
    }
    $pattern = [System.Management.Automation.WildcardPattern]::Escape($name)
    if ($state -eq 'Started' -and $current.state -ne 'Started') { Start-Website -Name $pattern }
    if ($state -eq 'Stopped' -and $current.state -ne 'Stopped') { Stop-Website -Name $pattern }
    return Read-Site $name
}

function Invoke-SiteDelete {
    param($Arguments)
    Initialize-SiteIis
    $requested = Get-SiteArgString $Arguments 'name' $true
    $name = Find-SiteName $requested
    if ($null -eq $name) { throw (New-SiteNotFoundError $requested) }
    Remove-Website -Name ([System.Management.Automation.WildcardPattern]::Escape($name))
    return $null
}

# Resolve-SiteApplication returns the site's name and the application's
# path as IIS spells them, or throws not_found with the IIS: drive's text.
function Resolve-SiteApplication {
    param([string]$Site, [string]$Path)
    $appPath = '/' + $Path.Replace('\', '/').Trim('/')
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        $s = Find-SiteObject $sm $Site
        if ($null -eq $s) { throw (New-SiteNotFoundError $Site) }
        foreach ($app in $s.Applications) {
            if ([string]::Equals([string]$app.Path, $appPath, [System.StringComparison]::OrdinalIgnoreCase)) {
                return [ordered]@{ site = [string]$s.Name; path = [string]$app.Path; found = $true }
            }
        }
        return [ordered]@{ site = [string]$s.Name; path = $appPath; found = $false }
    } finally {
        $sm.Dispose()
    }
}

function Read-SiteApplicationAt {
    param([string]$Site, [string]$Path)
    $sm = New-Object Microsoft.Web.Administration.ServerManager
    try {
        $s = Find-SiteObject $sm $Site
        foreach ($app in $s.Applications) {
            if ([string]$app.Path -eq $Path) { return Read-SiteApplication $sm $s $app }
        }
    } finally {
        $sm.Dispose()
    }
    throw (New-AgentError -Kind 'not_found' -Message ('Cannot find path ''IIS:\Sites\{0}{1}'' because it does not exist.' -f $Site, $Path.Replace('/', '\')))
}

function Get-SiteApplicationTarget {
    param($Arguments)
    $r = Resolve-SiteApplication (Get-SiteArgString $Arguments 'site' $true) (Get-SiteArgString $Arguments 'path' $true)
    if (-not $r.found) {
        throw (New-AgentError -Kind 'not_found' -Message ('Cannot find path ''IIS:\Sites\{0}{1}'' because it does not exist.' -f $r.site, $r.path.Replace('/', '\')))
    }
    return $r
}

function Invoke-ApplicationGet {
    param($Arguments)
    Initialize-SiteIis
    $r = Get-SiteApplicationTarget $Arguments
    return Read-SiteApplicationAt $r.site $r.path
}

function Invoke-ApplicationCreate {
    param($Arguments)
    Initialize-SiteIis
    $r = Resolve-SiteApplication (Get-SiteArgString $Arguments 'site' $true) (Get-SiteArgString $Arguments 'path' $true)
    if ($r.path -eq '/' -or $r.path.IndexOfAny('?;:@&=+$,|"<>*'.ToCharArray()) -ge 0 -or $r.path.Contains('//')) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("Invalid application path '{0}'" -f $r.path))
    }
    if ($r.found) {
        throw (New-AgentError -Kind 'already_exists' -Message ("Cannot add duplicate collection entry of type 'application' with unique key attribute 'path' set to '{0}'" -f $r.path))
    }
    $path = Get-SiteArgString $Arguments 'physical_path'
    if ($null -eq $path -or $path.Trim().Length -eq 0) { throw (New-AgentError -Kind 'invalid_argument' -Message 'A new application needs a physical path.') }
    $p = @{ Site = $r.site; Name = $r.path.TrimStart('/'); PhysicalPath = $path }
    $pool = Get-SiteArgString $Arguments 'application_pool'
    if ($null -ne $pool) { $p['ApplicationPool'] = $pool }
    $null = New-WebApplication @p
    return Read-SiteApplicationAt $r.site $r.path
}

function Invoke-ApplicationUpdate {
    param($Arguments)
    Initialize-SiteIis
    $r = Get-SiteApplicationTarget $Arguments
    $item = 'IIS:\Sites\' + $r.site + $r.path.Replace('/', '\')
    $path = Get-SiteArgString $Arguments 'physical_path'
    if ($null -ne $path) {
        if ($path.Trim().Length -eq 0) { throw (New-AgentError -Kind 'invalid_argument' -Message 'The physical path of an application cannot be empty.') }
        Set-ItemProperty -LiteralPath $item -Name physicalPath -Value $path
    }
    $pool = Get-SiteArgString $Arguments 'application_pool'
    if ($null -ne $pool) { Set-ItemProperty -LiteralPath $item -Name applicationPool -Value $pool }
    return Read-SiteApplicationAt $r.site $r.path
}

function Invoke-ApplicationDelete {
    param($Arguments)
    Initialize-SiteIis
    $r = Get-SiteApplicationTarget $Arguments
    if ($r.path -eq '/') {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'The root application of a site cannot be removed; remove the site instead.')
    }
    Remove-WebApplication -Site $r.site -Name $r.path.TrimStart('/')
    return $null
}

$script:IisAgentOps['site.list'] = 'Invoke-SiteList'
$script:IisAgentOps['site.get'] = 'Invoke-SiteGet'
$script:IisAgentOps['site.create'] = 'Invoke-SiteCreate'
$script:IisAgentOps['site.update'] = 'Invoke-SiteUpdate'
$script:IisAgentOps['site.delete'] = 'Invoke-SiteDelete'
$script:IisAgentOps['application.get'] = 'Invoke-ApplicationGet'
$script:IisAgentOps['application.create'] = 'Invoke-ApplicationCreate'
$script:IisAgentOps['application.update'] = 'Invoke-ApplicationUpdate'
$script:IisAgentOps['application.delete'] = 'Invoke-ApplicationDelete'
