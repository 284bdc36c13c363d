Get-Item C:\ || Write-Output failed
