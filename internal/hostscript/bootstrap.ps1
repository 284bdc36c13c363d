# iis-agent bootstrap. Runs the agent that arrives as the first stdin line
# only if its SHA-256 equals the hash baked in here; request data never
# reaches this script. Kept short: it travels inside the command line.
# ConstrainedLanguage (WDAC, AppLocker) would refuse the .NET calls below
# one by one: say so first, using only what that mode allows.
$m = "$($ExecutionContext.SessionState.LanguageMode)"
if ($m -ne 'FullLanguage') { Write-Error -Message "iis-agent: PowerShell runs in $m mode" -Category SecurityError; exit 4 }
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$u = New-Object System.Text.UTF8Encoding -ArgumentList $false
try { [Console]::InputEncoding = $u; [Console]::OutputEncoding = $u } catch { }
$r = New-Object System.IO.StreamReader -ArgumentList ([Console]::OpenStandardInput()), $u, $false, 65536
$w = New-Object System.IO.StreamWriter -ArgumentList ([Console]::OpenStandardOutput()), $u, 65536
$w.NewLine = "`r`n"
$l = $r.ReadLine()
if ($null -eq $l) { [Console]::Error.WriteLine('iis-agent: no agent on stdin'); exit 3 }
$b = $null
try { $b = [Convert]::FromBase64String($l.Trim()) } catch { }
if ($null -eq $b) { [Console]::Error.WriteLine('iis-agent: agent line is not base64'); exit 3 }
$s = [System.Security.Cryptography.SHA256]::Create()
$h = [BitConverter]::ToString($s.ComputeHash($b)).Replace('-', '')
if ($h -cne '@@AGENT_SHA256@@') { [Console]::Error.WriteLine('iis-agent: agent hash mismatch'); exit 3 }
& ([scriptblock]::Create($u.GetString($b))) $r $w
exit 0
