# A handler's arguments are request data: building a command from them and
# running it with Invoke-Expression lets a request run any code.
function Invoke-PoolGet {
    param($Arguments)
    $command = "Get-Item -LiteralPath 'IIS:\AppPools\" + $Arguments.name + "'"
    return Invoke-Expression $command
}
$script:IisAgentOps['apppool.get'] = 'Invoke-PoolGet'
