#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue #5 stories in real pwsh: sessions, segments, participants, stream rows with call-quality classes, and the
    concurrent expansion, against the Graph emulator started as a separate process.
    Run through build.ps1 -Task Test, or: Invoke-Pester tests/Acceptance (after dotnet build -c Release).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow
    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '23', '--records', '300',
        '--now', $Now.ToString('o'))
    $script:Port = $Emulator.Port
    $script:Endpoint = $Emulator.Endpoint

    function script:Get-StreamTruth([string] $Id, [switch] $PoorOnly) {
        (Invoke-RestMethod "$Endpoint/_emulator/truth/streams/$($Id)?poor=$(([bool]$PoorOnly).ToString().ToLowerInvariant())").value
    }

    Import-Module $Manifest -Force
    Connect-TestEmulator
    $script:Records = Get-CallRecord -StartDateTime $Now.AddDays(-30) -PageSize 999
}

AfterAll {
    Disconnect-CallRecordGraph
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
}

Describe 'Sessions, segments and participants' {
    BeforeEach { Clear-TestEmulatorRequest }

    It 'returns every session of a call with more than 60 sessions, none twice' {
        $big = $Records | Where-Object Type -EQ 'groupCall' |
            ForEach-Object { [pscustomobject]@{ Id = $_.Id; Count = @(Get-CallRecordSession -CallRecordId $_.Id).Count } } |
            Sort-Object Count -Descending | Select-Object -First 1
        $big.Count | Should -BeGreaterThan 60
        $sessions = Get-CallRecordSession -CallRecordId $big.Id
        @($sessions.Id | Sort-Object -Unique).Count | Should -Be $sessions.Count
    }

    It 'pipes records to sessions to segments' {
        $two = $Records | Select-Object -First 2
        $sessions = $two | Get-CallRecordSession
        $sessions | ForEach-Object { $_.CallRecordId | Should -BeIn $two.Id }
        $segments = $sessions | Get-CallRecordSegment
        $segments.Count | Should -BeGreaterOrEqual $sessions.Count
        $segments[0] | Should -BeOfType ([CallRecords.Models.CallRecordSegment])
    }

    It 'lists participants beyond the first page of 130 with the organizer marked' {
        $big = $Records | Where-Object Type -EQ 'groupCall' | ForEach-Object { Get-CallRecordParticipant -CallRecordId $_.Id } |
            Group-Object CallRecordId | Sort-Object Count -Descending | Select-Object -First 1
        $big.Count | Should -BeGreaterThan 130
        @($big.Group | Where-Object IsOrganizer).Count | Should -Be 1
        (Get-CallRecordParticipant -CallRecordId $big.Name -Organizer).IsOrganizer | Should -BeTrue
    }
}

Describe 'Get-CallRecordStream' {
    BeforeEach { Clear-TestEmulatorRequest }

    It 'classifies every stream as the emulator designed it' {
        foreach ($record in $Records | Select-Object -First 25) {
            $truth = @(Get-StreamTruth -Id $record.Id)
            $rows = @($record | Get-CallRecordStream)
            $rows.Count | Should -Be $truth.Count
            for ($i = 0; $i -lt $rows.Count; $i++) {
                $rows[$i].StreamId | Should -Be $truth[$i].streamId
                "$($rows[$i].Quality)" | Should -Be $truth[$i].quality -Because "stream $($truth[$i].streamId) of $($record.Id)"
                "$($rows[$i].StreamKind)" | Should -Be $truth[$i].kind
            }
        }
    }

    It '-PoorOnly returns exactly the poor streams' {
        $sample = $Records | Select-Object -Skip 30 -First 30
        $expected = $sample | ForEach-Object { Get-StreamTruth -Id $_.Id -PoorOnly } | ForEach-Object streamId
        $rows = $sample | Get-CallRecordStream -PoorOnly
        @($rows.StreamId) | Should -Be @($expected)
        $rows | ForEach-Object { $_.Quality | Should -Be 'Poor'; $_.PoorReasons.Count | Should -BeGreaterThan 0 }
    }

    It 'chains list, sessions and streams' {
        $from = $Records[10].StartDateTime; $to = $Records[14].StartDateTime
        $rows = Get-CallRecord -StartDateTime $from -EndDateTime $to | Get-CallRecordSession -ExpandSegment | Get-CallRecordStream
        $rows.Count | Should -BeGreaterThan 0
        (Get-TestEmulatorCounter).requests.listSegments | Should -BeNullOrEmpty
    }

    It 'exports one readable CSV row per stream' {
        $csv = Join-Path ([IO.Path]::GetTempPath()) "streams-$Port.csv"
        try {
            $rows = $Records | Select-Object -First 5 | Get-CallRecordStream
            $rows | Export-Csv -Path $csv -NoTypeInformation
            $back = Import-Csv -Path $csv
            $back.Count | Should -Be $rows.Count
            foreach ($row in $back) {
                foreach ($p in $row.PSObject.Properties) {
                    $p.Value | Should -Not -Match '^System\.|^CallRecords\.' -Because "column $($p.Name)"
                }
                $row.Quality | Should -BeIn 'Good', 'Poor', 'Unclassified'
            }
            $back[0].CallRecordId | Should -Be $rows[0].CallRecordId
        }
        finally { Remove-Item $csv -ErrorAction SilentlyContinue }
    }
}

Describe 'Concurrent expansion' {
    BeforeAll {
        $body = @{ latencyMs = 50; jitterMs = 50 } | ConvertTo-Json
        Invoke-RestMethod -Method Put "$Endpoint/_emulator/latency" -Body $body -ContentType 'application/json' | Out-Null
    }
    AfterAll {
        $body = @{ latencyMs = 0; jitterMs = 0 } | ConvertTo-Json
        Invoke-RestMethod -Method Put "$Endpoint/_emulator/latency" -Body $body -ContentType 'application/json' | Out-Null
    }
    BeforeEach { Clear-TestEmulatorRequest }

    It 'expands a list concurrently, never above -ThrottleLimit, in list order' {
        $expected = ($Records | Select-Object -First 40).Id
        $expanded = Get-CallRecord -StartDateTime $Now.AddDays(-30) -PageSize 999 -First 40 -ExpandSession -ThrottleLimit 5
        @($expanded.Id) | Should -Be @($expected)
        $expanded | ForEach-Object { $_.Sessions | Should -Not -BeNullOrEmpty }
        (Get-TestEmulatorCounter).inFlight.getCallRecord.max | Should -Be 5
    }

    It 'backs off on 429 and still returns everything' {
        $body = @{ enabled = $true; perAppPerTenant = @{ limit = 10; windowSeconds = 1 } } | ConvertTo-Json
        Invoke-RestMethod -Method Put "$Endpoint/_emulator/throttles" -Body $body -ContentType 'application/json' | Out-Null
        try {
            $expanded = Get-CallRecord -StartDateTime $Now.AddDays(-30) -PageSize 999 -First 30 -ExpandSession -ThrottleLimit 12
            @($expanded.Id) | Should -Be @(($Records | Select-Object -First 30).Id)
        }
        finally {
            $body = @{ enabled = $false; perAppPerTenant = @{ limit = 1500; windowSeconds = 20 } } | ConvertTo-Json
            Invoke-RestMethod -Method Put "$Endpoint/_emulator/throttles" -Body $body -ContentType 'application/json' | Out-Null
        }
    }
}
