<#
    Shared set-up of the Pester acceptance suite (tests/Acceptance/*.Tests.ps1): the built module's path, a free
    loopback port, the Graph emulator as a separate process (start, wait until it answers, stop), tokens, connecting,
    and the emulator's control routes (request log, counters, faults, ground truth).

    Use it from a test file's BeforeAll (Pester 5 runs BeforeAll/It in the same session, and Import-Module from a
    script block imports into the global session state, so every It sees these functions):

        BeforeAll {
            Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
            $script:Manifest = Get-TestModuleManifest
            $script:Emulator = Start-TestEmulator -ArgumentList '--accept-any-token', '--seed', '21'
            $script:Endpoint = $Emulator.Endpoint
            Import-Module $Manifest -Force
            Connect-TestEmulator
        }
        AfterAll { Stop-TestEmulator $script:Emulator }

    The module keeps the emulator it started last; the functions that talk to an emulator use it unless given
    -Endpoint. Functions here cannot see a test file's $script: variables: everything they need is a parameter.
#>

$script:Current = $null

function Get-TestRepositoryRoot {
    [OutputType([string])]
    param()
    (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
}

function Get-TestModuleManifest {
    [OutputType([string])]
    param()
    $manifest = Join-Path (Get-TestRepositoryRoot) 'out/CallRecords/CallRecords.psd1'
    if (-not (Test-Path $manifest)) { throw "Build first: dotnet build -c Release (missing $manifest)" }
    $manifest
}

# A free loopback port: bind port 0, read it, release it.
function Get-TestFreePort {
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# Now, to the minute, in UTC: the emulator's --now, so ground truth stays stable for the whole file. The clock is
# read once: reading it again for the remainder lands a few ticks before the minute (or a minute early at a rollover).
function Get-TestNow {
    [OutputType([DateTimeOffset])]
    param()
    $now = [DateTimeOffset]::UtcNow
    $now.AddTicks(-($now.Ticks % [TimeSpan]::TicksPerMinute))
}

# The dotnet host that runs this pwsh (a .NET tool runs as `dotnet pwsh.dll`), else the one on PATH.
function Get-TestDotnetPath {
    [OutputType([string])]
    param()
    $self = [Environment]::ProcessPath
    if ($self -and [IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { return $self }
    'dotnet'
}

<#
    How to start a child pwsh of the same version as this one: { File; Prefix } where `& $File @Prefix @arguments`
    runs it. Under the .NET tool (`dotnet pwsh`) that is the same dotnet host with $PSHOME/pwsh.dll, so the child does
    not depend on an apphost finding the runtime (DOTNET_ROOT) or on a pwsh on PATH; otherwise this process's own
    executable.
#>
function Get-TestPwshCommand {
    param()
    $self = [Environment]::ProcessPath
    if ($self -and [IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') {
        return [pscustomobject]@{ File = $self; Prefix = @((Join-Path $PSHOME 'pwsh.dll')) }
    }
    [pscustomobject]@{ File = $self; Prefix = @() }
}

# Runs a child pwsh (see Get-TestPwshCommand) with these arguments (passed through as typed, -NoProfile included) and
# returns its standard output; $LASTEXITCODE is the child's exit code. The child is waited for, so nothing it runs
# outlives the call. A simple function on purpose: $args passes switches such as -NonInteractive on unbound.
function Invoke-TestPwsh {
    $pwsh = Get-TestPwshCommand
    $prefix = $pwsh.Prefix
    & $pwsh.File @prefix @args
}

<#
    Starts the built emulator (tests/GraphEmulator/bin/Release/net10.0/GraphEmulator.dll, run by dotnet itself, so
    the process started is the emulator and stopping it stops the emulator — `dotnet run` would leave its child
    listening) on http://127.0.0.1:<Port> with the given emulator arguments (everything after --urls), waits until
    ReadyUrl answers (default: the Graph face's /_emulator/counters), and returns { Process, Port, Endpoint }.
    --parent-pid makes the emulator stop by itself when this pwsh is gone (Ctrl+C, a killed runner). Standard
    output and error go to <LogPath>.out/.err.
#>
function Start-TestEmulator {
    param(
        [string[]] $ArgumentList = @(),
        [int] $Port,
        [string] $ReadyUrl,
        [string] $LogPath,
        [TimeSpan] $Timeout = [TimeSpan]::FromMinutes(1)
    )
    if (-not $Port) { $Port = Get-TestFreePort }
    $endpoint = "http://127.0.0.1:$Port"
    if (-not $ReadyUrl) { $ReadyUrl = "$endpoint/_emulator/counters" }
    if (-not $LogPath) { $LogPath = Join-Path ([IO.Path]::GetTempPath()) "emulator-$Port" }
    $dll = Join-Path (Get-TestRepositoryRoot) 'tests/GraphEmulator/bin/Release/net10.0/GraphEmulator.dll'
    if (-not (Test-Path $dll)) { throw "Build first: dotnet build -c Release (missing $dll)" }

    $emulatorArgs = @($dll, '--urls', $endpoint, '--parent-pid', $PID) + $ArgumentList
    $process = Start-Process -FilePath (Get-TestDotnetPath) -ArgumentList $emulatorArgs -PassThru -NoNewWindow `
        -RedirectStandardOutput "$LogPath.out" -RedirectStandardError "$LogPath.err"
    $emulator = [pscustomobject]@{ Process = $process; Port = $Port; Endpoint = $endpoint }

    $deadline = [DateTime]::UtcNow.Add($Timeout)
    while ($true) {
        try { $null = Invoke-RestMethod $ReadyUrl -TimeoutSec 2; break }
        catch {
            if ($process.HasExited) {
                $err = if (Test-Path "$LogPath.err") { Get-Content -Raw "$LogPath.err" } else { '' }
                throw "The emulator exited with code $($process.ExitCode). $err"
            }
            if ([DateTime]::UtcNow -gt $deadline) {
                Stop-TestEmulator $emulator
                throw "The emulator did not start on $endpoint (no answer from $ReadyUrl)."
            }
            Start-Sleep -Milliseconds 200
        }
    }
    $script:Current = $emulator
    $emulator
}

# Stops an emulator from Start-TestEmulator and waits until the process is gone; nothing when it is $null
# (BeforeAll failed early) or has exited. Throws when the process does not end, so a leak fails the file.
function Stop-TestEmulator {
    param([AllowNull()] [object] $Emulator = $script:Current)
    if ($Emulator -and $Emulator.Process) {
        if (-not $Emulator.Process.HasExited) {
            Stop-Process -Id $Emulator.Process.Id -ErrorAction SilentlyContinue
            if (-not $Emulator.Process.WaitForExit(15000)) { throw "The emulator (pid $($Emulator.Process.Id)) did not stop." }
        }
        if ($script:Current -and $Emulator.Process.Id -eq $script:Current.Process.Id) { $script:Current = $null }
    }
}

function Resolve-TestEndpoint([string] $Endpoint) {
    if ($Endpoint) { return $Endpoint }
    if (-not $script:Current) { throw 'No emulator: call Start-TestEmulator first or pass -Endpoint.' }
    $script:Current.Endpoint
}

# A bearer token minted by the emulator, as a SecureString: application roles (CallRecords.Read.All unless -Roles),
# or a delegated (user) token with -Delegated.
function Get-TestEmulatorToken {
    [OutputType([securestring])]
    param(
        [string[]] $Roles = @('CallRecords.Read.All'),
        [switch] $Delegated,
        [string] $Endpoint
    )
    $body = @{ roles = $Roles; delegated = [bool]$Delegated } | ConvertTo-Json
    (Invoke-RestMethod -Method Post "$(Resolve-TestEndpoint $Endpoint)/_emulator/tokens" -Body $body -ContentType 'application/json').access_token |
        ConvertTo-SecureString -AsPlainText -Force
}

# Connect-CallRecordGraph (the CallRecords module must be imported) with an emulator token; -Parameters adds more,
# e.g. @{ MaxRetry = 6; RetryDelay = 0.02 }.
function Connect-TestEmulator {
    param(
        [hashtable] $Parameters = @{},
        [string[]] $Roles = @('CallRecords.Read.All'),
        [string] $Endpoint
    )
    $url = Resolve-TestEndpoint $Endpoint
    Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken -Roles $Roles -Endpoint $url) -GraphEndpoint $url @Parameters
}

# Empties the emulator's request log and, unless -KeepCounters, its per-route counters.
function Clear-TestEmulatorRequest {
    param([switch] $KeepCounters, [string] $Endpoint)
    $url = Resolve-TestEndpoint $Endpoint
    Invoke-RestMethod -Method Delete "$url/_emulator/requests" | Out-Null
    if (-not $KeepCounters) { Invoke-RestMethod -Method Delete "$url/_emulator/counters" | Out-Null }
}

# The emulator's request log (route, method, path, status, …), optionally only these routes.
function Get-TestEmulatorRequest {
    param([string[]] $Route, [string] $Endpoint)
    $log = (Invoke-RestMethod "$(Resolve-TestEndpoint $Endpoint)/_emulator/requests").value
    if ($Route) { $log | Where-Object route -In $Route } else { $log }
}

# Requests per route (.requests) and the in-flight gauges (.inFlight) since the last Clear-TestEmulatorRequest.
function Get-TestEmulatorCounter {
    param([string] $Endpoint)
    Invoke-RestMethod "$(Resolve-TestEndpoint $Endpoint)/_emulator/counters"
}

# Injected faults, e.g. @{ rate = 0.1; kinds = @('TooManyRequests') }; @{ rate = 0; kinds = @(); at = @{} } clears them.
function Set-TestEmulatorFault {
    param([Parameter(Mandatory)] [hashtable] $Settings, [string] $Endpoint)
    Invoke-RestMethod -Method Put "$(Resolve-TestEndpoint $Endpoint)/_emulator/faults" -Body ($Settings | ConvertTo-Json) -ContentType 'application/json' | Out-Null
}

# Ground truth: the call records that started in [From, To) ({ count, ids }).
function Get-TestRecordTruth {
    param([DateTimeOffset] $From, [DateTimeOffset] $To, [string] $Endpoint)
    $q = @()
    if ($PSBoundParameters.ContainsKey('From')) { $q += 'from=' + [Uri]::EscapeDataString($From.UtcDateTime.ToString('o')) }
    if ($PSBoundParameters.ContainsKey('To')) { $q += 'to=' + [Uri]::EscapeDataString($To.UtcDateTime.ToString('o')) }
    Invoke-RestMethod "$(Resolve-TestEndpoint $Endpoint)/_emulator/truth/records?$($q -join '&')"
}

Export-ModuleMember -Function Get-TestRepositoryRoot, Get-TestModuleManifest, Get-TestFreePort, Get-TestNow,
    Get-TestDotnetPath, Get-TestPwshCommand, Invoke-TestPwsh, Start-TestEmulator, Stop-TestEmulator, Get-TestEmulatorToken, Connect-TestEmulator, Clear-TestEmulatorRequest,
    Get-TestEmulatorRequest, Get-TestEmulatorCounter, Set-TestEmulatorFault, Get-TestRecordTruth
