# host.* handlers: facts about the machine the agent runs on.

# Invoke-HostInfo answers host.info. IIS is optional: without the InetStp key
# the version is empty rather than an error, so the provider can say "IIS is
# not installed" instead of failing the connection.
function Invoke-HostInfo {
    param($Arguments)
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem
    $iis = ''
    $stp = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\InetStp' -ErrorAction SilentlyContinue
    if ($null -ne $stp) {
        $iis = '{0}.{1}' -f $stp.MajorVersion, $stp.MinorVersion
    }
    return [ordered]@{
        computer_name = [System.Environment]::MachineName
        os_caption    = [string]$os.Caption
        os_version    = [string]$os.Version
        iis_version   = $iis
        ps_version    = $PSVersionTable.PSVersion.ToString()
        domain        = [string]$cs.Domain
        domain_joined = [bool]$cs.PartOfDomain
    }
}

$script:IisAgentOps['host.info'] = 'Invoke-HostInfo'
