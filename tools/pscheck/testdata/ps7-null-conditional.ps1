$a = Get-Item .
$b = $a?.Name
