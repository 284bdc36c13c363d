# account.* handlers: who a principal is and which groups it belongs to, so
# that the privilege of an identity is judged from its real membership
# (reference/windows-host.md section 2: a member of Administrators ranks
# with LocalSystem; an account whose membership cannot be read needs
# review).
#
# The name reaches .NET only as a constructor argument (NTAccount), never
# as part of a path or a query.

# Well-known principals that are neither SAM accounts nor domain accounts.
$script:AccountBuiltinSids = @('S-1-1-0', 'S-1-5-4', 'S-1-5-11', 'S-1-5-17', 'S-1-5-18', 'S-1-5-19', 'S-1-5-20')

# Groups that make an account privileged, by SID and by their English name.
# Windows localises group names (Administratoren, Administrateurs, ...), so
# on a non-English host the name alone would hide an administrator from a
# reader that looks for "Administrators"; such a group is reported by its
# SID too. Domain groups are matched on their relative ID.
$script:AccountPrivilegedSids = @{
    'S-1-5-32-544' = 'Administrators'
    'S-1-5-32-548' = 'Account Operators'
    'S-1-5-32-549' = 'Server Operators'
    'S-1-5-32-551' = 'Backup Operators'
}
$script:AccountPrivilegedRids = @{ '-512' = 'Domain Admins'; '-519' = 'Enterprise Admins' }

# Add-AccountGroup adds a group by name, and by SID as well when the group is
# a privileged one whose name is not the English one.
function Add-AccountGroup {
    param($List, [string]$Name, [string]$Sid)
    if (-not $List.Contains($Name)) { $List.Add($Name) }
    if ($Sid.Length -eq 0) { return }
    $english = $script:AccountPrivilegedSids[$Sid]
    if ($null -eq $english -and $Sid.StartsWith('S-1-5-21-')) {
        $english = $script:AccountPrivilegedRids[$Sid.Substring($Sid.LastIndexOf('-'))]
    }
    if ($null -eq $english) { return }
    $short = $Name.Substring($Name.LastIndexOf('\') + 1)
    if (-not [string]::Equals($short, $english, [System.StringComparison]::OrdinalIgnoreCase) -and -not $List.Contains($Sid)) {
        $List.Add($Sid)
    }
}

function Get-AccountArgString {
    param($Arguments, [string]$Key)
    $v = $null
    if ($null -ne $Arguments) { $v = $Arguments.$Key }
    if ($null -eq $v) { return '' }
    if (-not ($v -is [string])) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a string" -f $Key))
    }
    return $v
}

# ConvertTo-AccountSid translates a name to its SID, or returns $null when
# Windows cannot map it (IdentityNotMappedException). ".\user" means this
# computer, which NTAccount does not understand by itself.
function ConvertTo-AccountSid {
    param([string]$Name)
    $lookup = $Name
    if ($lookup.StartsWith('.\')) { $lookup = [System.Environment]::MachineName + $lookup.Substring(1) }
    try {
        $account = New-Object System.Security.Principal.NTAccount -ArgumentList $lookup
        return $account.Translate([System.Security.Principal.SecurityIdentifier])
    } catch [System.Security.Principal.IdentityNotMappedException] {
        return $null
    }
}

# Get-AccountLocalGroups lists the local groups whose members include $Sid.
# A group whose members cannot be listed (Get-LocalGroupMember fails on
# orphaned SIDs) makes the answer incomplete rather than wrong.
function Get-AccountLocalGroups {
    param($Sid)
    $groups = New-Object System.Collections.Generic.List[string]
    $complete = $true
    foreach ($g in @(Get-LocalGroup)) {
        try {
            $members = @(Get-LocalGroupMember -Group $g -ErrorAction Stop)
        } catch {
            $complete = $false
            continue
        }
        foreach ($m in $members) {
            if ($null -ne $m.SID -and $m.SID.Value -eq $Sid.Value) { Add-AccountGroup $groups ([string]$g.Name) ([string]$g.SID.Value); break }
        }
    }
    return @{ Groups = $groups; Complete = $complete }
}

# Get-AccountTokenGroups reads a domain account's token groups through an
# S4U logon (WindowsIdentity from a UPN), which counts nested and domain
# groups as Windows will when the account logs on; $null when no domain
# controller answers.
function Get-AccountTokenGroups {
    param([string]$Name)
    $upn = $Name
    if (-not $upn.Contains('@')) {
        $parts = $Name.Split([char[]]@('\'), 2)
        $domain = [string](Get-CimInstance -ClassName Win32_ComputerSystem).Domain
        $upn = $parts[$parts.Count - 1] + '@' + $domain
    }
    try {
        $identity = New-Object System.Security.Principal.WindowsIdentity -ArgumentList $upn
    } catch {
        return $null
    }
    try {
        $names = New-Object System.Collections.Generic.List[string]
        foreach ($g in $identity.Groups) {
            $groupName = $g.Value
            try { $groupName = $g.Translate([System.Security.Principal.NTAccount]).Value } catch { }
            Add-AccountGroup $names $groupName $g.Value
        }
        return $names
    } finally {
        $identity.Dispose()
    }
}

function Invoke-AccountResolve {
    param($Arguments)
    $name = (Get-AccountArgString $Arguments 'name').Trim()
    $result = [ordered]@{
        name            = ''
        sid             = ''
        found           = $false
        kind            = ''
        enabled         = $false
        groups          = [string[]]@()
        groups_resolved = $false
    }
    if ($name.Length -eq 0) { return $result }
    $sid = ConvertTo-AccountSid $name
    if ($null -eq $sid) { return $result }

    $result['found'] = $true
    $result['sid'] = $sid.Value
    $result['name'] = $sid.Translate([System.Security.Principal.NTAccount]).Value
    $result['enabled'] = $true
    $local = Get-AccountLocalGroups $sid
    $result['groups'] = [string[]]$local.Groups.ToArray()
    $result['groups_resolved'] = $local.Complete

    if ($sid.Value.StartsWith('S-1-5-82-')) {
        $result['kind'] = 'virtual'
    } elseif ($script:AccountBuiltinSids -contains $sid.Value) {
        $result['kind'] = 'builtin'
    } elseif ($sid.Value.StartsWith('S-1-5-32-')) {
        $result['kind'] = 'group'
    } else {
        $user = Get-LocalUser -SID $sid -ErrorAction SilentlyContinue
        $group = Get-LocalGroup -SID $sid -ErrorAction SilentlyContinue
        if ($null -ne $user) {
            $result['kind'] = 'user'
            $result['enabled'] = [bool]$user.Enabled
        } elseif ($null -ne $group) {
            $result['kind'] = 'group'
        } else {
            $result['kind'] = 'domain'
            $token = Get-AccountTokenGroups $name
            if ($null -eq $token) {
                $result['groups_resolved'] = $false
            } else {
                $all = New-Object System.Collections.Generic.List[string]
                $all.AddRange([string[]]$result['groups'])
                foreach ($t in $token) { if (-not $all.Contains($t)) { $all.Add($t) } }
                $result['groups'] = [string[]]$all.ToArray()
            }
        }
    }
    return $result
}

$script:IisAgentOps['account.resolve'] = 'Invoke-AccountResolve'
