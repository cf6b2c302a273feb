#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Get-CallRecord stories in real pwsh, against the Graph emulator started as a separate process.
    Run through build.ps1 -Task Test, or: Invoke-Pester tests/Acceptance (after dotnet build -c Release).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Root = Get-TestRepositoryRoot
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow
    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '21', '--records', '400',
        '--now', $Now.ToString('o'))
    $script:Port = $Emulator.Port
    $script:Endpoint = $Emulator.Endpoint

    function script:Get-ListRequests { Get-TestEmulatorRequest -Route 'listCallRecords' }

    Import-Module $Manifest -Force
    Connect-TestEmulator
}

AfterAll {
    Disconnect-CallRecordGraph
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
}

Describe 'Get-CallRecord (list)' {
    BeforeEach { Clear-TestEmulatorRequest }

    It 'returns exactly the records that started in the window' {
        $from = $Now.AddDays(-10); $to = $Now.AddDays(-3)
        $truth = Get-TestRecordTruth -From $from -To $to
        $records = Get-CallRecord -StartDateTime $from -EndDateTime $to
        Assert-TestTruth -Expected $truth.ids -Actual $records.Id -What 'call records of the window'
        $records | ForEach-Object { $_ | Should -BeOfType ([CallRecords.Models.CallRecord]) }
    }

    It 'sends the date range as Graph''s $filter in UTC' {
        $from = [DateTimeOffset]::new(2026, 11, 1, 2, 0, 0, [TimeSpan]::FromHours(2))
        $null = Get-CallRecord -StartDateTime $from -EndDateTime $from.AddDays(1)
        $path = (Get-ListRequests | Select-Object -First 1).path
        [Uri]::UnescapeDataString($path) | Should -BeLike '*$filter=startDateTime ge 2026-11-01T00:00:00Z and startDateTime lt 2026-11-02T00:00:00Z*'
    }

    It 'escapes a quote in -ParticipantId' {
        $null = Get-CallRecord -ParticipantId "o'brien"
        [Uri]::UnescapeDataString((Get-ListRequests | Select-Object -First 1).path) | Should -BeLike "*participants_v2/any(p:p/id eq 'o''brien')*"
    }

    It 'merges several -ParticipantId queries in the order given, each record once' {
        # Two participants of one call, each with calls of their own: that call matches both queries.
        $pair = (Get-TestRecordTruth -Type groupCall).ids | ForEach-Object {
            $p = (Get-TestParticipantTruth $_).ids
            $a = @((Get-TestRecordTruth -ParticipantId $p[0]).ids); $b = @((Get-TestRecordTruth -ParticipantId $p[1]).ids)
            if (@($a | Where-Object { $_ -notin $b }).Count -and @($b | Where-Object { $_ -notin $a }).Count) { [pscustomobject]@{ A = $p[0]; B = $p[1]; OfA = $a; OfB = $b } }
        } | Select-Object -First 1
        $pair | Should -Not -BeNullOrEmpty -Because 'the data set has participants who share a call and have calls apart'
        $expected = @($pair.OfA) + @($pair.OfB | Where-Object { $_ -notin $pair.OfA })
        $records = Get-CallRecord -ParticipantId $pair.A, $pair.B
        Assert-TestTruth -Expected $expected -Actual $records.Id -What "call records of $($pair.A) then $($pair.B)"
        @(Get-ListRequests).Count | Should -Be 2
    }

    It 'keeps only the calls with the -Modality asked for' {
        $all = (Get-TestRecordTruth).ids
        $audio = (Get-TestRecordTruth -Modality audio).ids
        @($audio).Count | Should -BeLessThan @($all).Count -Because 'some calls have no audio'
        Assert-TestTruth -Expected $audio -Actual (Get-CallRecord -Modality audio -PageSize 500).Id -What 'calls with audio'
        Assert-TestTruth -Expected (Get-TestRecordTruth -Type peerToPeer).ids -Actual (Get-CallRecord -Type peerToPeer -PageSize 500).Id -What 'peer-to-peer calls'
    }

    It '-First 5 sends exactly one list request' {
        Assert-TestTruth -Expected ((Get-TestRecordTruth).ids | Select-Object -First 5) -Actual (Get-CallRecord -First 5).Id -What 'the first 5 call records'
        @(Get-ListRequests).Count | Should -Be 1
    }

    It 'a downstream Select-Object -First stops the stream early' {
        $records = Get-CallRecord -PageSize 10 | Select-Object -First 3
        Assert-TestTruth -Expected ((Get-TestRecordTruth).ids | Select-Object -First 3) -Actual $records.Id -What 'the first 3 call records'
        @(Get-ListRequests).Count | Should -BeLessOrEqual 2
    }

    It 'rejects EndDateTime not after StartDateTime before any request' {
        $t = $Now.AddDays(-1)
        { Get-CallRecord -StartDateTime $t -EndDateTime $t -ErrorAction Stop } |
            Should -Throw -ErrorId 'EndDateTimeNotAfterStartDateTime,CallRecords.Cmdlets.GetCallRecordCommand'
        # The emulator logs a request when it arrives: an empty log after the command is no request at all.
        @(Get-ListRequests).Count | Should -Be 0
        (Get-TestEmulatorCounter).requests.listCallRecords | Should -BeNullOrEmpty
    }

    It 'warns when StartDateTime is beyond the 30-day retention' {
        $records = Get-CallRecord -StartDateTime $Now.AddDays(-40) -First 1 -WarningVariable w -WarningAction SilentlyContinue
        @($w).Count | Should -Be 1
        "$($w[0])" | Should -BeLike '*more than 30 days ago; Graph keeps call records for 30 days*'
        Assert-TestTruth -Expected ((Get-TestRecordTruth).ids | Select-Object -First 1) -Actual $records.Id -What 'the oldest retained call record'
    }
}

Describe 'Get-CallRecord (by id)' {
    It 'takes ids and objects with CallRecordId from the pipeline' {
        $ids = (Get-CallRecord -First 3).Id
        (@($ids | Get-CallRecord).Id) | Should -Be $ids
        (@($ids | ForEach-Object { [pscustomobject]@{ CallRecordId = $_ } } | Get-CallRecord).Id) | Should -Be $ids
    }

    It 'reports an unknown id and continues with the others' {
        $ids = (Get-CallRecord -First 2).Id
        $found = Get-CallRecord -Id $ids[0], '00000000-0000-0000-0000-00000000dead', $ids[1] -ErrorVariable errs -ErrorAction SilentlyContinue
        @($found.Id) | Should -Be $ids
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'CallRecordNotFound,CallRecords.Cmdlets.GetCallRecordCommand'
        "$($errs[0])" | Should -Match 'request-id'
    }

    It 'expands every session of a large group call, with every segment' {
        # A call with more than one page of sessions (Graph expands 60 and links the rest).
        $big = (Get-TestRecordTruth -Type groupCall).ids | Where-Object { @(Get-TestSessionTruth $_).Count -gt 60 } | Select-Object -First 1
        $big | Should -Not -BeNullOrEmpty -Because 'the data set has calls with more than 60 sessions'
        $truth = Get-TestSessionTruth $big
        $record = Get-CallRecord -Id $big -ExpandSession
        Assert-TestTruth -Expected $truth.id -Actual $record.Sessions.Id -What "sessions of $big"
        Assert-TestTruth -Expected $truth.segmentIds -Actual $record.Sessions.Segments.Id -What "segments of $big"
    }
}

Describe 'Export-Csv' {
    It 'round-trips without a .NET type name in any cell and with multi-valued fields as text' {
        $csv = Join-Path ([IO.Path]::GetTempPath()) "callrecords-$Port.csv"
        try {
            $ids = (Get-CallRecord -First 5).Id
            $ids | Get-CallRecord -ExpandParticipant | Export-Csv -Path $csv -NoTypeInformation
            $rows = Import-Csv -Path $csv
            $rows.Count | Should -Be 5
            foreach ($row in $rows) {
                foreach ($p in $row.PSObject.Properties) {
                    $p.Value | Should -Not -Match '^System\.|^CallRecords\.' -Because "column $($p.Name)"
                }
            }
            $rows[0].Modalities | Should -Match '^[a-zA-Z]+(;[a-zA-Z]+)*$'
            Assert-TestTruth -Expected $ids -Actual $rows.Id -What 'call records exported'
            foreach ($row in $rows) { $row.OrganizerId | Should -Be (Get-TestParticipantTruth $row.Id).organizerId }
        }
        finally { Remove-Item $csv -ErrorAction SilentlyContinue }
    }
}

Describe 'Connections' {
    It 'Get-CallRecordConnection never shows the token' {
        $token = Get-TestEmulatorToken
        $plain = [System.Net.NetworkCredential]::new('', $token).Password
        $c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $Endpoint -PassThru
        (Get-CallRecordConnection | Out-String) | Should -Not -Match ([regex]::Escape($plain))
        ($c | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($plain))
        $c.AuthKind | Should -Be 'AccessToken'
    }

    It 'refuses a delegated token with the application permission explained' {
        { Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken -Delegated) -GraphEndpoint $Endpoint -ErrorAction Stop } |
            Should -Throw -ErrorId 'AccessTokenHasNoApplicationRoles,CallRecords.Cmdlets.ConnectCallRecordGraphCommand'
    }

    It 'says to connect when not connected' {
        Disconnect-CallRecordGraph
        try {
            { Get-CallRecord -First 1 -ErrorAction Stop } | Should -Throw -ErrorId 'NotConnected,CallRecords.Cmdlets.GetCallRecordCommand'
        }
        finally { Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken) -GraphEndpoint $Endpoint }
    }
}
