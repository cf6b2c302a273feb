#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Stories that need a real pwsh (the hosted engine in xunit has ~58 core cmdlets and no console host): a scheduled
    task that runs the daily export in a -NonInteractive child process, and ConvertTo-Json / ConvertFrom-Json round
    trips of the module's objects. Compared with the emulator's ground truth, ids in order and counted.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Root = Get-TestRepositoryRoot
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow
    $script:Today = $Now.UtcDateTime.Date
    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '71', '--records', '200', '--days', '6',
        '--now', $Now.ToString('o'))
    $script:Endpoint = $Emulator.Endpoint
    $script:WorkDir = Join-Path ([IO.Path]::GetTempPath()) "callrecords-stories-$($Emulator.Port)"
    New-Item -ItemType Directory -Force $WorkDir | Out-Null

    Import-Module $Manifest -Force
    Connect-TestEmulator
}

AfterAll {
    Disconnect-CallRecordGraph -ErrorAction SilentlyContinue
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
    Remove-Item $script:WorkDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A scheduled task' {
    It 'runs the daily export in pwsh -NonInteractive -NoProfile and writes exactly each day''s records' {
        $out = Join-Path $WorkDir 'daily'
        $token = [System.Net.NetworkCredential]::new('', (Get-TestEmulatorToken)).Password
        $until = $Today.ToString('yyyy-MM-dd')
        # What a Task Scheduler action or a cron line runs: a fresh process, no profile, nobody to answer a prompt.
        $command = "Import-Module '$Manifest'; & '$(Join-Path $Root 'examples/Export-DailyCallRecords.ps1')' -AccessToken (ConvertTo-SecureString '$token' -AsPlainText -Force) " +
            "-GraphEndpoint '$Endpoint' -OutputDirectory '$out' -InitialDays 2 -Until ([datetime]::ParseExact('$until', 'yyyy-MM-dd', `$null)); exit `$LASTEXITCODE"
        $output = Invoke-TestPwsh -NoProfile -NonInteractive -Command $command 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")

        foreach ($day in 2, 1) {
            $from = [DateTimeOffset]::new($Today.AddDays(-$day), [TimeSpan]::Zero)
            $truth = Get-TestRecordTruth -From $from -To $from.AddDays(1)
            $truth.count | Should -BeGreaterThan 0 -Because 'the emulator has calls on every day'
            $file = Join-Path $out ('callrecords-' + $from.ToString('yyyy-MM-dd') + '.csv')
            $rows = @(Import-Csv $file)
            $rows.Count | Should -Be $truth.count
            # The export sorts by start time then id; the truth lists in Graph's order (start time, then id).
            @($rows.Id) | Should -Be @($truth.ids)
        }
        (Get-Content (Join-Path $out 'checkpoint.json') -Raw | ConvertFrom-Json).recordsOnThatDay |
            Should -Be (Get-TestRecordTruth -From ([DateTimeOffset]::new($Today.AddDays(-1), [TimeSpan]::Zero)) -To ([DateTimeOffset]::new($Today, [TimeSpan]::Zero))).count
    }
}

Describe 'ConvertTo-Json' {
    It 'round-trips a day of call records with their ids, times and modalities' {
        $from = [DateTimeOffset]::new($Today.AddDays(-1), [TimeSpan]::Zero)
        $truth = Get-TestRecordTruth -From $from -To $from.AddDays(1)
        $records = @(Get-CallRecord -StartDateTime $from -EndDateTime $from.AddDays(1) -PageSize 999)
        $json = $records | ConvertTo-Json -Depth 4
        $json | Should -Not -Match '"CallRecords\.Models\.' -Because 'no cell holds a .NET type name'
        $back = @($json | ConvertFrom-Json)
        $back.Count | Should -Be $truth.count
        @($back.Id) | Should -Be @($truth.ids)
        for ($i = 0; $i -lt $back.Count; $i++) {
            ([DateTimeOffset]$back[$i].StartDateTime).UtcDateTime | Should -Be $records[$i].StartDateTime.UtcDateTime
            @($back[$i].Modalities) | Should -Be @($records[$i].Modalities)
        }
    }
}
