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
    Starts a child pwsh (see Get-TestPwshCommand) with these arguments (-NoProfile and -NonInteractive added) WITHOUT
    waiting for it, for a test that must act while the child runs (kill it, race it); standard output and error go to
    <LogPath>.out/.err. -Environment sets variables for the child only (this process's are put back). Returns the
    Process: the caller waits for it or kills it before its It block ends, so nothing it runs outlives the test.
#>
function Start-TestPwsh {
    param(
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [Parameter(Mandatory)] [string] $LogPath,
        [hashtable] $Environment = @{}
    )
    $pwsh = Get-TestPwshCommand
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, [string]$Environment[$name])
    }
    try {
        Start-Process -FilePath $pwsh.File -ArgumentList (@($pwsh.Prefix) + @('-NoProfile', '-NonInteractive') + $ArgumentList) -PassThru `
            -RedirectStandardOutput "$LogPath.out" -RedirectStandardError "$LogPath.err"
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
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

# Ground truth: the retained call records that started in [From, To), in list order ({ count, ids }); optionally only
# those with this participant (participants_v2 id), of this type, or with this modality.
function Get-TestRecordTruth {
    param([DateTimeOffset] $From, [DateTimeOffset] $To, [string] $ParticipantId, [string] $Type, [string] $Modality, [string] $Endpoint)
    $q = @()
    if ($PSBoundParameters.ContainsKey('From')) { $q += 'from=' + [Uri]::EscapeDataString($From.UtcDateTime.ToString('o')) }
    if ($PSBoundParameters.ContainsKey('To')) { $q += 'to=' + [Uri]::EscapeDataString($To.UtcDateTime.ToString('o')) }
    if ($ParticipantId) { $q += 'participant=' + [Uri]::EscapeDataString($ParticipantId) }
    if ($Type) { $q += 'type=' + [Uri]::EscapeDataString($Type) }
    if ($Modality) { $q += 'modality=' + [Uri]::EscapeDataString($Modality) }
    $truth = Invoke-RestMethod "$(Resolve-TestEndpoint $Endpoint)/_emulator/truth/records?$($q -join '&')"
    # One id comes back as a string: keep ids an array whatever the count.
    [pscustomobject]@{ count = $truth.count; ids = @($truth.ids) }
}

# Ground truth: the sessions of a call record, each { id, segmentIds } in Graph's order.
function Get-TestSessionTruth {
    param([Parameter(Mandatory)] [string] $CallRecordId, [string] $Endpoint)
    @((Invoke-RestMethod "$(Resolve-TestEndpoint $Endpoint)/_emulator/truth/sessions/$([Uri]::EscapeDataString($CallRecordId))").value)
}

# Ground truth: the participants of a call record ({ count, ids, organizerId }).
function Get-TestParticipantTruth {
    param([Parameter(Mandatory)] [string] $CallRecordId, [string] $Endpoint)
    Invoke-RestMethod "$(Resolve-TestEndpoint $Endpoint)/_emulator/truth/participants/$([Uri]::EscapeDataString($CallRecordId))"
}

# Ground truth: every stream of a call record as the emulator designed it ({ streamId, quality, kind, ... } in
# document order), or only the poor ones.
function Get-TestStreamTruth {
    param([Parameter(Mandatory)] [string] $CallRecordId, [switch] $PoorOnly, [string] $Endpoint)
    $poor = ([bool]$PoorOnly).ToString().ToLowerInvariant()
    @((Invoke-RestMethod "$(Resolve-TestEndpoint $Endpoint)/_emulator/truth/streams/$([Uri]::EscapeDataString($CallRecordId))?poor=$poor").value)
}

<#
    Holds the emulator's requests of one route when they arrive (after the first -PassFirst): with -ReleaseAt as a
    barrier that lets them go once that many are held at once (proof that the client had that many in flight), else
    until Clear-TestEmulatorHold or the client gives up. A hold not released within -TimeoutSeconds lets its requests
    go and reports timedOut. Returns the hold's state (see Get-TestEmulatorHold).
#>
function Set-TestEmulatorHold {
    param(
        [Parameter(Mandatory)] [string] $Route,
        [int] $PassFirst = 0,
        [int] $ReleaseAt,
        [double] $TimeoutSeconds = 30,
        [string] $Endpoint
    )
    $body = @{ route = $Route; passFirst = $PassFirst; timeoutSeconds = $TimeoutSeconds }
    if ($ReleaseAt) { $body.releaseAt = $ReleaseAt }
    Invoke-RestMethod -Method Put "$(Resolve-TestEndpoint $Endpoint)/_emulator/hold" -Body ($body | ConvertTo-Json) -ContentType 'application/json'
}

# The hold in force: { route, arrived, held, maxHeld, aborted, reached, released, timedOut, description }.
function Get-TestEmulatorHold {
    param([string] $Endpoint)
    Invoke-RestMethod "$(Resolve-TestEndpoint $Endpoint)/_emulator/hold"
}

function Clear-TestEmulatorHold {
    param([string] $Endpoint)
    Invoke-RestMethod -Method Delete "$(Resolve-TestEndpoint $Endpoint)/_emulator/hold" | Out-Null
}

<#
    "Equals ground truth": $null when -Actual equals -Expected exactly as a multiset (every id as often as the truth has
    it) and, unless -Unordered is asked for deliberately, in the same order; else the message Assert-TestTruth throws.
    The same semantics and text as the xunit suite's TruthAssert (tests/CallRecords.PS.Tests/TestSupport/TruthAssert.cs).
    .NET only (no Select-Object, …), so the xunit suite can run it in its hosted engine and compare the two.
#>
function Get-TestTruthDifference {
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyCollection()] [object[]] $Expected,
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyCollection()] [object[]] $Actual,
        [string] $What = 'results',
        [switch] $Unordered
    )
    $e = [Collections.Generic.List[string]]::new()
    $a = [Collections.Generic.List[string]]::new()
    foreach ($x in @($Expected)) { if ($null -ne $x) { $e.Add([string]$x) } }
    foreach ($x in @($Actual)) { if ($null -ne $x) { $a.Add([string]$x) } }
    $want = [Collections.Generic.Dictionary[string, int]]::new([StringComparer]::Ordinal)
    $got = [Collections.Generic.Dictionary[string, int]]::new([StringComparer]::Ordinal)
    foreach ($id in $e) { $want[$id] = 1 + $(if ($want.ContainsKey($id)) { $want[$id] } else { 0 }) }
    foreach ($id in $a) { $got[$id] = 1 + $(if ($got.ContainsKey($id)) { $got[$id] } else { 0 }) }
    $missing = [Collections.Generic.List[string]]::new()
    $extra = [Collections.Generic.List[string]]::new()
    $duplicated = [Collections.Generic.List[string]]::new()
    $seen = [Collections.Generic.HashSet[string]]::new([StringComparer]::Ordinal)
    foreach ($id in $e) {
        if (-not $seen.Add($id)) { continue }
        $have = if ($got.ContainsKey($id)) { $got[$id] } else { 0 }
        for ($k = $have; $k -lt $want[$id]; $k++) { $missing.Add($id) }
    }
    $seen.Clear()
    foreach ($id in $a) {
        if (-not $seen.Add($id)) { continue }
        $known = $want.ContainsKey($id)
        $n = $got[$id] - $(if ($known) { $want[$id] } else { 0 })
        for ($k = 0; $k -lt $n; $k++) { if ($known) { $duplicated.Add($id) } else { $extra.Add($id) } }
    }
    $first = -1
    if (-not $Unordered) {
        for ($i = 0; $i -lt [Math]::Max($e.Count, $a.Count); $i++) {
            if ($i -ge $e.Count -or $i -ge $a.Count -or -not [string]::Equals($e[$i], $a[$i], [StringComparison]::Ordinal)) { $first = $i; break }
        }
    }
    if ($missing.Count -eq 0 -and $extra.Count -eq 0 -and $duplicated.Count -eq 0 -and $first -lt 0) { return $null }

    $order = if ($Unordered) { 'in any order' } else { 'in order' }
    $text = [Text.StringBuilder]::new("$What differ from the ground truth: expected $($e.Count) $order, got $($a.Count).")
    foreach ($line in @(@('missing', $missing), @('extra', $extra), @('duplicated', $duplicated))) {
        $ids = $line[1]
        if ($ids.Count -eq 0) { continue }
        $null = $text.Append("`n  $($line[0]) ($($ids.Count)): ").Append([string]::Join(', ', $ids.GetRange(0, [Math]::Min(10, $ids.Count))))
        if ($ids.Count -gt 10) { $null = $text.Append(', ' + [char]0x2026) }
    }
    if ($first -ge 0) {
        $want1 = if ($first -lt $e.Count) { "'$($e[$first])'" } else { 'nothing' }
        $got1 = if ($first -lt $a.Count) { "'$($a[$first])'" } else { 'nothing' }
        $null = $text.Append("`n  first difference at index ${first}: expected $want1, got $got1")
    }
    $text.ToString()
}

# Throws (failing the It block) unless -Actual equals the ground truth -Expected; see Get-TestTruthDifference.
function Assert-TestTruth {
    param(
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyCollection()] [object[]] $Expected,
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyCollection()] [object[]] $Actual,
        [string] $What = 'results',
        [switch] $Unordered
    )
    $message = Get-TestTruthDifference -Expected $Expected -Actual $Actual -What $What -Unordered:$Unordered
    if ($message) { throw $message }
}

Export-ModuleMember -Function Get-TestRepositoryRoot, Get-TestModuleManifest, Get-TestFreePort, Get-TestNow,
    Get-TestDotnetPath, Get-TestPwshCommand, Invoke-TestPwsh, Start-TestPwsh, Start-TestEmulator, Stop-TestEmulator, Get-TestEmulatorToken, Connect-TestEmulator, Clear-TestEmulatorRequest,
    Get-TestEmulatorRequest, Get-TestEmulatorCounter, Set-TestEmulatorFault, Get-TestRecordTruth, Get-TestSessionTruth,
    Get-TestParticipantTruth, Get-TestStreamTruth, Set-TestEmulatorHold, Get-TestEmulatorHold, Clear-TestEmulatorHold,
    Get-TestTruthDifference, Assert-TestTruth
