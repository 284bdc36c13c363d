# iis-agent: the framing loop. The bootstrap hands over its stdin reader and
# stdout writer, so buffered bytes are never lost between the two.
#
# Every request line is base64(JSON {id, op, args}); every response line is
# '#<IISAGENT1>' + base64(JSON {id, ok, result | error}) + CRLF. Arguments are
# only ever read as data by the handlers: nothing here evaluates them.
param($Reader, $Writer)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::InvariantCulture
[System.Threading.Thread]::CurrentThread.CurrentUICulture = [System.Globalization.CultureInfo]::InvariantCulture

$script:IisAgentName = 'iis-agent/1'
$script:IisAgentPrefix = '#<IISAGENT1>'
$script:IisAgentMaxLine = 16777216
$script:IisAgentUtf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false
$script:IisAgentKinds = @('not_found', 'already_exists', 'invalid_argument', 'access_denied', 'locked', 'conflict', 'unavailable', 'internal')

# Operation name -> handler function name. Handler files add their entries;
# a handler takes the request's args object and returns one result object.
$script:IisAgentOps = @{}

# New-AgentError builds an exception that carries one of the closed error
# kinds, so handlers can say precisely why an operation failed.
function New-AgentError {
    param([string]$Kind, [string]$Message)
    $ex = New-Object System.Exception -ArgumentList $Message
    $ex.Data['IisAgentKind'] = $Kind
    return $ex
}

# Get-AgentErrorKind maps whatever a cmdlet threw onto the closed set. An
# explicit kind from New-AgentError wins; otherwise the PowerShell error
# category decides, and anything unrecognised is internal.
function Get-AgentErrorKind {
    param($ErrorRecord)
    $ex = $ErrorRecord.Exception
    while ($null -ne $ex) {
        if ($ex.Data.Contains('IisAgentKind')) {
            $k = [string]$ex.Data['IisAgentKind']
            if ($script:IisAgentKinds -contains $k) { return $k }
        }
        $ex = $ex.InnerException
    }
    if ($ErrorRecord.Exception -is [System.UnauthorizedAccessException]) { return 'access_denied' }
    # The IIS configuration system and CIM report Win32 failures as COM
    # HRESULTs with category NotSpecified. PowerShell reads an 8-digit hex
    # literal as the Int32 bit pattern, the same negative number HResult holds.
    $ex = $ErrorRecord.Exception
    while ($null -ne $ex) {
        switch ($ex.HResult) {
            0x80070005 { return 'access_denied' } # E_ACCESSDENIED
            0x80070020 { return 'locked' }        # ERROR_SHARING_VIOLATION: applicationHost.config in use
            0x80070021 { return 'locked' }        # ERROR_LOCK_VIOLATION: section locked at a parent level
        }
        $ex = $ex.InnerException
    }
    switch ([string]$ErrorRecord.CategoryInfo.Category) {
        'ObjectNotFound' { return 'not_found' }
        'ResourceExists' { return 'already_exists' }
        'InvalidArgument' { return 'invalid_argument' }
        'InvalidData' { return 'invalid_argument' }
        'PermissionDenied' { return 'access_denied' }
        'SecurityError' { return 'access_denied' }
        'ResourceBusy' { return 'locked' }
        'ResourceUnavailable' { return 'unavailable' }
    }
    return 'internal'
}

# Write-AgentResponse writes one response line. With -Hold the line stays in
# the writer's buffer: the client marked the request "more" because further
# requests follow in the same Send, and the answers of a batch go out in one
# flush, which WinRS returns in one Receive instead of one each.
function Write-AgentResponse {
    param([int64]$Id, [bool]$Ok, $Result, [string]$Kind, [string]$Message, [switch]$Hold)
    $resp = [ordered]@{ id = $Id; ok = $Ok }
    if ($Ok) {
        $resp['result'] = $Result
    } else {
        $resp['error'] = [ordered]@{ kind = $Kind; message = $Message }
    }
    $json = ConvertTo-Json -InputObject $resp -Depth 32 -Compress
    $line = $script:IisAgentPrefix + [Convert]::ToBase64String($script:IisAgentUtf8.GetBytes($json))
    $Writer.Write($line + "`r`n")
    if (-not $Hold) { $Writer.Flush() }
}

# Read-AgentRequest decodes one line. A line that cannot be decoded is
# answered under the request's id when a positive integer id can still be
# read from it, else under id 0: the client then knows a frame was lost.
function Read-AgentRequest {
    param([string]$Line)
    $req = $null
    try {
        $json = $script:IisAgentUtf8.GetString([Convert]::FromBase64String($Line))
        $req = ConvertFrom-Json -InputObject $json
    } catch {
        return @{ id = 0; error = 'request is not base64 JSON' }
    }
    $id = 0
    if ($null -ne $req -and $req -is [System.Management.Automation.PSCustomObject]) {
        $rawId = $req.id
        if (($rawId -is [int] -or $rawId -is [long]) -and $rawId -gt 0) { $id = [int64]$rawId }
    } else {
        return @{ id = 0; error = 'request is not a JSON object' }
    }
    $op = $req.op
    if ($id -le 0 -or -not ($op -is [string]) -or $op.Length -eq 0) {
        return @{ id = $id; error = 'request needs an id and an op' }
    }
    return @{ id = $id; op = $op; args = $req.args; more = ($req.more -eq $true) }
}

function Invoke-AgentRequest {
    param($Request)
    if (-not $script:IisAgentOps.ContainsKey($Request.op)) {
        Write-AgentResponse -Id $Request.id -Ok $false -Kind 'invalid_argument' -Message 'unknown operation' -Hold:$Request.more
        return
    }
    $handler = $script:IisAgentOps[$Request.op]
    try {
        $result = & $handler $Request.args
        Write-AgentResponse -Id $Request.id -Ok $true -Result $result -Hold:$Request.more
    } catch {
        $kind = Get-AgentErrorKind -ErrorRecord $_
        Write-AgentResponse -Id $Request.id -Ok $false -Kind $kind -Message $_.Exception.Message -Hold:$Request.more
    }
}

# Start-Agent writes the ready response, then serves one line at a time until
# stdin ends. Blank lines are ignored so a trailing CRLF costs nothing.
function Start-Agent {
    $hello = [ordered]@{ agent = $script:IisAgentName; ps_version = $PSVersionTable.PSVersion.ToString() }
    Write-AgentResponse -Id 0 -Ok $true -Result $hello
    while ($true) {
        $line = $Reader.ReadLine()
        if ($null -eq $line) { break }
        $line = $line.Trim()
        if ($line.Length -eq 0) { continue }
        if ($line.Length -gt $script:IisAgentMaxLine) {
            Write-AgentResponse -Id 0 -Ok $false -Kind 'invalid_argument' -Message 'request line too long'
            continue
        }
        $req = Read-AgentRequest -Line $line
        if ($req.ContainsKey('error')) {
            Write-AgentResponse -Id $req.id -Ok $false -Kind 'invalid_argument' -Message $req.error
            continue
        }
        Invoke-AgentRequest -Request $req
    }
    # Answers held for a batch whose last request never came still go out.
    $Writer.Flush()
}
