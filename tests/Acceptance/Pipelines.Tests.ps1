#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue #20 in real pwsh: every shape an admin chains the cmdlets in gives exactly Graph's answer (the emulator's
    ground truth, compared as ids with their counts), reads each call record once per stage, and follows the
    connection the objects were read through.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow
    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '31', '--records', '60',
        '--now', $Now.ToString('o'))
    $script:Endpoint = $Emulator.Endpoint
    Import-Module $Manifest -Force
    Connect-TestEmulator
    $script:Ids = @((Get-TestRecordTruth -From $Now.AddDays(-30)).ids | Select-Object -First 30)
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "pipelines-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null

    function script:StreamKeys([string[]] $Id) {
        foreach ($r in $Id) { Get-TestStreamTruth -CallRecordId $r | ForEach-Object { "$($_.callRecordId)/$($_.sessionId)/$($_.segmentId)/$($_.streamId)/$($_.streamDirection)" } }
    }
    function script:RowKeys($Rows) { $Rows | ForEach-Object { "$($_.CallRecordId)/$($_.SessionId)/$($_.SegmentId)/$($_.StreamId)/$($_.StreamDirection)" } }
    function script:SegmentKeys([string[]] $Id) {
        foreach ($r in $Id) { Get-TestSessionTruth -CallRecordId $r | ForEach-Object { $s = $_; $s.segmentIds | ForEach-Object { "$r/$($s.id)/$_" } } }
    }
    function script:SessionKeys([string[]] $Id) {
        foreach ($r in $Id) { Get-TestSessionTruth -CallRecordId $r | ForEach-Object { "$r/$($_.id)" } }
    }
    $script:TruthStreams = @(StreamKeys $Ids)
    $script:TruthSegments = @(SegmentKeys $Ids)
    $script:TruthSessions = @(SessionKeys $Ids)
}

AfterAll {
    Disconnect-CallRecordGraph -ErrorAction SilentlyContinue
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
    Remove-Item -Recurse -Force $script:Work -ErrorAction SilentlyContinue
}

Describe 'Every pipeline shape gives exactly what Graph has' {
    BeforeEach { Clear-TestEmulatorRequest }

    It 'has data to tell the shapes apart (segments with several streams, calls with several sessions)' {
        $TruthStreams.Count | Should -BeGreaterThan $TruthSegments.Count
        $TruthSegments.Count | Should -BeGreaterThan $Ids.Count
    }

    It 'ids | Get-CallRecord | Get-CallRecordSession | Get-CallRecordStream' {
        $rows = $Ids | Get-CallRecord | Get-CallRecordSession | Get-CallRecordStream
        Assert-TestTruth -Expected $TruthStreams -Actual (RowKeys $rows) -What 'streams through sessions'
    }

    It 'ids | Get-CallRecord | Get-CallRecordSession | Get-CallRecordSegment | Get-CallRecordStream' {
        $rows = $Ids | Get-CallRecord | Get-CallRecordSession | Get-CallRecordSegment | Get-CallRecordStream
        Assert-TestTruth -Expected $TruthStreams -Actual (RowKeys $rows) -What 'streams through segments'
    }

    It 'a bare id string binds to every cmdlet that takes a call record id' {
        $id = $Ids[0]
        Assert-TestTruth -Expected @(StreamKeys $id) -Actual (RowKeys ($id | Get-CallRecordStream)) -What 'streams of a string'
        Assert-TestTruth -Expected @(SegmentKeys $id) -Actual @($id | Get-CallRecordSegment | ForEach-Object { "$($_.CallRecordId)/$($_.SessionId)/$($_.Id)" }) -What 'segments of a string'
        Assert-TestTruth -Expected @(SessionKeys $id) -Actual @($id | Get-CallRecordSession | ForEach-Object { "$($_.CallRecordId)/$($_.Id)" }) -What 'sessions of a string'
        Assert-TestTruth -Expected @((Get-TestParticipantTruth -CallRecordId $id).ids) -Actual @($id | Get-CallRecordParticipant | ForEach-Object { $_.Identity.Id }) -What 'participants of a string'
    }

    It 'Get-CallRecordSegment -CallRecordId alone gives every segment of the call' {
        $id = $Ids[1]
        $segments = Get-CallRecordSegment -CallRecordId $id
        Assert-TestTruth -Expected @(SegmentKeys $id) -Actual @($segments | ForEach-Object { "$($_.CallRecordId)/$($_.SessionId)/$($_.Id)" }) -What 'segments by parameter'
    }

    It 'Import-Csv of sessions | Get-CallRecordStream gives each session only its own streams' {
        $csv = Join-Path $Work 'sessions.csv'
        $Ids | Get-CallRecordSession | Export-Csv -Path $csv -NoTypeInformation
        $rows = Import-Csv $csv | Get-CallRecordStream
        Assert-TestTruth -Expected $TruthStreams -Actual (RowKeys $rows) -What 'streams of session rows'
    }

    It 'Import-Csv of segments | Get-CallRecordStream gives each segment only its own streams' {
        $csv = Join-Path $Work 'segments.csv'
        $Ids | Get-CallRecordSegment | Export-Csv -Path $csv -NoTypeInformation
        $rows = Import-Csv $csv | Get-CallRecordStream
        Assert-TestTruth -Expected $TruthStreams -Actual (RowKeys $rows) -What 'streams of segment rows'
    }

    It 'Import-Csv of streams | Get-CallRecordStream reads each segment once' {
        $csv = Join-Path $Work 'streams.csv'
        $Ids | Get-CallRecordStream | Export-Csv -Path $csv -NoTypeInformation
        $rows = Import-Csv $csv | Get-CallRecordStream
        Assert-TestTruth -Expected $TruthStreams -Actual (RowKeys $rows) -What 'streams of stream rows'
    }

    It 'Import-Csv of call records | Get-CallRecordSession gives every session' {
        $csv = Join-Path $Work 'records.csv'
        $Ids | Get-CallRecord | Export-Csv -Path $csv -NoTypeInformation
        $sessions = Import-Csv $csv | Get-CallRecordSession
        Assert-TestTruth -Expected $TruthSessions -Actual @($sessions | ForEach-Object { "$($_.CallRecordId)/$($_.Id)" }) -What 'sessions of record rows'
    }

    It 'segments | Get-CallRecordSession gives each session once' {
        $sessions = $Ids | Get-CallRecordSegment | Get-CallRecordSession
        Assert-TestTruth -Expected $TruthSessions -Actual @($sessions | ForEach-Object { "$($_.CallRecordId)/$($_.Id)" }) -What 'sessions of segments'
    }

    It 'sessions | Get-CallRecordParticipant gives each call''s participants once' {
        $expected = foreach ($r in $Ids[0..4]) { (Get-TestParticipantTruth -CallRecordId $r).ids | ForEach-Object { "$r/$_" } }
        $actual = $Ids[0..4] | Get-CallRecordSession | Get-CallRecordParticipant | ForEach-Object { "$($_.CallRecordId)/$($_.Identity.Id)" }
        Assert-TestTruth -Expected @($expected) -Actual @($actual) -What 'participants of sessions'
    }

    It 'by parameter: -CallRecordId with -SessionId and -SegmentId narrows to that level' {
        $id = $Ids[2]
        $session = (Get-TestSessionTruth -CallRecordId $id)[0]
        $segment = @($session.segmentIds)[0]
        $bySession = Get-CallRecordStream -CallRecordId $id -SessionId $session.id
        $bySegment = Get-CallRecordStream -CallRecordId $id -SessionId $session.id -SegmentId $segment
        $streams = Get-TestStreamTruth -CallRecordId $id
        Assert-TestTruth -Expected @($streams | Where-Object sessionId -EQ $session.id | ForEach-Object { "$($_.callRecordId)/$($_.sessionId)/$($_.segmentId)/$($_.streamId)/$($_.streamDirection)" }) -Actual (RowKeys $bySession) -What 'streams of one session'
        Assert-TestTruth -Expected @($streams | Where-Object { $_.sessionId -eq $session.id -and $_.segmentId -eq $segment } | ForEach-Object { "$($_.callRecordId)/$($_.sessionId)/$($_.segmentId)/$($_.streamId)/$($_.streamDirection)" }) -Actual (RowKeys $bySegment) -What 'streams of one segment'
    }

    It 'reads each call record once per stage, with the documented $expand' {
        $null = $Ids | Get-CallRecordSession | Get-CallRecordSegment | Get-CallRecordStream
        $reads = @(Get-TestEmulatorRequest -Route 'getCallRecord')
        # Get-CallRecordSession reads each record once; its sessions are written without segments, so
        # Get-CallRecordSegment reads each record once more; the segments carry their media, so streams cost nothing.
        $reads.Count | Should -Be (2 * $Ids.Count)
        @($reads.path | Sort-Object -Unique).Count | Should -Be $Ids.Count
        $reads | ForEach-Object { [Uri]::UnescapeDataString($_.path) | Should -Match '\?\$expand=sessions\(\$expand=segments\)$' }
        # Nothing else but the nested pages of the calls with more than a page of sessions.
        @(Get-TestEmulatorRequest | Where-Object route -NE 'getCallRecord' | Where-Object route -NE 'listSessions').Count | Should -Be 0
    }

    It 'Import-Csv rows of one call read that call once' {
        $csv = Join-Path $Work 'segments-one.csv'
        Get-CallRecordSegment -CallRecordId $Ids[3] | Export-Csv -Path $csv -NoTypeInformation
        Clear-TestEmulatorRequest
        $null = Import-Csv $csv | Get-CallRecordStream
        @(Get-TestEmulatorRequest | Where-Object { $_.path -match '/communications/callRecords/' }).Count | Should -Be 1
    }

    It 'an input that names nothing is an error for that input, and the others go on' {
        $rows = @($Ids[0], [pscustomobject]@{ Name = 'nothing' }, $Ids[1]) | Get-CallRecordStream -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad.Count | Should -Be 1
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'InputObjectNotRecognized*'
        Assert-TestTruth -Expected @(StreamKeys $Ids[0..1]) -Actual (RowKeys $rows) -What 'streams around a bad input'
    }

    It 'a session the call does not have is SessionNotFound, not an empty answer' {
        $null = Get-CallRecordStream -CallRecordId $Ids[0] -SessionId 'aaaaaaaa-0000-0000-0000-000000000000' -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad.Count | Should -Be 1
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'SessionNotFound*'
    }
}

Describe 'By-id input fans out' {
    BeforeEach { Clear-TestEmulatorRequest }

    It 'ids | Get-CallRecord -ExpandSession returns every record, in input order, one request each' {
        $records = $Ids | Get-CallRecord -ExpandSession
        $records.Id | Should -Be $Ids
        # One GET per record: sessions($expand=segments), and organizer_v2 inline (no request of its own).
        @(Get-TestEmulatorRequest -Route 'getCallRecord').Count | Should -Be $Ids.Count
        $keys = foreach ($r in $records) { foreach ($s in $r.Sessions) { "$($r.Id)/$($s.Id)" } }
        Assert-TestTruth -Expected $TruthSessions -Actual @($keys) -What 'sessions of expanded records'
    }

    It 'Get-CallRecord -Id a,b,c reads them concurrently' {
        Set-TestEmulatorHold -Route 'getCallRecord' -ReleaseAt 4 | Out-Null
        $records = Get-CallRecord -Id $Ids[0..7] -ThrottleLimit 4
        (Get-TestEmulatorHold).timedOut | Should -BeFalse
        Clear-TestEmulatorHold
        $records.Id | Should -Be $Ids[0..7]
    }

    It 'Get-CallRecord -Id <id> -ExpandParticipant marks the organizer' {
        $id = $Ids | Where-Object { (Get-TestParticipantTruth -CallRecordId $_).organizerId } | Select-Object -First 1
        $truth = Get-TestParticipantTruth -CallRecordId $id
        $record = Get-CallRecord -Id $id -ExpandParticipant
        @($record.Participants | Where-Object IsOrganizer).Identity.Id | Should -Be $truth.organizerId
        $record.OrganizerId | Should -Be $truth.organizerId
    }
}

Describe 'Objects remember their connection' {
    It 'Get-CallRecord -Connection $other | Get-CallRecordSession reads the other tenant, not the default' {
        $other = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '32', '--records', '20', '--now', $Now.ToString('o'))
        try {
            $c2 = Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken -Endpoint $other.Endpoint) -GraphEndpoint $other.Endpoint -PassThru -NoDefault
            $ids2 = @((Get-TestRecordTruth -From $Now.AddDays(-30) -Endpoint $other.Endpoint).ids | Select-Object -First 5)
            $sessions = Get-CallRecord -Connection $c2 -Id $ids2 | Get-CallRecordSession
            $expected = foreach ($r in $ids2) { Get-TestSessionTruth -CallRecordId $r -Endpoint $other.Endpoint | ForEach-Object { "$r/$($_.id)" } }
            Assert-TestTruth -Expected @($expected) -Actual @($sessions | ForEach-Object { "$($_.CallRecordId)/$($_.Id)" }) -What 'sessions of the other tenant'
            (Get-CallRecordConnection).GraphEndpoint.ToString().TrimEnd('/') | Should -Be $Endpoint.TrimEnd('/')
        }
        finally {
            if ($c2) { Disconnect-CallRecordGraph -Connection $c2 -ErrorAction SilentlyContinue }
            Stop-TestEmulator $other
        }
    }
}
