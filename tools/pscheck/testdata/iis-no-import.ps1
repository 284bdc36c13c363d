# The IIS: drive exists only after Import-Module WebAdministration; calling
# the initialiser after the first read is too late.
function Initialize-Iis {
    Import-Module WebAdministration -ErrorAction Stop
}
function Invoke-PoolList {
    param($Arguments)
    $pools = @(Get-ChildItem -Path 'IIS:\AppPools')
    Initialize-Iis
    return $pools.Count
}
$script:IisAgentOps['apppool.list'] = 'Invoke-PoolList'
