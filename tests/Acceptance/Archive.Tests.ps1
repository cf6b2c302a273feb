#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue #23 stories in real pwsh: Sync-CallRecord keeps a SQLite archive complete and current (version-aware, only
    new or re-issued records expanded), Open-CallRecordArchive reads it back through the same cmdlets past Graph's 30
    days, the log functions are archived once per row, one writer at a time, and a sync under faults and SIGKILLs ends
    with the same archive as a clean one. Against the Graph emulator started as a separate process.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "callrecords-archive-$PID-$([Guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $Work

    $freePort = Get-TestFreePort
    $script:Emulator = Start-TestEmulator -Port $freePort -LogPath (Join-Path ([IO.Path]::GetTempPath()) "emulator-archive-$freePort") -ArgumentList @(
        '--accept-any-token', '--throttle', 'off', '--seed', '23', '--records', '1500', '--log-rows', '3000', '--log-days', '120',
        '--now', $Now.ToString('o'))
    $script:Endpoint = $Emulator.Endpoint

    function script:Invoke-Control([string] $Method, [string] $Path, [hashtable] $Body) {
        $json = if ($Body) { $Body | ConvertTo-Json } else { $null }
        Invoke-RestMethod -Method $Method "$Endpoint/_emulator/$Path" -Body $json -ContentType 'application/json'
    }
    # Graph's own answer for one record, read without the module.
    function script:Get-RawRecord([string] $Id) {
        $headers = @{ Authorization = 'Bearer ' + [System.Net.NetworkCredential]::new('', (Get-TestEmulatorToken)).Password }
        Invoke-RestMethod "$Endpoint/v1.0/communications/callRecords/$Id" -Headers $headers
    }
    # The ids of the call records the module expanded (GET …/{id}?$expand=sessions…), from the request log.
    function script:Get-ExpandedIds {
        @(Get-TestEmulatorRequest -Route 'getCallRecord' | Where-Object { $_.status -eq 200 -and $_.path -match 'expand=sessions' } | ForEach-Object recordId)
    }
    # Ground truth of the log rows with a time in [From, To).
    function script:Get-LogTruth([string] $Table, [DateTimeOffset] $From, [DateTimeOffset] $To) {
        $f = [Uri]::EscapeDataString($From.UtcDateTime.ToString('o')); $t = [Uri]::EscapeDataString($To.UtcDateTime.ToString('o'))
        Invoke-RestMethod "$Endpoint/_emulator/truth/logs/$($Table)?from=$f&to=$t"
    }

    Import-Module $Manifest -Force
    Connect-TestEmulator -Parameters @{ MaxRetry = 8; RetryDelay = 0.02 }
    $script:Db = Join-Path $Work 'callrecords.db'
}

AfterAll {
    Disconnect-CallRecordGraph -ErrorAction SilentlyContinue
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
    Remove-Item -Recurse -Force $script:Work -ErrorAction SilentlyContinue
}

Describe 'Sync-CallRecord and Open-CallRecordArchive' {
    BeforeAll {
        $script:Initial = Get-TestRecordTruth
        $script:Initial.count | Should -Be 1500
    }
    AfterAll { $null = Invoke-Control Put 'clock' @{ now = $Now.ToString('o') } }

    It 'archives exactly the 1,500 retained records on the first sync, each expanded once, and says so in its summary' {
        Clear-TestEmulatorRequest
        $result = Sync-CallRecord -Path $Db
        $result.Listed | Should -Be 1500
        $result.Added | Should -Be 1500
        $result.Updated | Should -Be 0
        $result.Unchanged | Should -Be 0
        $result.Expanded | Should -Be 1500
        $result.Completed | Should -BeTrue
        $result | Should -BeOfType ([CallRecords.Models.CallRecordSyncResult])
        # Every request the module sent is in the emulator's log, and the summary counted each one.
        $log = @(Get-TestEmulatorRequest)
        $result.Requests | Should -Be $log.Count
        Assert-TestTruth -Expected $Initial.ids -Actual (Get-ExpandedIds) -What 'records expanded by the first sync' -Unordered
        # A list page costs one request for up to 999 records.
        @($log | Where-Object route -EQ 'listCallRecords').Count | Should -Be 2

        $script:Archive = Open-CallRecordArchive -Path $Db -NoDefault
        $Archive | Should -BeOfType ([CallRecords.Connection.CallRecordConnection])
        $Archive.ArchivePath | Should -Be (Resolve-Path $Db).Path
        Clear-TestEmulatorRequest
        $archived = @(Get-CallRecord -Connection $Archive)
        Assert-TestTruth -Expected $Initial.ids -Actual $archived.Id -What 'call records read back from the archive'
        $archived[0] | Should -BeOfType ([CallRecords.Models.CallRecord])
        @(Get-TestEmulatorRequest).Count | Should -Be 0 -Because 'the archive answers without Graph'
        $info = Get-CallRecordArchive -Path $Db
        $info.IntegrityCheck | Should -Be 'ok'
        $info.ForeignKeyViolations | Should -Be 0
        $info.CallRecords | Should -Be 1500
        $info.SchemaVersion | Should -Be 1
    }

    It 'returns the poor streams of every archived record exactly as Graph designed them (Get-CallRecordStream -PoorOnly)' {
        $expected = foreach ($id in $Initial.ids) { Get-TestStreamTruth -CallRecordId $id -PoorOnly | ForEach-Object { "$($_.callRecordId)/$($_.sessionId)/$($_.segmentId)/$($_.streamId)/$($_.streamDirection)" } }
        $actual = Get-CallRecord -Connection $Archive | Get-CallRecordStream -Connection $Archive -PoorOnly |
            ForEach-Object { "$($_.CallRecordId)/$($_.SessionId)/$($_.SegmentId)/$($_.StreamId)/$($_.StreamDirection)" }
        @($expected).Count | Should -BeGreaterThan 0
        Assert-TestTruth -Expected $expected -Actual $actual -What 'poor streams from the archive'
        (Get-CallRecordArchive -Path $Db).PoorStreams | Should -Be @($expected).Count -Because 'the stored stream rows carry the same classification'
    }

    It 'reads sessions, segments, participants and organizers back as Graph has them' {
        $sample = for ($i = 0; $i -lt $Initial.ids.Count; $i += 25) { $Initial.ids[$i] }
        foreach ($id in $sample) {
            $truth = Get-TestSessionTruth -CallRecordId $id
            $record = Get-CallRecord -Connection $Archive -Id $id -ExpandSession -ExpandParticipant
            Assert-TestTruth -Expected $truth.id -Actual $record.Sessions.Id -What "sessions of $id"
            Assert-TestTruth -Expected ($truth | ForEach-Object { $_.segmentIds }) -Actual ($record.Sessions | ForEach-Object { $_.Segments.Id }) -What "segments of $id"
            $people = Get-TestParticipantTruth -CallRecordId $id
            Assert-TestTruth -Expected $people.ids -Actual $record.Participants.Id -What "participants of $id"
            Assert-TestTruth -Expected @($people.organizerId) -Actual @((Get-CallRecordParticipant -Connection $Archive -CallRecordId $id -Organizer).Id) -What "organizer of $id"
            Assert-TestTruth -Expected $truth.id -Actual (Get-CallRecordSession -Connection $Archive -CallRecordId $id).Id -What "Get-CallRecordSession of $id"
        }
    }

    It 'after 50 re-issued records and 20 late arrivals adds 20, updates 50, leaves the other 1,450 and expands only those 70' {
        $reissued = @((Invoke-Control Post 'reissue' @{ count = 50; seed = 5 }).ids)
        $late = @((Invoke-Control Post 'late-arrivals' @{ count = 20 }).ids)
        $reissued.Count | Should -Be 50
        $late.Count | Should -Be 20
        $script:AfterChanges = Get-TestRecordTruth
        $AfterChanges.count | Should -Be 1520
        Clear-TestEmulatorRequest
        $result = Sync-CallRecord -Path $Db
        $result.Listed | Should -Be 1520
        $result.Added | Should -Be 20
        $result.Updated | Should -Be 50
        $result.Unchanged | Should -Be 1450
        $result.Expanded | Should -Be 70
        Assert-TestTruth -Expected ($reissued + $late) -Actual (Get-ExpandedIds) -What 'records expanded by the second sync' -Unordered
        @(Get-TestEmulatorRequest).Count | Should -Be $result.Requests

        Assert-TestTruth -Expected $AfterChanges.ids -Actual (Get-CallRecord -Connection $Archive).Id -What 'archive after the second sync'
        foreach ($id in $reissued + $late) {
            $record = Get-CallRecord -Connection $Archive -Id $id -ExpandSession
            $record.Version | Should -Be (Get-RawRecord $id).version -Because "the archive holds the version Graph has for $id"
            $truth = Get-TestSessionTruth -CallRecordId $id
            Assert-TestTruth -Expected ($truth | ForEach-Object { $_.segmentIds }) -Actual ($record.Sessions | ForEach-Object { $_.Segments.Id }) -What "segments of $id (the re-issue added one)"
        }
    }

    It 'sends list requests only on a third sync and expands nothing' {
        Clear-TestEmulatorRequest
        $result = Sync-CallRecord -Path $Db -Verbose 4>&1 | Tee-Object -Variable streams | Where-Object { $_ -is [CallRecords.Models.CallRecordSyncResult] }
        # -Verbose says what it sends: one line per request, each naming its URL.
        $sent = @($streams | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like "GET $Endpoint/v1.0/communications/callRecords*" })
        $sent.Count | Should -Be 2
        $result.Expanded | Should -Be 0
        $result.Added + $result.Updated | Should -Be 0
        $result.Unchanged | Should -Be 1520
        $log = @(Get-TestEmulatorRequest)
        $log.Count | Should -Be 2
        @($log | Where-Object route -NE 'listCallRecords') | Should -BeNullOrEmpty
    }

    It 'still returns the oldest records after the clock moves 20 days, when Graph has lost them' {
        $later = $Now.AddDays(20)
        $null = Invoke-Control Put 'clock' @{ now = $later.ToString('o') }
        $retained = Get-TestRecordTruth
        $aged = @($AfterChanges.ids | Where-Object { $_ -notin $retained.ids })
        $retained.count | Should -BeGreaterThan 0
        $aged.Count | Should -BeGreaterThan 0 -Because 'records older than 30 days by the new clock left Graph'

        Assert-TestTruth -Expected $retained.ids -Actual (Get-CallRecord).Id -What 'what Graph returns after the clock moved'
        Assert-TestTruth -Expected $AfterChanges.ids -Actual (Get-CallRecord -Connection $Archive).Id -What 'what the archive returns after the clock moved'
        # The aged-out records by time range, with no warning about Graph's 30 days (the archive keeps them).
        $cut = $later.AddDays(-30)
        $old = @(Get-CallRecord -Connection $Archive -StartDateTime $Now.AddDays(-31) -EndDateTime $cut -WarningVariable warned)
        Assert-TestTruth -Expected (Get-TestRecordTruth -From $Now.AddDays(-31) -To $cut).ids -Actual @() -What 'Graph after the move, same range'
        Assert-TestTruth -Expected ($AfterChanges.ids | Where-Object { $_ -in $aged }) -Actual $old.Id -What 'aged-out records read from the archive by range'
        $warned | Should -BeNullOrEmpty

        Clear-TestEmulatorRequest
        $result = Sync-CallRecord -Path $Db
        $result.Listed | Should -Be $retained.count
        $result.Unchanged | Should -Be $retained.count
        (Get-CallRecordArchive -Path $Db).CallRecords | Should -Be 1520 -Because 'a sync never removes what Graph no longer keeps'
        $null = Invoke-Control Put 'clock' @{ now = $Now.ToString('o') }
    }

    It 'archives getPstnCalls and getDirectRoutingCalls with -Include, each row once, and reads them back with the log cmdlets' {
        $from = $Now.AddDays(-150)
        $to = [DateTimeOffset]::UtcNow.AddMinutes(1)
        $pstn = Get-LogTruth 'pstnCalls' $from $to
        $direct = Get-LogTruth 'directRoutingCalls' $from $to
        $pstn.count | Should -BeGreaterThan 1000 -Because 'several pages per window'
        Clear-TestEmulatorRequest
        $result = Sync-CallRecord -Path $Db -Include Pstn, DirectRouting -LogStartDateTime $from
        $result.PstnCallsAdded | Should -Be $pstn.count
        $result.DirectRoutingCallsAdded | Should -Be $direct.count
        @(Get-TestEmulatorRequest -Route 'getPstnCalls').Count | Should -BeGreaterThan 2 -Because 'two 90-day windows and their pages'

        Assert-TestTruth -Expected $pstn.ids -Actual (Get-CallRecordPstnCall -Connection $Archive -StartDateTime $from -EndDateTime $to).Id -What 'PSTN calls from the archive' -Unordered
        Assert-TestTruth -Expected $direct.ids -Actual (Get-CallRecordDirectRoutingCall -Connection $Archive -StartDateTime $from -EndDateTime $to).Id -What 'direct routing calls from the archive' -Unordered

        # A later run starts shortly before the newest archived row and adds nothing twice.
        Clear-TestEmulatorRequest
        $again = Sync-CallRecord -Path $Db -Include Pstn, DirectRouting
        $again.PstnCallsAdded | Should -Be 0
        $again.DirectRoutingCallsAdded | Should -Be 0
        @(Get-TestEmulatorRequest -Route 'getPstnCalls').Count | Should -Be 1 -Because 'only the last two days are asked for again'
        $info = Get-CallRecordArchive -Path $Db
        $info.PstnCalls | Should -Be $pstn.count
        $info.DirectRoutingCalls | Should -Be $direct.count
    }

    It 'lets one sync write at a time: a second one waits, then names the process that holds the file; reading goes on' {
        $child = Join-Path $Work 'hold-sync.ps1'
        Set-Content -Path $child -Value @'
param($Manifest, $Endpoint, $Db)
Import-Module $Manifest
Connect-CallRecordGraph -AccessToken (ConvertTo-SecureString $env:CALLRECORDS_TEST_TOKEN -AsPlainText -Force) -GraphEndpoint $Endpoint
Sync-CallRecord -Path $Db | Out-Null
'@
        $null = Set-TestEmulatorHold -Route 'listCallRecords' -TimeoutSeconds 60
        $token = [System.Net.NetworkCredential]::new('', (Get-TestEmulatorToken)).Password
        $process = Start-TestPwsh -ArgumentList @('-File', $child, $Manifest, $Endpoint, $Db) -LogPath (Join-Path $Work 'hold') -Environment @{ CALLRECORDS_TEST_TOKEN = $token }
        try {
            $wait = Invoke-RestMethod "$Endpoint/_emulator/hold/wait?held=1&timeoutSeconds=60"
            $wait.met | Should -BeTrue -Because $wait.description
            { Sync-CallRecord -Path $Db -WaitTimeout 1 -ErrorAction Stop } | Should -Throw -ErrorId 'ArchiveBusy,CallRecords.Cmdlets.SyncCallRecordCommand'
            $Error[0].ErrorDetails.Message | Should -Match "process $($process.Id) "
            # WAL: the archive stays readable while the other sync holds it.
            @(Get-CallRecord -Connection $Archive).Count | Should -Be 1520
        }
        finally {
            Clear-TestEmulatorHold
            $process.WaitForExit(120000) | Should -BeTrue
        }
        $process.ExitCode | Should -Be 0 -Because (Get-Content -Raw (Join-Path $Work 'hold.err') -ErrorAction SilentlyContinue)
        # The slot is free again once the holder is done.
        (Sync-CallRecord -Path $Db -WaitTimeout 0).Completed | Should -BeTrue
    }

    It 'refuses what it cannot do with a plain error' {
        { Open-CallRecordArchive -Path (Join-Path $Work 'missing.db') -ErrorAction Stop } | Should -Throw -ErrorId 'ArchiveNotFound,CallRecords.Cmdlets.OpenCallRecordArchiveCommand'
        { Sync-CallRecord -Path (Join-Path $Work 'x.db') -Connection $Archive -ErrorAction Stop } | Should -Throw -ErrorId 'SyncSourceIsArchive,CallRecords.Cmdlets.SyncCallRecordCommand'
        { Sync-CallRecord -Path (Join-Path $Work 'no/such/folder/x.db') -ErrorAction Stop } | Should -Throw -ErrorId 'ArchiveFolderNotFound,CallRecords.Cmdlets.SyncCallRecordCommand'
        $notArchive = Join-Path $Work 'not-an-archive.db'
        Set-Content -Path $notArchive -Value 'hello'
        { Open-CallRecordArchive -Path $notArchive -ErrorAction Stop } | Should -Throw -ErrorId 'ArchiveUnreadable,CallRecords.Cmdlets.OpenCallRecordArchiveCommand'
        { Get-CallRecord -Connection $Archive -Filter "type eq 'groupCall'" -ErrorAction Stop } | Should -Throw
        $Error[0].ErrorDetails.Message | Should -Match 'The archive cannot answer the filter clause'
        { Get-CallRecordSmsLog -Connection $Archive -ErrorAction Stop } | Should -Throw
        $Error[0].ErrorDetails.Message | Should -Match 'getSmsLog is answered by Graph only'
    }
}

Describe 'The archive examples: a scheduled sync, and daily CSV files that follow re-issued records' {
    BeforeAll {
        $root = Get-TestRepositoryRoot
        $script:SyncScript = Join-Path $root 'examples/Sync-CallRecordArchive.ps1'
        $script:ExportScript = Join-Path $root 'examples/Export-DailyCallRecordsFromArchive.ps1'
        $script:ExampleDb = Join-Path $Work 'example.db'
        $script:Csv = Join-Path $Work 'csv'
        $script:Today = $Now.UtcDateTime.Date
    }

    It 'syncs from a scheduled script, logs one JSON line, and rewrites only the days whose records Graph re-issued' {
        $log = Join-Path $Work 'sync.log'
        $global:LASTEXITCODE = $null
        $result = & $SyncScript -ArchivePath $ExampleDb -AccessToken (Get-TestEmulatorToken) -GraphEndpoint $Endpoint -LogPath $log -ModulePath $Manifest
        $LASTEXITCODE | Should -Be 0
        $retained = Get-TestRecordTruth
        $result.Added | Should -Be $retained.count
        (Get-Content $log | ConvertFrom-Json).added | Should -Be $retained.count

        $first = @(& $ExportScript -ArchivePath $ExampleDb -OutputDirectory $Csv -Until $Today -ModulePath $Manifest)
        $LASTEXITCODE | Should -Be 0
        $first.Count | Should -Be 30
        @($first | Where-Object Changed).Count | Should -Be 30 -Because 'every file is new'
        $exported = foreach ($f in $first) { Import-Csv $f.Path | ForEach-Object Id }
        # The files sort calls that started at the same moment by id; Graph lists them in its own order.
        Assert-TestTruth -Expected (Get-TestRecordTruth -To ([DateTimeOffset]::new($Today, [TimeSpan]::Zero))).ids -Actual $exported -What 'records in the daily files' -Unordered

        $reissued = @((Invoke-Control Post 'reissue' @{ count = 5; seed = 77 }).ids)
        $null = & $SyncScript -ArchivePath $ExampleDb -AccessToken (Get-TestEmulatorToken) -GraphEndpoint $Endpoint -ModulePath $Manifest
        $LASTEXITCODE | Should -Be 0
        $second = @(& $ExportScript -ArchivePath $ExampleDb -OutputDirectory $Csv -Until $Today -ModulePath $Manifest)
        $LASTEXITCODE | Should -Be 0
        $days = @($reissued | ForEach-Object { ([DateTimeOffset](Get-RawRecord $_).startDateTime).UtcDateTime.Date.ToString('yyyy-MM-dd') } | Sort-Object -Unique)
        $changed = @($second | Where-Object Changed | ForEach-Object Day)
        Assert-TestTruth -Expected $days -Actual ($changed | Sort-Object) -What 'days rewritten after the re-issue'
        foreach ($id in $reissued) {
            $raw = Get-RawRecord $id
            $day = ([DateTimeOffset]$raw.startDateTime).UtcDateTime.Date.ToString('yyyy-MM-dd')
            $row = Import-Csv (Join-Path $Csv "callrecords-$day.csv") | Where-Object Id -EQ $id
            $row.Version | Should -Be ([string]$raw.version) -Because "the file of $day holds the re-issued version of $id"
        }
    }

    It 'ends a scheduled sync that cannot reach Graph with exit code 1 and the error' {
        $global:LASTEXITCODE = $null
        $out = & $SyncScript -ArchivePath $ExampleDb -AccessToken (Get-TestEmulatorToken) -GraphEndpoint "http://127.0.0.1:$(Get-TestFreePort)" -ModulePath $Manifest 2>&1
        $LASTEXITCODE | Should -Be 1
        @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
    }
}

Describe 'A sync under 10 % faults, killed twice with SIGKILL and run again, leaves the archive a clean sync leaves' {
    BeforeAll {
        $null = Invoke-Control Post 'reset' @{ seed = 41; records = 600 }
        $script:Truth = Get-TestRecordTruth
        $script:Clean = Join-Path $Work 'clean.db'
        $script:Faulted = Join-Path $Work 'faulted.db'
        $script:Child = Join-Path $Work 'kill-sync.ps1'
        Set-Content -Path $Child -Value @'
param($Manifest, $Endpoint, $Db)
Import-Module $Manifest
Connect-CallRecordGraph -AccessToken (ConvertTo-SecureString $env:CALLRECORDS_TEST_TOKEN -AsPlainText -Force) -GraphEndpoint $Endpoint -MaxRetry 8 -RetryDelay 0.02
Sync-CallRecord -Path $Db -BatchSize 25 | Out-Null
'@
        # Starts a child sync, waits until it is stuck on a held expansion past the first $PassFirst, and SIGKILLs it.
        function script:Invoke-KilledSync([int] $PassFirst, [string] $Name) {
            $null = Set-TestEmulatorHold -Route 'getCallRecord' -PassFirst $PassFirst -TimeoutSeconds 120
            $token = [System.Net.NetworkCredential]::new('', (Get-TestEmulatorToken)).Password
            $process = Start-TestPwsh -ArgumentList @('-File', $Child, $Manifest, $Endpoint, $Faulted) -LogPath (Join-Path $Work $Name) -Environment @{ CALLRECORDS_TEST_TOKEN = $token }
            try {
                $wait = Invoke-RestMethod "$Endpoint/_emulator/hold/wait?held=1&timeoutSeconds=120"
                $wait.met | Should -BeTrue -Because "$($wait.description) $(Get-Content -Raw (Join-Path $Work "$Name.err") -ErrorAction SilentlyContinue)"
                # Process.Kill is SIGKILL on Linux and macOS: no finally block, no flush, no lock released by the process.
                $process.Kill()
                $process.WaitForExit(30000) | Should -BeTrue
            }
            finally {
                # Whatever failed above, the child never outlives the test.
                if (-not $process.HasExited) { $process.Kill(); $null = $process.WaitForExit(30000) }
                Clear-TestEmulatorHold
            }
            $process.ExitCode | Should -Be 137 -Because 'the child was killed by SIGKILL (128 + 9)'
        }
    }
    AfterAll { Set-TestEmulatorFault @{ rate = 0; kinds = @(); at = @{} } }

    It 'ends with the same content, and exactly the ground truth' {
        $Truth.count | Should -Be 600
        $cleanRun = Sync-CallRecord -Path $Clean
        $cleanRun.Added | Should -Be 600

        Clear-TestEmulatorRequest
        $kinds = @('TooManyRequests', 'ServiceUnavailable', 'GatewayTimeout', 'ConnectionReset', 'TruncatedBody', 'SlowBody')
        Set-TestEmulatorFault @{ rate = 0.1; seed = 23; retryAfterSeconds = 0; slowBodyChunkDelayMs = 5; kinds = $kinds }

        Invoke-KilledSync -PassFirst 300 -Name 'kill1'
        $first = Get-CallRecordArchive -Path $Faulted
        $first.IntegrityCheck | Should -Be 'ok'
        $first.ForeignKeyViolations | Should -Be 0
        $first.CallRecords | Should -BeGreaterThan 0 -Because 'batches committed before the kill stay'
        $first.CallRecords | Should -BeLessThan 600 -Because 'the kill came before the end'

        Invoke-KilledSync -PassFirst 300 -Name 'kill2'
        $second = Get-CallRecordArchive -Path $Faulted
        $second.IntegrityCheck | Should -Be 'ok'
        $second.ForeignKeyViolations | Should -Be 0
        $second.CallRecords | Should -BeGreaterThan $first.CallRecords -Because 'the second run went on from the first one''s batches'
        $second.CallRecords | Should -BeLessThan 600

        $final = Sync-CallRecord -Path $Faulted -BatchSize 25
        $final.Completed | Should -BeTrue
        $final.Added | Should -Be (600 - $second.CallRecords)
        $final.Unchanged | Should -Be $second.CallRecords
        Set-TestEmulatorFault @{ rate = 0; kinds = @(); at = @{} }
        $injected = @(Get-TestEmulatorRequest | Where-Object fault)
        $injected.Count | Should -BeGreaterThan 50 -Because 'about one request in ten was faulted'
        foreach ($kind in $kinds) { @($injected | Where-Object fault -EQ $kind).Count | Should -BeGreaterThan 0 -Because "a $kind fault must have been injected" }

        $a = Get-CallRecordArchive -Path $Faulted
        $b = Get-CallRecordArchive -Path $Clean
        $a.ContentHash | Should -Be $b.ContentHash
        foreach ($p in 'CallRecords', 'Sessions', 'Segments', 'Streams', 'PoorStreams', 'Participants') { $a.$p | Should -Be $b.$p -Because $p }
        $archive = Open-CallRecordArchive -Path $Faulted -NoDefault
        Assert-TestTruth -Expected $Truth.ids -Actual (Get-CallRecord -Connection $archive).Id -What 'records of the archive made through faults and kills'
    }
}
