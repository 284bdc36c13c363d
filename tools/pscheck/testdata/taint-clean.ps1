# Request data used as data is fine: parameter values, messages, lookups.
function Invoke-Get {
    param($Arguments)
    $handler = $script:IisAgentOps[[string]$Arguments.op]
    $rule = Get-NetFirewallRule -Name ([string]$Arguments.name) -ErrorAction SilentlyContinue
    $message = "rule {0} has {1} filters" -f $Arguments.name, @($rule).Count
    return @{ handler = $handler; message = $message }
}
$script:IisAgentOps['get'] = 'Invoke-Get'
