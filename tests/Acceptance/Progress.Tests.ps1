#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Whether the module draws progress, in real pwsh processes started the way admins start them: silent under
    pwsh -NonInteractive -File (a Task Scheduler action) and with CALLRECORDS_PROGRESS=off, shown in an interactive
    session and with CALLRECORDS_PROGRESS=on. A progress record cannot be redirected or captured in pwsh (it has no
    stream number, and a nested pipeline hands it to the host), so each child reports the decision through -Debug,
    where the module says why progress is off. The records themselves are counted by the xunit suite
    (tests/CallRecords.PS.Tests/Engine/ProgressAndDebugTests.cs, ExpansionProgressTests.cs) on a test host with a UI.
#>

BeforeDiscovery {
    # A service or a task that runs whether the user is logged on or not has no interactive session at all.
    $script:NoUserSession = -not [Environment]::UserInteractive
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Helpers = Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1'
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow
    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '51', '--records', '200',
        '--now', $Now.ToString('o'))
    $script:Endpoint = $Emulator.Endpoint
    $script:From = $Now.AddDays(-6)
    $script:To = $Now.AddDays(-2)
    $script:Truth = Get-TestRecordTruth -From $From -To $To
    $script:WorkDir = Join-Path ([IO.Path]::GetTempPath()) "callrecords-progress-$($Emulator.Port)"
    New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null

    # What each child pwsh runs: a listing of several pages with -Debug output merged in, then a JSON summary in a
    # file (not stdout, where the child's console may draw its progress bar).
    $script:Story = Join-Path $WorkDir 'story.ps1'
    @'
param([string] $Helpers, [string] $Manifest, [string] $Endpoint, [string] $From, [string] $To, [string] $OutFile)
$ErrorActionPreference = 'Stop'
Import-Module $Helpers
Import-Module $Manifest
Connect-TestEmulator -Endpoint $Endpoint
$DebugPreference = 'Continue'
$all = Get-CallRecord -StartDateTime ([DateTimeOffset]::Parse($From)) -EndDateTime ([DateTimeOffset]::Parse($To)) -PageSize 20 5>&1
[pscustomobject]@{
    records     = @($all | Where-Object { $_ -is [CallRecords.Models.CallRecord] }).Count
    progressOff = @($all | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'Progress is off:*' } | ForEach-Object Message)
} | ConvertTo-Json -Compress | Set-Content -Path $OutFile
'@ | Set-Content -Path $Story

    # Runs the story in a child pwsh with these switches and CALLRECORDS_PROGRESS (restored afterwards).
    function script:Invoke-Story([string[]] $Switches = @(), [string] $Override) {
        $previous = $env:CALLRECORDS_PROGRESS
        $result = Join-Path $WorkDir "result-$([guid]::NewGuid()).json"
        try {
            $env:CALLRECORDS_PROGRESS = $Override
            $null = Invoke-TestPwsh -NoProfile @Switches -File $Story -Helpers $Helpers -Manifest $Manifest -Endpoint $Endpoint `
                -From $From.ToString('o') -To $To.ToString('o') -OutFile $result
            $LASTEXITCODE | Should -Be 0
            Get-Content -Raw $result | ConvertFrom-Json
        }
        finally {
            $env:CALLRECORDS_PROGRESS = $previous
            Remove-Item $result -ErrorAction SilentlyContinue
        }
    }
}

AfterAll {
    Stop-TestEmulator $script:Emulator
    Remove-Item $script:WorkDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Progress in scheduled and interactive sessions' {
    It 'is off under pwsh <Switch> -File, as a Task Scheduler action runs a script' -Skip:$NoUserSession -ForEach @(
        @{ Switch = '-NonInteractive' }, @{ Switch = '-noni' }, @{ Switch = '/NonInteractive' }
    ) {
        $r = Invoke-Story -Switches $Switch
        $r.records | Should -Be $Truth.count
        @($r.progressOff) | Should -Be @('Progress is off: PowerShell was started with -NonInteractive. Set the environment variable CALLRECORDS_PROGRESS=on to show it anyway.')
    }

    It 'is on under -NonInteractive when CALLRECORDS_PROGRESS=on' {
        $r = Invoke-Story -Switches '-NonInteractive' -Override 'on'
        $r.records | Should -Be $Truth.count
        @($r.progressOff) | Should -BeNullOrEmpty
    }

    It 'is off in any session when CALLRECORDS_PROGRESS=off' {
        $r = Invoke-Story -Override 'off'
        $r.records | Should -Be $Truth.count
        @($r.progressOff) | Should -Be @("Progress is off: CALLRECORDS_PROGRESS is 'off'.")
    }

    It 'is on in a session started without -NonInteractive' -Skip:$NoUserSession {
        $r = Invoke-Story
        $r.records | Should -Be $Truth.count
        @($r.progressOff) | Should -BeNullOrEmpty
    }
}
