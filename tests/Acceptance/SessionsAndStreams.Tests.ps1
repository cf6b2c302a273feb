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

    # Every stream of these records as the emulator designed it, as callRecordId/sessionId/segmentId/streamId keys.
    function script:Get-StreamKeys([string[]] $Id, [switch] $PoorOnly) {
        $Id | ForEach-Object { Get-TestStreamTruth -CallRecordId $_ -PoorOnly:$PoorOnly } |
            ForEach-Object { "$($_.callRecordId)/$($_.sessionId)/$($_.segmentId)/$($_.streamId)" }
    }
    function script:Get-RowKeys($Rows) { $Rows | ForEach-Object { "$($_.CallRecordId)/$($_.SessionId)/$($_.SegmentId)/$($_.StreamId)" } }

    Import-Module $Manifest -Force
    Connect-TestEmulator
    $script:Records = Get-CallRecord -StartDateTime $Now.AddDays(-30) -PageSize 999
    Assert-TestTruth -Expected (Get-TestRecordTruth -From $Now.AddDays(-30)).ids -Actual $Records.Id -What 'call records of the last 30 days'
}

AfterAll {
    Disconnect-CallRecordGraph
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
}

Describe 'Sessions, segments and participants' {
    BeforeEach { Clear-TestEmulatorRequest }

    It 'returns every session of a call with more than 60 sessions, once each, in order' {
        $big = (Get-TestRecordTruth -Type groupCall).ids | Where-Object { @(Get-TestSessionTruth $_).Count -gt 60 } | Select-Object -First 1
        $big | Should -Not -BeNullOrEmpty -Because 'the data set has calls with more than 60 sessions'
        $sessions = Get-CallRecordSession -CallRecordId $big
        Assert-TestTruth -Expected (Get-TestSessionTruth $big).id -Actual $sessions.Id -What "sessions of $big"
        # One read of the record with its sessions expanded, and the nested sessions nextLink behind it followed.
        (Get-TestEmulatorCounter).requests.getCallRecord | Should -Be 1
        (Get-TestEmulatorCounter).requests.listSessions | Should -BeGreaterThan 0 -Because 'the sessions nextLink was followed'
    }

    It 'pipes records to sessions to segments' {
        # Two calls with several sessions, and a session with several segments among them.
        $two = $Records | Where-Object { @(Get-TestSessionTruth $_.Id).Count -gt 1 } | Select-Object -First 2
        $truth = $two | ForEach-Object { Get-TestSessionTruth $_.Id }
        $sessions = $two | Get-CallRecordSession
        Assert-TestTruth -Expected $truth.id -Actual $sessions.Id -What 'sessions of two piped call records'
        $segments = $sessions | Get-CallRecordSegment
        Assert-TestTruth -Expected $truth.segmentIds -Actual $segments.Id -What 'segments of the piped sessions'
        $segments | ForEach-Object { $_ | Should -BeOfType ([CallRecords.Models.CallRecordSegment]) }
    }

    It 'lists participants beyond the first page of 130 with the organizer marked' {
        $big = (Get-TestRecordTruth -Type groupCall).ids | Where-Object { (Get-TestParticipantTruth $_).count -gt 130 } | Select-Object -First 1
        $big | Should -Not -BeNullOrEmpty -Because 'the data set has calls with more than 130 participants'
        $truth = Get-TestParticipantTruth $big
        $participants = Get-CallRecordParticipant -CallRecordId $big
        Assert-TestTruth -Expected $truth.ids -Actual $participants.Id -What "participants of $big"
        @($participants | Where-Object IsOrganizer).Id | Should -Be $truth.organizerId
        (Get-CallRecordParticipant -CallRecordId $big -Organizer).Id | Should -Be $truth.organizerId
    }
}

Describe 'Get-CallRecordStream' {
    BeforeEach { Clear-TestEmulatorRequest }

    It 'classifies every stream as the emulator designed it' {
        foreach ($record in $Records | Select-Object -First 25) {
            $truth = @(Get-TestStreamTruth -CallRecordId $record.Id)
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
        $rows = $sample | Get-CallRecordStream -PoorOnly
        Assert-TestTruth -Expected (Get-StreamKeys $sample.Id -PoorOnly) -Actual (Get-RowKeys $rows) -What 'poor streams of 30 call records'
        $rows | ForEach-Object { $_.Quality | Should -Be 'Poor'; $_.PoorReasons.Count | Should -BeGreaterThan 0 }
    }

    It 'chains list, sessions and streams' {
        $from = $Records[10].StartDateTime; $to = $Records[14].StartDateTime
        $inWindow = (Get-TestRecordTruth -From $from -To $to).ids
        $rows = Get-CallRecord -StartDateTime $from -EndDateTime $to | Get-CallRecordSession -ExpandSegment | Get-CallRecordStream
        # Each session yields its own streams: together, every stream of the listed records once, in order.
        Assert-TestTruth -Expected (Get-StreamKeys $inWindow) -Actual (Get-RowKeys $rows) -What 'streams of the listed records, by session'
        (Get-TestEmulatorCounter).requests.listSegments | Should -BeNullOrEmpty
    }

    It 'exports one readable CSV row per stream' {
        $csv = Join-Path ([IO.Path]::GetTempPath()) "streams-$Port.csv"
        try {
            $five = $Records | Select-Object -First 5
            $rows = $five | Get-CallRecordStream
            $rows | Export-Csv -Path $csv -NoTypeInformation
            $back = Import-Csv -Path $csv
            Assert-TestTruth -Expected (Get-StreamKeys $five.Id) -Actual (Get-RowKeys $back) -What 'stream rows read back from the CSV'
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

    AfterEach { Clear-TestEmulatorHold }

    It 'expands a list concurrently, never above -ThrottleLimit, in list order' {
        $expected = ($Records | Select-Object -First 40).Id
        # Answered only once five are in flight together: the parallelism is proven, not timed.
        $null = Set-TestEmulatorHold -Route 'getCallRecord' -ReleaseAt 5
        $expanded = Get-CallRecord -StartDateTime $Now.AddDays(-30) -PageSize 999 -First 40 -ExpandSession -ThrottleLimit 5
        $hold = Get-TestEmulatorHold
        $hold.reached | Should -BeTrue -Because $hold.description
        Assert-TestTruth -Expected $expected -Actual $expanded.Id -What 'expanded call records'
        foreach ($record in $expanded) { Assert-TestTruth -Expected (Get-TestSessionTruth $record.Id).id -Actual $record.Sessions.Id -What "sessions of $($record.Id)" }
        (Get-TestEmulatorCounter).inFlight.getCallRecord.max | Should -Be 5
    }

    It 'backs off on 429 and still returns everything' {
        $body = @{ enabled = $true; perAppPerTenant = @{ limit = 10; windowSeconds = 1 } } | ConvertTo-Json
        Invoke-RestMethod -Method Put "$Endpoint/_emulator/throttles" -Body $body -ContentType 'application/json' | Out-Null
        # Twelve expansions arrive together, past the ceiling of ten: throttling is certain, whatever the timing.
        $null = Set-TestEmulatorHold -Route 'getCallRecord' -ReleaseAt 12
        try {
            $expanded = Get-CallRecord -StartDateTime $Now.AddDays(-30) -PageSize 999 -First 30 -ExpandSession -ThrottleLimit 12
            $hold = Get-TestEmulatorHold
            $hold.reached | Should -BeTrue -Because $hold.description
            Assert-TestTruth -Expected ($Records | Select-Object -First 30).Id -Actual $expanded.Id -What 'call records expanded through 429s'
            $requests = @(Get-TestEmulatorRequest -Route 'getCallRecord')
            @($requests | Where-Object throttled).Count | Should -BeGreaterThan 0 -Because 'Graph throttled some requests'
            # Every record was served once in the end.
            @($requests | Where-Object status -EQ 200 | ForEach-Object recordId | Sort-Object -Unique).Count | Should -Be 30
        }
        finally {
            $body = @{ enabled = $false; perAppPerTenant = @{ limit = 1500; windowSeconds = 20 } } | ConvertTo-Json
            Invoke-RestMethod -Method Put "$Endpoint/_emulator/throttles" -Body $body -ContentType 'application/json' | Out-Null
        }
    }
}
