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
            if ($null -ne $m.SID -and $m.SID.Value -eq $Sid.Value) { $groups.Add([string]$g.Name); break }
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
            try {
                $names.Add($g.Translate([System.Security.Principal.NTAccount]).Value)
            } catch {
                $names.Add($g.Value)
            }
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
