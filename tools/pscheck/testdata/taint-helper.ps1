# Request data passed through a helper function and a pipeline still counts.
function Format-Script {
    param([string]$Text)
    return '& { ' + $Text + ' }'
}
function Invoke-Run {
    param($Script)
    [scriptblock]::Create($Script) | Out-Null
}
function Invoke-Op {
    param($Arguments)
    @($Arguments.steps) | ForEach-Object { Invoke-Run -Script (Format-Script $_) }
}
$script:IisAgentOps['op'] = 'Invoke-Op'
