# Windows PowerShell 5.1 syntax, including text that looks like PS7 inside
# strings and comments: ?? ?. && || $a ? 1 : 2
param($Reader, $Writer)
$ErrorActionPreference = 'Stop'
$ops = @{}
$ops['host.info'] = 'Invoke-HostInfo'
function Invoke-HostInfo {
    param($Arguments)
    Import-Module WebAdministration
    $s = 'a ?? b && c || d'
    $t = "x ?. y $($Arguments.name)"
    $pools = Get-ChildItem IIS:\AppPools | Where-Object { $_.name -eq 'x' }
    $n = $pools | ? { $_.state -eq 'Started' }
    if ($null -eq $n) { $n = 'none' } else { $n = $n.name }
    try { [Convert]::FromBase64String('QQ==') | Out-Null } catch { throw }
    return [ordered]@{ name = $n; text = $s + $t }
}
1..3 | ForEach-Object { $_ * 2 }
