# acl.* handlers: NTFS access rules on a directory, through Get-Acl and
# Set-Acl with System.Security.AccessControl.FileSystemAccessRule.
#
# Grants are explicit Allow rules inherited by subdirectories and files.
# The path and the identity are data: the path goes to -LiteralPath only,
# and the identity only to the NTAccount constructor. The ACL is read with
# GetAccessControl('Access'), so Set-Acl writes the access rules alone and
# never tries to write the owner (which fails on directories
# TrustedInstaller owns, such as C:\inetpub\wwwroot).

$script:AclRights = @('ReadAndExecute', 'Modify', 'FullControl')

function Get-AclArgString {
    param($Arguments, [string]$Key)
    $v = $null
    if ($null -ne $Arguments) { $v = $Arguments.$Key }
    if ($null -eq $v -or -not ($v -is [string]) -or $v.Length -eq 0) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a non-empty string" -f $Key))
    }
    return $v
}

# Resolve-AclPath expands the variables IIS physical paths use
# (%SystemDrive%) and returns the directory as the file system spells it,
# or throws not_found with Get-Acl's text.
function Resolve-AclPath {
    param([string]$Path)
    $expanded = [System.Environment]::ExpandEnvironmentVariables($Path).Replace('/', '\')
    if (-not (Test-Path -LiteralPath $expanded -PathType Container)) {
        throw (New-AgentError -Kind 'not_found' -Message ("Cannot find path '{0}' because it does not exist." -f $Path))
    }
    $full = [string](Get-Item -LiteralPath $expanded).FullName
    if ($full.Length -gt 3) { $full = $full.TrimEnd('\') }
    return $full
}

# ConvertTo-AclAccount translates the identity as Windows will store it,
# or throws invalid_argument with IdentityNotMappedException's text.
function ConvertTo-AclAccount {
    param([string]$Identity)
    $account = New-Object System.Security.Principal.NTAccount -ArgumentList $Identity
    try {
        $sid = $account.Translate([System.Security.Principal.SecurityIdentifier])
        return $sid.Translate([System.Security.Principal.NTAccount])
    } catch {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'Some or all identity references could not be translated.')
    }
}

function Read-AclObject {
    param([string]$Path, $Acl)
    $entries = New-Object System.Collections.Generic.List[object]
    foreach ($rule in $Acl.GetAccessRules($true, $true, [System.Security.Principal.NTAccount])) {
        $entries.Add([ordered]@{
                identity          = [string]$rule.IdentityReference.Value
                rights            = [string]$rule.FileSystemRights.ToString()
                type              = [string]$rule.AccessControlType.ToString()
                inherited         = [bool]$rule.IsInherited
                inheritance_flags = [string]$rule.InheritanceFlags.ToString()
                propagation_flags = [string]$rule.PropagationFlags.ToString()
            })
    }
    return [ordered]@{
        path      = $Path
        owner     = [string]$Acl.Owner
        protected = [bool]$Acl.AreAccessRulesProtected
        entries   = $entries.ToArray()
    }
}

function Get-AclAccessOnly {
    param([string]$Path)
    return (Get-Item -LiteralPath $Path).GetAccessControl([System.Security.AccessControl.AccessControlSections]::Access)
}

function Invoke-AclGet {
    param($Arguments)
    $path = Resolve-AclPath (Get-AclArgString $Arguments 'path')
    return Read-AclObject $path (Get-Acl -LiteralPath $path)
}

# Invoke-AclGrant replaces the identity's explicit Allow rules with one
# rule (SetAccessRule). .NET adds Synchronize to an Allow rule's rights, so
# ReadAndExecute reads back as "ReadAndExecute, Synchronize".
function Invoke-AclGrant {
    param($Arguments)
    $path = Resolve-AclPath (Get-AclArgString $Arguments 'path')
    $rightsName = Get-AclArgString $Arguments 'rights'
    $canon = $null
    foreach ($r in $script:AclRights) { if ([string]::Equals($r, $rightsName, [System.StringComparison]::OrdinalIgnoreCase)) { $canon = $r } }
    if ($null -eq $canon) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ('Cannot convert value "{0}" to type "System.Security.AccessControl.FileSystemRights". Use one of: ReadAndExecute, Modify, FullControl.' -f $rightsName))
    }
    $account = ConvertTo-AclAccount (Get-AclArgString $Arguments 'identity')
    $rights = [System.Security.AccessControl.FileSystemRights]$canon
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    $rule = New-Object System.Security.AccessControl.FileSystemAccessRule -ArgumentList $account, $rights, $inherit, ([System.Security.AccessControl.PropagationFlags]::None), ([System.Security.AccessControl.AccessControlType]::Allow)
    $acl = Get-AclAccessOnly $path
    $acl.SetAccessRule($rule)
    Set-Acl -LiteralPath $path -AclObject $acl
    return Read-AclObject $path (Get-Acl -LiteralPath $path)
}

# Invoke-AclRevoke removes the identity's explicit Allow rules
# (RemoveAccessRuleAll matches identity and type, whatever the rights);
# inherited rules and Deny rules stay.
function Invoke-AclRevoke {
    param($Arguments)
    $path = Resolve-AclPath (Get-AclArgString $Arguments 'path')
    $account = ConvertTo-AclAccount (Get-AclArgString $Arguments 'identity')
    $rule = New-Object System.Security.AccessControl.FileSystemAccessRule -ArgumentList $account, ([System.Security.AccessControl.FileSystemRights]::Read), ([System.Security.AccessControl.AccessControlType]::Allow)
    $acl = Get-AclAccessOnly $path
    $acl.RemoveAccessRuleAll($rule)
    Set-Acl -LiteralPath $path -AclObject $acl
    return Read-AclObject $path (Get-Acl -LiteralPath $path)
}

$script:IisAgentOps['acl.get'] = 'Invoke-AclGet'
$script:IisAgentOps['acl.grant'] = 'Invoke-AclGrant'
$script:IisAgentOps['acl.revoke'] = 'Invoke-AclRevoke'
