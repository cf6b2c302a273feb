#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Whether the module draws progress, in real pwsh processes started the way admins start them: silent under
    pwsh -NonInteractive -File (a Task Scheduler action) and with CALLRECORDS_PROGRESS=off, shown in an interactive
    session and with CALLRECORDS_PROGRESS=on. A progress record cannot be redirected or captured in pwsh (it has no
    stream number, and a nested pipeline hands it to the host), and pwsh draws no bar when its output is redirected,
    so each child runs on a pseudo-terminal (util-linux script) and the test reads what the terminal showed: the bar
    is there or it is not. The child also reports, through -Debug, why the module turned progress off. The records
    themselves are counted by the xunit suite (tests/CallRecords.PS.Tests/Engine/ProgressAndDebugTests.cs,
    ExpansionProgressTests.cs) on a test host with a UI.
    Tags (counted, not run, where this machine lacks it; see Invoke-AcceptanceSuite.ps1): Terminal for every test
    here; InteractiveSession where the automatic decision needs a user session, which a service or a task that runs
    whether the user is logged on or not does not have ([Environment]::UserInteractive is false, and the module
    rightly says so instead).
#>

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
    ids         = @($all | Where-Object { $_ -is [CallRecords.Models.CallRecord] } | ForEach-Object Id)
    progressOff = @($all | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'Progress is off:*' } | ForEach-Object Message)
} | ConvertTo-Json -Compress | Set-Content -Path $OutFile
'@ | Set-Content -Path $Story

    # What the listing's bar shows on a terminal: its activity.
    $script:Bar = 'Get-CallRecord: listing call records'

    <#
        Runs the story in a child pwsh with these switches and CALLRECORDS_PROGRESS (restored afterwards), on a
        pseudo-terminal (script -q -e -c, util-linux) so that pwsh draws what it would draw for a user; returns the
        story's summary with .screen, everything the terminal received.
    #>
    function script:Invoke-Story([string[]] $Switches = @(), [string] $Override) {
        $previous = $env:CALLRECORDS_PROGRESS
        $result = Join-Path $WorkDir "result-$([guid]::NewGuid()).json"
        $screen = Join-Path $WorkDir "screen-$([guid]::NewGuid()).txt"
        try {
            $env:CALLRECORDS_PROGRESS = $Override
            $pwsh = Get-TestPwshCommand
            $words = @($pwsh.File) + $pwsh.Prefix + @('-NoProfile') + $Switches + @('-File', $Story, '-Helpers', $Helpers, '-Manifest', $Manifest,
                '-Endpoint', $Endpoint, '-From', $From.ToString('o'), '-To', $To.ToString('o'), '-OutFile', $result)
            $command = ($words | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }) -join ' '
            # No terminal emulator is there to answer pwsh's cursor-position queries (ESC[6n), each of which would
            # wait for its timeout: answers are queued on the terminal's input in advance.
            $null = ("$([char]27)[1;1R" * 64) | & script -q -e -c $command $screen
            $LASTEXITCODE | Should -Be 0 -Because (Get-Content -Raw $screen -ErrorAction SilentlyContinue)
            $r = Get-Content -Raw $result | ConvertFrom-Json
            $r | Add-Member -NotePropertyName screen -NotePropertyValue (Get-Content -Raw $screen)
            $r
        }
        finally {
            $env:CALLRECORDS_PROGRESS = $previous
            Remove-Item $result, $screen -ErrorAction SilentlyContinue
        }
    }
}

AfterAll {
    Stop-TestEmulator $script:Emulator
    Remove-Item $script:WorkDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Progress in scheduled and interactive sessions' -Tag 'Terminal' {
    It 'is off under pwsh <Switch> -File, as a Task Scheduler action runs a script' -Tag 'InteractiveSession' -ForEach @(
        @{ Switch = '-NonInteractive' }, @{ Switch = '-noni' }, @{ Switch = '/NonInteractive' }
    ) {
        $r = Invoke-Story -Switches $Switch
        Assert-TestTruth -Expected $Truth.ids -Actual $r.ids -What 'call records listed'
        @($r.progressOff) | Should -Be @('Progress is off: PowerShell was started with -NonInteractive. Set the environment variable CALLRECORDS_PROGRESS=on to show it anyway.')
        $r.screen | Should -Not -Match ([regex]::Escape($Bar))
    }

    It 'is on under -NonInteractive when CALLRECORDS_PROGRESS=on' {
        $r = Invoke-Story -Switches '-NonInteractive' -Override 'on'
        Assert-TestTruth -Expected $Truth.ids -Actual $r.ids -What 'call records listed'
        @($r.progressOff) | Should -BeNullOrEmpty
        $r.screen | Should -Match ([regex]::Escape($Bar))
    }

    It 'is off in any session when CALLRECORDS_PROGRESS=off' {
        $r = Invoke-Story -Override 'off'
        Assert-TestTruth -Expected $Truth.ids -Actual $r.ids -What 'call records listed'
        @($r.progressOff) | Should -Be @("Progress is off: CALLRECORDS_PROGRESS is 'off'.")
        $r.screen | Should -Not -Match ([regex]::Escape($Bar))
    }

    It 'is on in a session started without -NonInteractive' -Tag 'InteractiveSession' {
        $r = Invoke-Story
        Assert-TestTruth -Expected $Truth.ids -Actual $r.ids -What 'call records listed'
        @($r.progressOff) | Should -BeNullOrEmpty
        $r.screen | Should -Match ([regex]::Escape($Bar))
    }
}
