$a = $null
$a ??= 1
