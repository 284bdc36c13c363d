# The password digest (hostapi.PasswordDigest), shared by every handler that
# stores a password the provider must be able to check without reading it:
# application pool identities (apppool.ps1) and anonymous users
# (anonauth.ps1).

# Read-PasswordCheck validates a request's password check: the salt and the
# iteration count are bounded, so a request cannot make the host spin. No
# check ($null) asks for no digest.
function Read-PasswordCheck {
    param($Check)
    if ($null -eq $Check) { return $null }
    $saltText = $Check.salt
    $iterations = $Check.iterations
    $salt = $null
    try { $salt = [Convert]::FromBase64String([string]$saltText) } catch { $salt = $null }
    if (-not ($saltText -is [string]) -or $null -eq $salt -or $salt.Length -lt 16) {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'check.salt must be base64 of at least 16 bytes')
    }
    if (-not ($iterations -is [int] -or $iterations -is [long]) -or $iterations -lt 1000 -or $iterations -gt 1000000) {
        throw (New-AgentError -Kind 'invalid_argument' -Message 'check.iterations must be between 1000 and 1000000')
    }
    return @{ Salt = $salt; Iterations = [int]$iterations }
}

# Get-PasswordDigest is hostapi.PasswordDigest: PBKDF2-HMAC-SHA1 over the
# UTF-8 password, as Rfc2898DeriveBytes computes it on every .NET Framework
# a supported Windows Server has, 32 bytes, base64.
function Get-PasswordDigest {
    param([string]$Password, $Check)
    $kdf = New-Object System.Security.Cryptography.Rfc2898DeriveBytes -ArgumentList $Password, $Check.Salt, $Check.Iterations
    try {
        return [Convert]::ToBase64String($kdf.GetBytes(32))
    } finally {
        $kdf.Dispose()
    }
}
