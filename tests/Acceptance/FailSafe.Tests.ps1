#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue #18 in real pwsh: what a script that goes on after an error gets. A failed connect leaves no default (never
    another tenant's data), hostile ids never reach Graph (writes included), one bad id is one error and the rest of
    the pipeline is read, a missing record is an error under -Organizer, endless log ranges and values Graph cannot
    match are refused or clamped up front. Two emulators stand in for two tenants.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow
    $script:TenantB = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '82', '--records', '40', '--now', $Now.ToString('o'))
    # Tenant A last: the helpers talk to the emulator started last unless given -Endpoint.
    $script:TenantA = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '81', '--records', '120',
        '--log-rows', '3000', '--log-days', '180', '--now', $Now.ToString('o'))
    $script:Endpoint = $TenantA.Endpoint
    $script:WorkDir = Join-Path ([IO.Path]::GetTempPath()) "callrecords-failsafe-$($TenantA.Port)"
    New-Item -ItemType Directory -Force $WorkDir | Out-Null
    $script:Ids = @((Get-TestRecordTruth -From $Now.AddDays(-30) -To $Now).ids)

    function script:Get-GraphRequests([string] $Url = $Endpoint) { @(Get-TestEmulatorRequest -Endpoint $Url | Where-Object route -NE 'unknown') }

    Import-Module $Manifest -Force
}

AfterAll {
    Disconnect-CallRecordGraph -ErrorAction SilentlyContinue
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:TenantA
    Stop-TestEmulator $script:TenantB
    Remove-Item $script:WorkDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A failed connect' {
    BeforeEach {
        Connect-TestEmulator -Endpoint $Endpoint
        Clear-TestEmulatorRequest -Endpoint $Endpoint
        Clear-TestEmulatorRequest -Endpoint $TenantB.Endpoint
    }

    It 'to tenant B with <Why> leaves no default, so the export after it gets NotConnected and no rows of tenant A' -ForEach @(
        @{ Why = 'a delegated token'; Id = 'AccessTokenHasNoApplicationRoles'; Connect = { Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken -Delegated -Endpoint $TenantB.Endpoint) -GraphEndpoint $TenantB.Endpoint } }
        @{ Why = 'an http endpoint that is not loopback'; Id = 'InvalidGraphEndpoint'; Connect = { Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken -Endpoint $TenantB.Endpoint) -GraphEndpoint 'http://graph.example.com' } }
        @{ Why = 'a password in the endpoint URL'; Id = 'EndpointHasUserInfo'; Connect = { Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken -Endpoint $TenantB.Endpoint) -GraphEndpoint "http://admin:pw@127.0.0.1:$($TenantB.Port)" } }
    ) {
        $csv = Join-Path $WorkDir "export-$Id.csv"
        # A scheduled script without -ErrorAction Stop goes on after the failed connect (each failure ends only its
        # own statement); the catch blocks stand for that.
        $errors = @()
        try { & $Connect } catch { $errors += $_ }
        try { Get-CallRecord -First 50 | Export-Csv -Path $csv -NoTypeInformation } catch { $errors += $_ }

        $errors.Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $errors[0].ErrorDetails.Message | Should -Match 'No connection is the default now'
        $errors[1].FullyQualifiedErrorId | Should -Be 'NotConnected,CallRecords.Cmdlets.GetCallRecordCommand'
        $errors[1].ErrorDetails.Message | Should -Match ([regex]::Escape("failed ($Id)"))
        if (Test-Path $csv) { @(Import-Csv $csv).Count | Should -Be 0 }
        (Get-GraphRequests).Count | Should -Be 0 -Because 'nothing may be read from tenant A'
        (Get-GraphRequests $TenantB.Endpoint).Count | Should -Be 0
        ($errors | Out-String) | Should -Not -Match 'pw@'
    }

    It 'that succeeds afterwards is the default again' {
        { Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken -Endpoint $TenantB.Endpoint) -GraphEndpoint 'http://graph.example.com' } | Should -Throw
        Connect-TestEmulator -Endpoint $TenantB.Endpoint
        @(Get-CallRecord -First 5).Id | Should -Be @((Get-TestRecordTruth -Endpoint $TenantB.Endpoint).ids | Select-Object -First 5)
    }
}

Describe 'Hostile ids' {
    BeforeAll { Connect-TestEmulator -Endpoint $Endpoint }
    BeforeEach { Clear-TestEmulatorRequest -Endpoint $Endpoint }

    It 'Remove-CallRecordSession -Id <Bad> sends nothing and says SessionIdMalformed' -ForEach @(@{ Bad = '..' }, @{ Bad = '.' }, @{ Bad = 'a/b' }, @{ Bad = '%2e%2e' }) {
        Remove-CallRecordSession -CallRecordId $Ids[0] -Id $Bad -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SessionIdMalformed,CallRecords.Cmdlets.RemoveCallRecordSessionCommand'
        $err[0].TargetObject | Should -Be $Bad
        (Get-GraphRequests).Count | Should -Be 0
    }

    It 'CSV rows with a hostile id are one error each; the good rows are read' {
        $csv = Join-Path $WorkDir 'sessions.csv'
        @(
            [pscustomobject]@{ CallRecordId = $Ids[0] }
            [pscustomobject]@{ CallRecordId = '..' }
            [pscustomobject]@{ CallRecordId = $Ids[1] }
        ) | Export-Csv $csv -NoTypeInformation
        $sessions = Import-Csv $csv | Get-CallRecordSession -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordSessionCommand'
        @($sessions.CallRecordId | Select-Object -Unique) | Should -Be @($Ids[0], $Ids[1])
        @(Get-GraphRequests | Where-Object path -Match '/\.\.?(/|$|\?)').Count | Should -Be 0
    }

    It 'a 10,000-character id is one non-terminating error and the ids after it are read' {
        $records = $Ids[0], ('x' * 10000), $Ids[1] | Get-CallRecord -ErrorAction Continue -ErrorVariable err 2>$null
        @($records.Id) | Should -Be @($Ids[0], $Ids[1])
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordCommand'
        $err[0].TargetObject.Length | Should -Be 10000
        $err[0].ErrorDetails.Message.Length | Should -BeLessThan 600
        @(Get-GraphRequests | Where-Object route -EQ 'getCallRecord').Count | Should -Be 2
    }

    It '-Organizer reports a missing record and goes on' {
        $organized = @($Ids | Select-Object -First 20 | Where-Object { Get-CallRecordParticipant -CallRecordId $_ -Organizer } | Select-Object -First 2)
        $organized.Count | Should -Be 2
        $out = $organized[0], '00000000-0000-0000-0000-0000000000bb', $organized[1] | Get-CallRecordParticipant -Organizer -ErrorVariable err -ErrorAction SilentlyContinue
        $ok = $?
        @($out.CallRecordId) | Should -Be $organized
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'CallRecordNotFound,CallRecords.Cmdlets.GetCallRecordParticipantCommand'
        $ok | Should -BeFalse
    }
}

Describe 'Ranges and values Graph cannot serve' {
    BeforeAll { Connect-TestEmulator -Endpoint $Endpoint }
    BeforeEach { Clear-TestEmulatorRequest -Endpoint $Endpoint }

    It 'a start of [datetime]::MinValue is clamped to a year with a warning, and -First 3 answers at once' {
        $rows = Get-CallRecordPstnCall -StartDateTime ([datetime]::MinValue) -First 3 -WarningVariable warn -WarningAction SilentlyContinue
        @($rows).Count | Should -Be 3
        "$warn" | Should -Match 'do not reach that far back'
        @(Get-GraphRequests | Where-Object route -EQ 'getPstnCalls').Count | Should -BeLessOrEqual 5
    }

    It 'an end of [datetime]::MaxValue is refused like a start in the future' {
        { Get-CallRecordPstnCall -EndDateTime ([datetime]::MaxValue) -ErrorAction Stop } | Should -Throw -ErrorId 'EndDateTimeInFuture,CallRecords.Cmdlets.GetCallRecordPstnCallCommand'
        (Get-GraphRequests).Count | Should -Be 0
    }

    It '<Command> is refused before any page is read' -ForEach @(
        @{ Command = 'Get-CallRecord -Type banana' }, @{ Command = 'Get-CallRecord -Modality smell' }, @{ Command = "Get-CallRecordPstnCall -UserPrincipalName '[abc'" }
    ) {
        { Invoke-Expression "$Command -ErrorAction Stop" } | Should -Throw
        (Get-GraphRequests).Count | Should -Be 0
    }

    It 'tab completion offers Graph''s values for -Type and -Modality' {
        $line = 'Get-CallRecord -Type '
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Contain 'peerToPeer'
        $line = 'Get-CallRecord -Modality vi'
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('video', 'videoBasedScreenSharing')
    }
}
