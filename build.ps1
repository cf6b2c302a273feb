#Requires -Version 7.2
<#
.SYNOPSIS
    Build, test, package or demo CallRecords.PS.
.DESCRIPTION
    Build    dotnet build -c Release; leaves the importable module in out/CallRecords.
    Test     Build, dotnet test, then the Pester acceptance tests in tests/Acceptance (Pester 5 is installed from
             PSGallery for the current user when missing and the gallery is reachable; otherwise they are skipped
             with a warning).
    Package  Build, then out/packages/CallRecords.<version>.zip, and CallRecords.<version>.nupkg through a local
             PSResourceGet repository when Microsoft.PowerShell.PSResourceGet is available.
    Demo     Build, start the Graph emulator on a free loopback port, connect, show yesterday's calls, one call in
             detail, the poor streams and a PSTN cost summary (the last two when those cmdlets are in the build).
.EXAMPLE
    ./build.ps1 -Task Test
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

function Install-PesterIfMissing {
    if (Get-Module -ListAvailable Pester | Where-Object Version -GE ([version]'5.0')) { return $true }
    try {
        $null = Find-Module Pester -MinimumVersion 5.0 -Repository PSGallery -ErrorAction Stop
        Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser -Force -SkipPublisherCheck -Repository PSGallery
        return $true
    }
    catch {
        Write-Warning "Pester 5 is not installed and PSGallery is not reachable ($($_.Exception.Message)); skipping tests/Acceptance."
        return $false
    }
}

function Invoke-Test {
    Invoke-Build
    Invoke-Native dotnet @('test', (Join-Path $Root 'CallRecords.PS.sln'), '-c', $Configuration, '--no-build')
    if (Install-PesterIfMissing) {
        Import-Module Pester -MinimumVersion 5.0
        $config = New-PesterConfiguration
        $config.Run.Path = Join-Path $Root 'tests/Acceptance'
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $result = Invoke-Pester -Configuration $config
        if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
    }
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
    $emulator = Start-Process dotnet -PassThru -NoNewWindow -ArgumentList @(
        'run', '--project', (Join-Path $Root 'tests/GraphEmulator'), '-c', $Configuration, '--no-build', '--',
        '--urls', $endpoint, '--accept-any-token', '--records', '300')
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
        Write-Host "Yesterday's calls (UTC): $($yesterday.Count)" -ForegroundColor Cyan
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
                        Minutes  = [math]::Round(($_.Group | ForEach-Object { $_.Duration.TotalMinutes } | Measure-Object -Sum).Sum, 1)
                        Charge   = ($_.Group | Measure-Object Charge -Sum).Sum
                        Currency = @($_.Group.Currency | Where-Object { $_ } | Select-Object -Unique) -join ','
                    }
                } |
                Sort-Object Charge -Descending | Select-Object -First 15 | Format-Table
        }
        else { Write-Host 'Get-CallRecordPstnCall is not in this build; skipping the PSTN cost summary.' -ForegroundColor DarkGray }

        Disconnect-CallRecordGraph
    }
    finally {
        if (-not $emulator.HasExited) { Stop-Process -Id $emulator.Id }
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Package' { Invoke-Package }
    'Demo' { Invoke-Demo }
}
