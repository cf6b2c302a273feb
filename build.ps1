#Requires -Version 7.2
<#
.SYNOPSIS
    Build, test, package or demo CallRecords.PS.
.DESCRIPTION
    Build    dotnet build -c Release; leaves the importable module in out/CallRecords.
    Test     Build, xunit (dotnet test), then the Pester acceptance suite (tests/Acceptance) in a child pwsh with
             Pester 5.9.1 restored from NuGet into .tools/ (never PSGallery), then a check that no process the tests
             started is still running. Ends with "N passed, N failed" over both suites; exit code 1 on any failure.
             Reports: out/test-results/xunit.trx and pester.xml.
    Package  Build, then out/packages/CallRecords.<version>.zip, and CallRecords.<version>.nupkg through a local
             PSResourceGet repository when Microsoft.PowerShell.PSResourceGet is available.
    Demo     Build, start the Graph emulator on a free loopback port, connect, export yesterday's calls to
             out/demo/yesterday.csv, show one call in detail, the poor streams and a PSTN cost summary, then stop
             the emulator (also on Ctrl+C).
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test

    Every test, with PowerShell 7.6.9 from the repository's tool manifest (.config/dotnet-tools.json).
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo')]
    [string] $Task = 'Build',
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$ModuleDir = Join-Path $Root 'out/CallRecords'

function Invoke-Native([string] $File, [string[]] $Arguments) {
    Write-Host "> $File $($Arguments -join ' ')" -ForegroundColor DarkGray
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File exited with code $LASTEXITCODE." }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $Root 'CallRecords.PS.sln'), '-c', $Configuration)
    $null = Test-ModuleManifest -Path (Join-Path $ModuleDir 'CallRecords.psd1')
    Write-Host "Module ready in $ModuleDir"
}

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# Test tools that are NuGet packages (Pester 5.9.1), restored into the repo-local, git-ignored .tools/packages.
function Restore-TestTool {
    Invoke-Native dotnet @('restore', (Join-Path $Root 'build/tools/TestTools.proj'), '--verbosity', 'quiet')
    $pester = Join-Path $Root '.tools/packages/pester/5.9.1/tools/Pester.psd1'
    if (-not (Test-Path $pester)) { throw "Pester 5.9.1 was not restored to $pester." }
    $pester
}

# The pwsh running this script, as a command line for a child: under the .NET tool (`dotnet pwsh`) the same dotnet
# host with $PSHOME/pwsh.dll, otherwise this executable.
function Get-PwshCommand {
    $self = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { return @($self, (Join-Path $PSHOME 'pwsh.dll')) }
    @($self)
}

# Processes still running that a test started: they carry this run's CALLRECORDS_TEST_RUN marker in their environment
# (children inherit it) and are an emulator, a pwsh, a test host or the isolation host. Build servers that carry the
# marker (MSBuild nodes, the compiler server) are not test processes. Linux only (/proc); elsewhere nothing is found.
function Get-LeakedTestProcess([string] $Marker) {
    if (-not (Test-Path '/proc/self/environ')) { return }
    $needle = "CALLRECORDS_TEST_RUN=$Marker"
    foreach ($dir in Get-ChildItem '/proc' -Directory -ErrorAction SilentlyContinue) {
        if ($dir.Name -notmatch '^\d+$' -or [int]$dir.Name -eq $PID) { continue }
        try {
            $environ = [IO.File]::ReadAllText("/proc/$($dir.Name)/environ")
            if (-not ($environ.Split([char]0) -contains $needle)) { continue }
            $command = ([IO.File]::ReadAllText("/proc/$($dir.Name)/cmdline") -replace "`0", ' ').Trim()
        }
        catch { continue } # gone meanwhile, or not ours to read
        if ($command -match 'GraphEmulator|pwsh|IsolationHost|testhost|OtherModule') {
            [pscustomobject]@{ Id = [int]$dir.Name; CommandLine = $command }
        }
    }
}

<#
    Everything, in order: build, xunit (dotnet test), the Pester suite in a fresh child pwsh with Pester 5.9.1 from
    NuGet, then a check that no process a test started is still running. Reports in out/test-results (xunit.trx,
    pester.xml); the last line printed is "N passed, N failed" over xunit and Pester together (a leaked process counts
    as a failure). Throws when anything failed, so the exit code is non-zero.
#>
function Invoke-Test {
    Invoke-Build
    $pester = Restore-TestTool
    $results = Join-Path $Root 'out/test-results'
    Remove-Item $results -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force $results | Out-Null
    # Children inherit the marker; what still carries it after the tests is a leak.
    $marker = [guid]::NewGuid().ToString('n')
    $env:CALLRECORDS_TEST_RUN = $marker

    Write-Host '== xunit (dotnet test)' -ForegroundColor Cyan
    & dotnet test (Join-Path $Root 'CallRecords.PS.sln') -c $Configuration --no-build --results-directory $results `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=minimal'
    $xunitExit = $LASTEXITCODE
    $xunit = @{ passed = 0; failed = 0; skipped = 0 }
    $trx = Join-Path $results 'xunit.trx'
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $xunit = @{ passed = [int]$counters.passed; failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
            skipped = [int]$counters.notExecuted }
    }
    if ($xunitExit -ne 0 -and $xunit.failed -eq 0) { Write-Host "dotnet test exited $xunitExit without a failed test" -ForegroundColor Red; $xunit.failed = 1 }
    Write-Host "xunit: $($xunit.passed) passed, $($xunit.failed) failed, $($xunit.skipped) skipped"

    Write-Host '== Pester (tests/Acceptance, real pwsh)' -ForegroundColor Cyan
    $summaryFile = Join-Path $results 'pester-summary.json'
    $pwsh = @(Get-PwshCommand)
    $pwshArgs = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-File', (Join-Path $Root 'tests/Acceptance/Invoke-AcceptanceSuite.ps1'),
        '-PesterPath', $pester, '-ResultPath', (Join-Path $results 'pester.xml'), '-SummaryPath', $summaryFile)
    & $pwsh[0] @pwshArgs
    $pesterExit = $LASTEXITCODE
    $acceptance = @{ passed = 0; failed = 0; notRun = 0 }
    if (Test-Path $summaryFile) { $acceptance = Get-Content -Raw $summaryFile | ConvertFrom-Json -AsHashtable }
    if ($pesterExit -ne 0 -and $acceptance.failed -eq 0) { Write-Host "The Pester run exited $pesterExit without a failed test" -ForegroundColor Red; $acceptance.failed = 1 }

    # Give processes that were just told to stop a moment to go, then name and stop what is left.
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    do { $leaked = @(Get-LeakedTestProcess $marker); if ($leaked) { Start-Sleep -Milliseconds 500 } } while ($leaked -and [DateTime]::UtcNow -lt $deadline)
    foreach ($p in $leaked) {
        Write-Host "LEAK: process $($p.Id) started by the tests is still running: $($p.CommandLine)" -ForegroundColor Red
        Stop-Process -Id $p.Id -Force -ErrorAction SilentlyContinue
    }
    if (-not (Test-Path '/proc/self/environ')) { Write-Host 'Leak check: not available on this OS (needs /proc).' }
    elseif (-not $leaked) { Write-Host 'Leak check: no emulator, pwsh or test host left running.' }

    $passed = $xunit.passed + $acceptance.passed
    $failed = $xunit.failed + $acceptance.failed + $leaked.Count
    Write-Host "Totals: xunit $($xunit.passed) passed, $($xunit.failed) failed; Pester $($acceptance.passed) passed, $($acceptance.failed) failed, $($acceptance.notRun) not run (tagged for what this machine lacks; the Pester lines above say what); $($leaked.Count) leaked process(es)"
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Package {
    Invoke-Build
    $manifest = Import-PowerShellDataFile (Join-Path $ModuleDir 'CallRecords.psd1')
    $version = $manifest.ModuleVersion
    $repoDir = Join-Path $Root 'out/packages'
    New-Item -ItemType Directory -Force $repoDir | Out-Null
    $zip = Join-Path $repoDir "CallRecords.$version.zip"
    Compress-Archive -Path $ModuleDir -DestinationPath $zip -Force
    Write-Host "Zip: $zip"
    if (Get-Command Register-PSResourceRepository -ErrorAction SilentlyContinue) {
        $name = 'CallRecordsLocal'
        if (-not (Get-PSResourceRepository -Name $name -ErrorAction SilentlyContinue)) {
            Register-PSResourceRepository -Name $name -Uri $repoDir -Trusted
        }
        Publish-PSResource -Path $ModuleDir -Repository $name
        Write-Host "NuGet package: $(Join-Path $repoDir "CallRecords.$version.nupkg")"
    }
    else {
        Write-Warning 'Microsoft.PowerShell.PSResourceGet is not available; only the zip was produced.'
    }
}

function Invoke-Demo {
    Invoke-Build
    $port = Get-FreePort
    $endpoint = "http://127.0.0.1:$port"
    # The emulator's own DLL run by dotnet (not `dotnet run`, whose child would outlive a stopped wrapper), told to
    # stop by itself if this pwsh goes away without reaching the finally block below.
    $emulatorDll = Join-Path $Root "tests/GraphEmulator/bin/$Configuration/net10.0/GraphEmulator.dll"
    $emulator = Start-Process dotnet -PassThru -NoNewWindow -ArgumentList @(
        $emulatorDll, '--urls', $endpoint, '--accept-any-token', '--records', '300', '--parent-pid', $PID)
    try {
        $deadline = [DateTime]::UtcNow.AddMinutes(1)
        while ($true) {
            try { $null = Invoke-RestMethod "$endpoint/_emulator/counters" -TimeoutSec 2; break }
            catch { if ([DateTime]::UtcNow -gt $deadline) { throw 'The emulator did not start.' }; Start-Sleep -Milliseconds 300 }
        }
        $token = (Invoke-RestMethod -Method Post "$endpoint/_emulator/tokens" -Body '{}' -ContentType 'application/json').access_token |
            ConvertTo-SecureString -AsPlainText -Force
        Import-Module (Join-Path $ModuleDir 'CallRecords.psd1') -Force
        Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint
        Get-CallRecordConnection | Format-List

        $today = [DateTimeOffset]::new([DateTime]::UtcNow.Date, [TimeSpan]::Zero)
        $yesterday = @(Get-CallRecord -StartDateTime $today.AddDays(-1) -EndDateTime $today -PageSize 999)
        $csv = Join-Path $Root 'out/demo/yesterday.csv'
        New-Item -ItemType Directory -Force (Split-Path $csv) | Out-Null
        $yesterday | Export-Csv -Path $csv -NoTypeInformation
        Write-Host "Yesterday's calls (UTC): $($yesterday.Count), exported to $csv" -ForegroundColor Cyan
        $yesterday | Select-Object -First 15 | Format-Table
        $yesterday | Group-Object Type | Sort-Object Count -Descending | Format-Table Name, Count

        if ($yesterday.Count -gt 0) {
            Write-Host 'One call in detail' -ForegroundColor Cyan
            $yesterday[0] | Get-CallRecord -ExpandSession -ExpandParticipant |
                Format-List Id, Type, Modalities, Duration, OrganizerName, ParticipantCount, Sessions
        }

        # The stream and PSTN cmdlets come with later parts of the module; the demo shows them once they exist.
        if (Get-Command Get-CallRecordStream -Module CallRecords -ErrorAction SilentlyContinue) {
            Write-Host "Poor streams in yesterday's calls" -ForegroundColor Cyan
            $streams = $yesterday | Select-Object -First 50 | Get-CallRecordStream
            $poor = @($streams | Where-Object Quality -EQ 'Poor')
            Write-Host "$($poor.Count) of $(@($streams).Count) streams are poor by the Call Quality Dashboard thresholds."
            $poor | Select-Object -First 15 | Format-Table
            $poor | ForEach-Object { $_.PoorReasons -split ';' } | Where-Object { $_ } | Group-Object |
                Sort-Object Count -Descending | Format-Table @{ n = 'Reason'; e = 'Name' }, Count
        }
        else { Write-Host 'Get-CallRecordStream is not in this build; skipping the poor streams.' -ForegroundColor DarkGray }

        if (Get-Command Get-CallRecordPstnCall -Module CallRecords -ErrorAction SilentlyContinue) {
            Write-Host 'PSTN cost per user, last 30 days' -ForegroundColor Cyan
            Get-CallRecordPstnCall -StartDateTime $today.AddDays(-30) -EndDateTime $today |
                Group-Object UserPrincipalName |
                ForEach-Object {
                    [pscustomobject]@{
                        User     = $_.Name
                        Calls    = $_.Count
                        Minutes  = [math]::Round(($_.Group | Measure-Object DurationSeconds -Sum).Sum / 60, 1)
                        # Measure-Object sums as Double; a [decimal] accumulator keeps the charges exact
                        Charge   = & { $sum = [decimal]0; foreach ($r in $_.Group) { $sum += [decimal]$r.Charge }; $sum }
                        Currency = @($_.Group.Currency | Where-Object { $_ } | Select-Object -Unique) -join ','
                    }
                } |
                Sort-Object Charge -Descending | Select-Object -First 15 | Format-Table
        }
        else { Write-Host 'Get-CallRecordPstnCall is not in this build; skipping the PSTN cost summary.' -ForegroundColor DarkGray }

        Disconnect-CallRecordGraph
    }
    finally {
        # Also on Ctrl+C: PowerShell runs finally blocks when a script is stopped.
        if (-not $emulator.HasExited) { Stop-Process -Id $emulator.Id; $null = $emulator.WaitForExit(15000) }
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Package' { Invoke-Package }
    'Demo' { Invoke-Demo }
}
