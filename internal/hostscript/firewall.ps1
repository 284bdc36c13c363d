# firewall.* handlers: Windows Defender Firewall rules in the PersistentStore,
# through the NetSecurity cmdlets (reference/windows-host.md sections 4 and 6).
#
# Rule names reach the cmdlets only as parameter values. Get-, Set- and
# Remove-NetFirewallRule treat -Name as a wildcard pattern, so every name is
# escaped first and then stands for that one rule only.

# Windows' own text when -Name matches nothing (ObjectNotFound).
function New-FwNotFoundError {
    param([string]$Name)
    return New-AgentError -Kind 'not_found' -Message ("No MSFT_NetFirewallRule objects found with property 'InstanceID' equal to '{0}'.  Verify the value of the property and retry." -f $Name)
}

# ConvertTo-FwLiteralName escapes the characters -Name reads as wildcards.
# The backtick itself is escaped too, so a name ending in one cannot eat the
# escape added after it.
function ConvertTo-FwLiteralName {
    param([string]$Name)
    $sb = New-Object System.Text.StringBuilder
    foreach ($ch in $Name.ToCharArray()) {
        if ('`*?[]'.IndexOf($ch) -ge 0) { [void]$sb.Append('`') }
        [void]$sb.Append($ch)
    }
    return $sb.ToString()
}

# Assert-FwRuleName refuses an empty or blank name before any cmdlet sees it:
# Remove-NetFirewallRule without a selector deletes every static rule on the
# host, and Get-/Set- would act on all of them.
function Assert-FwRuleName {
    param($Name)
    if (-not ($Name -is [string]) -or $Name.Trim().Length -eq 0) {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'a firewall rule name is required: without one, Remove-NetFirewallRule would delete every rule on the host')
    }
}

function Get-FwArgString {
    param($Arguments, [string]$Key, [string]$Default)
    $v = $null
    if ($null -ne $Arguments) { $v = $Arguments.$Key }
    if ($null -eq $v) { return $Default }
    if (-not ($v -is [string])) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a string" -f $Key))
    }
    return $v
}

# Get-FwArgList reads a list argument as string[]; missing or empty is Any,
# which is what the cmdlets read back for a filter that was never set.
function Get-FwArgList {
    param($Arguments, [string]$Key)
    $v = $null
    if ($null -ne $Arguments) { $v = $Arguments.$Key }
    $out = New-Object System.Collections.Generic.List[string]
    foreach ($item in @($v)) {
        if ($null -eq $item) { continue }
        if (-not ($item -is [string])) {
            throw (New-AgentError -Kind 'invalid_argument' -Message ("argument {0} must be a list of strings" -f $Key))
        }
        $out.Add($item)
    }
    if ($out.Count -eq 0) { $out.Add('Any') }
    return , $out.ToArray()
}

function Test-FwAny {
    param([string[]]$List)
    return ($List.Count -eq 1 -and $List[0] -eq 'Any')
}

# Read-FwRuleArguments turns the request's rule into typed values, with the
# New-NetFirewallRule defaults for what is missing.
function Read-FwRuleArguments {
    param($Arguments)
    $name = Get-FwArgString $Arguments 'name' ''
    Assert-FwRuleName $name
    return @{
        Name          = $name
        DisplayName   = Get-FwArgString $Arguments 'display_name' ''
        Description   = Get-FwArgString $Arguments 'description' ''
        Group         = Get-FwArgString $Arguments 'group' ''
        Enabled       = Get-FwArgString $Arguments 'enabled' 'True'
        Direction     = Get-FwArgString $Arguments 'direction' 'Inbound'
        Action        = Get-FwArgString $Arguments 'action' 'Allow'
        Profile       = Get-FwArgString $Arguments 'profile' 'Any'
        EdgeTraversal = Get-FwArgString $Arguments 'edge_traversal_policy' 'Block'
        Protocol      = Get-FwArgString $Arguments 'protocol' 'Any'
        LocalPort     = Get-FwArgList $Arguments 'local_port'
        RemotePort    = Get-FwArgList $Arguments 'remote_port'
        IcmpType      = Get-FwArgList $Arguments 'icmp_type'
        LocalAddress  = Get-FwArgList $Arguments 'local_address'
        RemoteAddress = Get-FwArgList $Arguments 'remote_address'
        Program       = Get-FwArgString $Arguments 'program' 'Any'
        Service       = Get-FwArgString $Arguments 'service' 'Any'
        InterfaceType = Get-FwArgString $Arguments 'interface_type' 'Any'
    }
}

# Assert-FwLocalRulesApply refuses a rule Windows would store but never
# enforce. Group Policy's "Apply local firewall rules: No" (CIS L1 sets it
# on the Public profile) shows in the ActiveStore as AllowLocalFirewallRules
# False: New-NetFirewallRule still succeeds in the PersistentStore, and the
# rule silently does nothing on that profile. A disabled rule is enforced
# nowhere anyway, so it is let through.
function Assert-FwLocalRulesApply {
    param([string]$Name, [string]$RuleProfile, [string]$Enabled)
    if ($Enabled -eq 'False') { return }
    $wanted = @($RuleProfile -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_.Length -gt 0 })
    $blocked = New-Object System.Collections.Generic.List[string]
    foreach ($p in @(Get-NetFirewallProfile -PolicyStore ActiveStore)) {
        # GpoBoolean: True, False or NotConfigured; its name, not a display text.
        if ([string]$p.AllowLocalFirewallRules -ne 'False') { continue }
        $pn = [string]$p.Name
        if ($wanted -contains 'Any' -or $wanted -contains $pn) { $blocked.Add($pn) }
    }
    if ($blocked.Count -gt 0) {
        throw (New-AgentError -Kind 'locked' -Message ("Group Policy sets 'Apply local firewall rules' to No for the {0} profile(s) of this host, so Windows would store firewall rule '{1}' but never apply it there. Deliver the rule through that Group Policy object, or limit the rule's profile to profiles where local rules apply." -f ($blocked -join ', '), $Name))
    }
}

# Get-FwRuleObject returns the rule named exactly $Name, or $null. Only
# ObjectNotFound means "no such rule"; any other failure (access denied, the
# firewall service stopped) is thrown, so it is never mistaken for absence.
function Get-FwRuleObject {
    param([string]$Name)
    Assert-FwRuleName $Name
    $errs = $null
    $found = @(Get-NetFirewallRule -Name (ConvertTo-FwLiteralName $Name) -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable errs)
    foreach ($e in @($errs)) {
        if ([string]$e.CategoryInfo.Category -ne 'ObjectNotFound') { throw $e }
    }
    foreach ($r in $found) {
        if ([string]$r.Name -eq $Name) { return $r }
    }
    return $null
}

function ConvertTo-FwList {
    param($Value)
    $list = @($Value | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_ })
    if ($list.Count -eq 0) { return , ([string[]]@('Any')) }
    return , ([string[]]$list)
}

function ConvertTo-FwText {
    param($Value, [string]$Default)
    if ($null -eq $Value) { return $Default }
    $s = [string]$Value
    if ($s.Length -eq 0) { return $Default }
    return $s
}

# ConvertTo-FwRuleResult joins a rule and its filters into the wire shape.
# Enums are cast to [string], which gives their names ("True", "Inbound",
# "Domain, Private"), as the cmdlets print them.
function ConvertTo-FwRuleResult {
    param($Rule, $Port, $Address, $Application, $Service, $InterfaceType)
    return [ordered]@{
        name                  = [string]$Rule.Name
        display_name          = [string]$Rule.DisplayName
        description           = [string]$Rule.Description
        group                 = [string]$Rule.Group
        display_group         = [string]$Rule.DisplayGroup
        enabled               = [string]$Rule.Enabled
        direction             = [string]$Rule.Direction
        action                = [string]$Rule.Action
        profile               = ConvertTo-FwText $Rule.Profile 'Any'
        edge_traversal_policy = ConvertTo-FwText $Rule.EdgeTraversalPolicy 'Block'
        protocol              = ConvertTo-FwText $Port.Protocol 'Any'
        local_port            = (ConvertTo-FwList $Port.LocalPort)
        remote_port           = (ConvertTo-FwList $Port.RemotePort)
        icmp_type             = (ConvertTo-FwList $Port.IcmpType)
        local_address         = (ConvertTo-FwList $Address.LocalAddress)
        remote_address        = (ConvertTo-FwList $Address.RemoteAddress)
        program               = ConvertTo-FwText $Application.Program 'Any'
        service               = ConvertTo-FwText $Service.Service 'Any'
        interface_type        = ConvertTo-FwText $InterfaceType.InterfaceType 'Any'
    }
}

# Read-FwRule reads one rule's filters through -AssociatedNetFirewallRule,
# which is fine for a single rule (section 4.2); lists use the bulk path.
function Read-FwRule {
    param($Rule)
    return ConvertTo-FwRuleResult -Rule $Rule `
        -Port (Get-NetFirewallPortFilter -AssociatedNetFirewallRule $Rule) `
        -Address (Get-NetFirewallAddressFilter -AssociatedNetFirewallRule $Rule) `
        -Application (Get-NetFirewallApplicationFilter -AssociatedNetFirewallRule $Rule) `
        -Service (Get-NetFirewallServiceFilter -AssociatedNetFirewallRule $Rule) `
        -InterfaceType (Get-NetFirewallInterfaceTypeFilter -AssociatedNetFirewallRule $Rule)
}

function Read-FwRuleByName {
    param([string]$Name)
    $rule = Get-FwRuleObject $Name
    if ($null -eq $rule) { throw (New-FwNotFoundError $Name) }
    return Read-FwRule $rule
}

# Get-FwFilterIndex indexes one filter collection by InstanceID, which each
# filter shares with its rule.
function Get-FwFilterIndex {
    param($Filters)
    $index = @{}
    foreach ($f in @($Filters)) {
        if ($null -ne $f) { $index[[string]$f.InstanceID] = $f }
    }
    return $index
}

function Invoke-FirewallRuleGet {
    param($Arguments)
    return Read-FwRuleByName (Get-FwArgString $Arguments 'name' '')
}

# Invoke-FirewallRuleList reads every rule once and every filter kind once,
# then joins them in memory: six cmdlet calls whatever the rule count,
# instead of six per rule.
function Invoke-FirewallRuleList {
    param($Arguments)
    $group = Get-FwArgString $Arguments 'group' ''
    $direction = Get-FwArgString $Arguments 'direction' ''
    $enabled = Get-FwArgString $Arguments 'enabled' ''

    $rules = @(Get-NetFirewallRule -PolicyStore PersistentStore)
    $ports = Get-FwFilterIndex (Get-NetFirewallPortFilter -All -PolicyStore PersistentStore)
    $addresses = Get-FwFilterIndex (Get-NetFirewallAddressFilter -All -PolicyStore PersistentStore)
    $applications = Get-FwFilterIndex (Get-NetFirewallApplicationFilter -All -PolicyStore PersistentStore)
    $services = Get-FwFilterIndex (Get-NetFirewallServiceFilter -All -PolicyStore PersistentStore)
    $interfaceTypes = Get-FwFilterIndex (Get-NetFirewallInterfaceTypeFilter -All -PolicyStore PersistentStore)

    $out = New-Object System.Collections.Generic.List[object]
    foreach ($r in $rules) {
        if ($group.Length -gt 0 -and [string]$r.Group -ne $group -and [string]$r.DisplayGroup -ne $group) { continue }
        if ($direction.Length -gt 0 -and [string]$r.Direction -ne $direction) { continue }
        if ($enabled.Length -gt 0 -and [string]$r.Enabled -ne $enabled) { continue }
        $id = [string]$r.InstanceID
        $out.Add((ConvertTo-FwRuleResult -Rule $r -Port $ports[$id] -Address $addresses[$id] `
                    -Application $applications[$id] -Service $services[$id] -InterfaceType $interfaceTypes[$id]))
    }
    return [ordered]@{ rules = $out.ToArray() }
}

# Invoke-FirewallRuleCreate always passes an explicit -Name (without one,
# Windows makes up a GUID and the rule could not be found again), and refuses
# a name already taken rather than adopting that rule.
function Invoke-FirewallRuleCreate {
    param($Arguments)
    $spec = Read-FwRuleArguments $Arguments
    if ($null -ne (Get-FwRuleObject $spec.Name)) {
        throw (New-AgentError -Kind 'already_exists' -Message ("A firewall rule with the name '{0}' already exists in the PersistentStore. Rule names are unique; import the rule or choose another name." -f $spec.Name))
    }
    Assert-FwLocalRulesApply $spec.Name $spec.Profile $spec.Enabled
    $params = @{
        Name                = $spec.Name
        DisplayName         = $spec.DisplayName
        Enabled             = $spec.Enabled
        Direction           = $spec.Direction
        Action              = $spec.Action
        Profile             = $spec.Profile
        EdgeTraversalPolicy = $spec.EdgeTraversal
        Protocol            = $spec.Protocol
        LocalAddress        = $spec.LocalAddress
        RemoteAddress       = $spec.RemoteAddress
        InterfaceType       = $spec.InterfaceType
        PolicyStore         = 'PersistentStore'
    }
    # Filters left at Any are not passed: New-NetFirewallRule refuses ports
    # and ICMP types on protocols that have none, even when they say Any.
    if (-not (Test-FwAny $spec.LocalPort)) { $params['LocalPort'] = $spec.LocalPort }
    if (-not (Test-FwAny $spec.RemotePort)) { $params['RemotePort'] = $spec.RemotePort }
    if (-not (Test-FwAny $spec.IcmpType)) { $params['IcmpType'] = $spec.IcmpType }
    if ($spec.Program -ne 'Any') { $params['Program'] = $spec.Program }
    if ($spec.Service -ne 'Any') { $params['Service'] = $spec.Service }
    if ($spec.Description.Length -gt 0) { $params['Description'] = $spec.Description }
    if ($spec.Group.Length -gt 0) { $params['Group'] = $spec.Group }
    New-NetFirewallRule @params | Out-Null
    return Read-FwRuleByName $spec.Name
}

# Invoke-FirewallRuleUpdate sets every attribute in one Set-NetFirewallRule
# call, so a protocol change and the ports that go with it land together.
# The group cannot be set after creation; a different one is refused rather
# than silently ignored.
function Invoke-FirewallRuleUpdate {
    param($Arguments)
    $spec = Read-FwRuleArguments $Arguments
    $rule = Get-FwRuleObject $spec.Name
    if ($null -eq $rule) { throw (New-FwNotFoundError $spec.Name) }
    $current = [string]$rule.Group
    if ($current -cne $spec.Group) {
        throw (New-AgentError -Kind 'invalid_argument' -Message ("The group of firewall rule '{0}' is '{1}'. Windows sets a rule's group only when the rule is created, so moving it to '{2}' means deleting and recreating the rule." -f $spec.Name, $current, $spec.Group))
    }
    Assert-FwLocalRulesApply $spec.Name $spec.Profile $spec.Enabled
    $params = @{
        Name                = ConvertTo-FwLiteralName $spec.Name
        NewDisplayName      = $spec.DisplayName
        Description         = $spec.Description
        Enabled             = $spec.Enabled
        Direction           = $spec.Direction
        Action              = $spec.Action
        Profile             = $spec.Profile
        EdgeTraversalPolicy = $spec.EdgeTraversal
        Protocol            = $spec.Protocol
        LocalPort           = $spec.LocalPort
        RemotePort          = $spec.RemotePort
        IcmpType            = $spec.IcmpType
        LocalAddress        = $spec.LocalAddress
        RemoteAddress       = $spec.RemoteAddress
        Program             = $spec.Program
        Service             = $spec.Service
        InterfaceType       = $spec.InterfaceType
        PolicyStore         = 'PersistentStore'
    }
    Set-NetFirewallRule @params
    return Read-FwRuleByName $spec.Name
}

# Invoke-FirewallRuleDelete removes exactly one rule. The name is checked
# twice: by Get-FwRuleObject, and again right before Remove-NetFirewallRule,
# so no later edit can reach the cmdlet with an empty selector.
function Invoke-FirewallRuleDelete {
    param($Arguments)
    $name = Get-FwArgString $Arguments 'name' ''
    Assert-FwRuleName $name
    if ($null -eq (Get-FwRuleObject $name)) { throw (New-FwNotFoundError $name) }
    $literal = ConvertTo-FwLiteralName $name
    Assert-FwRuleName $literal
    Remove-NetFirewallRule -Name $literal -PolicyStore PersistentStore
    return $null
}

$script:IisAgentOps['firewall.rule.get'] = 'Invoke-FirewallRuleGet'
$script:IisAgentOps['firewall.rule.list'] = 'Invoke-FirewallRuleList'
$script:IisAgentOps['firewall.rule.create'] = 'Invoke-FirewallRuleCreate'
$script:IisAgentOps['firewall.rule.update'] = 'Invoke-FirewallRuleUpdate'
$script:IisAgentOps['firewall.rule.delete'] = 'Invoke-FirewallRuleDelete'
