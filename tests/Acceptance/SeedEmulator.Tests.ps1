#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Seeding the Graph emulator with the write cmdlets, as a user's own Pester test would: create a call with a poor
    audio stream, read it back, change and remove sessions, and see the refusals Graph gives.
    Run through build.ps1 -Task Test, or: Invoke-Pester tests/Acceptance (after dotnet build -c Release).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest

    # A small generated data set: the tests care only about what they seed themselves.
    $script:Emulator = Start-TestEmulator -ArgumentList @('--throttle', 'off', '--seed', '5', '--records', '5')
    $script:Port = $Emulator.Port
    $script:Endpoint = $Emulator.Endpoint

    function script:Get-WriteRequests {
        Get-TestEmulatorRequest -Route 'createCallRecord', 'createSession', 'updateSession', 'deleteSession', 'createSegment'
    }
    function script:Clear-Requests { Clear-TestEmulatorRequest -KeepCounters }
    function script:Set-ReadOnly([bool] $On) {
        Invoke-RestMethod -Method Put "$Endpoint/_emulator/readonly" -Body (@{ readOnly = $On } | ConvertTo-Json) -ContentType 'application/json' | Out-Null
    }

    Import-Module $Manifest -Force
    Connect-TestEmulator

    # The seed every test below starts from: a peer-to-peer audio call with one segment whose outgoing stream is
    # poor by the Call Quality Dashboard's jitter threshold (> 30 ms) and whose incoming stream is good.
    $script:Start = [DateTimeOffset]::UtcNow.AddHours(-1)
    $script:Record = New-CallRecord -Type peerToPeer -Modalities audio -StartDateTime $Start -EndDateTime $Start.AddMinutes(5) `
        -Organizer 'user-a' -Participants 'user-a', 'user-b'
    $script:Session = Add-CallRecordSession -CallRecordId $Record.Id -Caller 'user-a' -Callee 'user-b' -Modalities audio `
        -StartDateTime $Start -EndDateTime $Start.AddMinutes(5) -PassThru
    $script:Segment = $Session | Add-CallRecordSegment -StartDateTime $Start -EndDateTime $Start.AddMinutes(5) -PassThru -Media @{
        label   = 'main-audio'
        streams = @(
            @{ streamId = '1'; streamDirection = 'callerToCallee'; averageJitter = [timespan]::FromMilliseconds(45); averagePacketLossRate = 0.01 }
            @{ streamId = '2'; streamDirection = 'calleeToCaller'; averageJitter = [timespan]::FromMilliseconds(12); averagePacketLossRate = 0.0 }
        )
    }
}

AfterAll {
    Set-ReadOnly $false
    Disconnect-CallRecordGraph
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
}

Describe 'Seeding a call' {
    It 'returns the created record, session and segment' {
        $Record | Should -BeOfType ([CallRecords.Models.CallRecord])
        $Record.Type | Should -Be 'peerToPeer'
        $Session.CallRecordId | Should -Be $Record.Id
        $Segment.SessionId | Should -Be $Session.Id
    }

    It 'reads back through Get-CallRecord with its streams intact' {
        $read = Get-CallRecord -Id $Record.Id -ExpandSession
        $read.OrganizerId | Should -Be 'user-a'
        $read.Sessions.Id | Should -Be $Session.Id
        $streams = $read.Sessions[0].Segments[0].Media[0].Streams
        $streams.AverageJitter | Should -Be @([timespan]::FromMilliseconds(45), [timespan]::FromMilliseconds(12))
        @($streams | Where-Object { $_.AverageJitter -gt [timespan]::FromMilliseconds(30) }).Count | Should -Be 1
    }

    It 'gives Get-CallRecordStream rows latency metrics as milliseconds that survive Export-Csv as numbers' {
        $rows = @(Get-CallRecordStream -CallRecordId $Record.Id)
        $rows.Count | Should -Be 2
        $rows.AverageJitterMs | Should -Be @(45, 12)
        $rows[0].AverageJitterMs | Should -BeOfType ([double])
        $rows[0].DurationSeconds | Should -Be 300
        $csv = Join-Path ([IO.Path]::GetTempPath()) "streams-$PID-$([guid]::NewGuid()).csv"
        try {
            $rows | Export-Csv -Path $csv -NoTypeInformation
            $back = @(Import-Csv $csv)
            $columns = $back[0].PSObject.Properties.Name
            @($columns | Where-Object { $_ -like '*Ms' }).Count | Should -BeGreaterOrEqual 6
            $columns | Should -Contain 'AverageJitterMs'
            $columns | Should -Contain 'MaxRoundTripTimeMs'
            $columns | Should -Not -Contain 'AverageJitter'
            # no cell of the file is a TimeSpan's text (00:00:00.0450000)
            Get-Content $csv | Select-String -Pattern '\d\d:\d\d:\d\d\.\d{7}' | Should -BeNullOrEmpty
            # "jitter > 30 ms" as a spreadsheet would filter it: a number compare on the imported text
            $poor = @($back | Where-Object { $_.AverageJitterMs -and [double]$_.AverageJitterMs -gt 30 })
            $poor.Count | Should -Be 1
            $poor[0].StreamId | Should -Be '1'
            $poor[0].PoorReasons | Should -Match 'AverageJitter'
        }
        finally { Remove-Item $csv -ErrorAction SilentlyContinue }
    }

    It 'changes only the properties given' {
        $changed = Set-CallRecordSession -CallRecordId $Record.Id -Id $Session.Id -EndDateTime $Start.AddMinutes(2) -PassThru
        $changed.EndDateTime | Should -Be $Start.AddMinutes(2)
        $changed.Caller.Identity.Id | Should -Be 'user-a'
        $changed.Modalities | Should -Be @('audio')
    }
}

Describe 'Removing sessions' {
    It 'removes piped sessions without asking when -Confirm:$false' {
        1..2 | ForEach-Object { Add-CallRecordSession -CallRecordId $Record.Id -Modalities audio -StartDateTime $Start -EndDateTime $Start.AddMinutes($_) }
        Get-CallRecord -Id $Record.Id -ExpandSession | ForEach-Object Sessions | Remove-CallRecordSession -Confirm:$false
        (Get-CallRecord -Id $Record.Id -ExpandSession).Sessions.Count | Should -Be 0
    }

    It 'reports a session that is gone as a non-terminating error' {
        Remove-CallRecordSession -CallRecordId $Record.Id -Id $Session.Id -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'CallRecordSessionNotFound,CallRecords.Cmdlets.RemoveCallRecordSessionCommand'
    }
}

Describe 'What Graph refuses' {
    BeforeEach { Clear-Requests }

    It '-WhatIf sends nothing' {
        $before = @((Get-CallRecord -Id $Record.Id -ExpandSession).Sessions.Id)
        New-CallRecord -StartDateTime $Start -EndDateTime $Start.AddMinutes(1) -WhatIf
        Add-CallRecordSession -CallRecordId $Record.Id -Modalities audio -WhatIf
        Remove-CallRecordSession -CallRecordId $Record.Id -Id 'any' -WhatIf
        # The emulator logs a request when it arrives, so an empty log right after the commands means none was sent.
        Get-WriteRequests | Should -BeNullOrEmpty
        @((Get-CallRecord -Id $Record.Id -ExpandSession).Sessions.Id) | Should -Be $before
    }

    It 'a bad body is a clear error with Graph''s code' {
        # -Modalities takes Graph's values only; a body given whole reaches Graph, which refuses the unknown member.
        New-CallRecord -BodyParameter @{ type = 'groupCall'; modalities = @('hologram'); startDateTime = $Start; endDateTime = $Start.AddMinutes(1) } -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'CallRecordInvalidBody,CallRecords.Cmdlets.NewCallRecordCommand'
        $errs[0].ErrorDetails.Message | Should -Match '400 BadRequest \(BadRequest\).*hologram'
        { New-CallRecord -Modalities hologram -StartDateTime $Start -EndDateTime $Start.AddMinutes(1) } | Should -Throw -ErrorId 'ParameterArgumentValidationError,CallRecords.Cmdlets.NewCallRecordCommand'
    }

    It 'a service that refuses writes says so' {
        Set-ReadOnly $true
        $refused = $null
        try { New-CallRecord -StartDateTime $Start -EndDateTime $Start.AddMinutes(1) -ErrorAction Stop }
        catch { $refused = $_ }
        finally { Set-ReadOnly $false }
        $refused.FullyQualifiedErrorId | Should -Be 'GraphWriteNotSupported,CallRecords.Cmdlets.NewCallRecordCommand'
        $refused.ErrorDetails.Message | Should -BeLike '*405*(MethodNotAllowed)*request-id:*Microsoft Graph does not support writing call records*'
        (Get-WriteRequests).status | Should -Be 405
    }
}
