# -AsHashtable arrived in PowerShell 6; Windows PowerShell 5.1 refuses it.
$request = ConvertFrom-Json -InputObject '{}' -AsHashtable
