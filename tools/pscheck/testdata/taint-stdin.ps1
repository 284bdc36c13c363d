# A line read from stdin is request data, even before it is decoded.
param($Reader)
$line = $Reader.ReadLine()
$json = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($line))
cmd /c "echo $json"
