#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Resilience stories (retries, fault tolerance, bad input) in real pwsh, against the Graph emulator started as a separate process.
    Run through build.ps1 -Task Test, or: Invoke-Pester tests/Acceptance (after dotnet build -c Release).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow
    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '23', '--records', '3000',
        '--now', $Now.ToString('o'))
    $script:Port = $Emulator.Port
    $script:Endpoint = $Emulator.Endpoint

    Import-Module $Manifest -Force
    Connect-TestEmulator -Parameters @{ MaxRetry = 6; RetryDelay = 0.02 }
}

AfterAll {
    Disconnect-CallRecordGraph
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
}

Describe 'Faults: nothing lost, nothing duplicated' {
    AfterEach { Set-TestEmulatorFault @{ rate = 0; kinds = @(); at = @{} } }

    It 'returns the clean result with 10 % of requests faulted' {
        $from = $Now.AddDays(-29)
        $clean = Get-CallRecord -StartDateTime $from -PageSize 100
        Set-TestEmulatorFault @{ rate = 0.1; seed = 7; retryAfterSeconds = 0; slowBodyChunkDelayMs = 5; kinds = @('TooManyRequests', 'ServiceUnavailable', 'GatewayTimeout', 'ConnectionReset', 'TruncatedBody', 'SlowBody') }
        $faulted = Get-CallRecord -StartDateTime $from -PageSize 100
        $faulted.Count | Should -Be $clean.Count
        @($faulted | ForEach-Object { "$($_.Id)/$($_.Version)" } | Sort-Object -Unique).Count | Should -Be $clean.Count
        Compare-Object @($clean.Id) @($faulted.Id) | Should -BeNullOrEmpty
    }

    It 'fails with the URL, status and request-id instead of returning less' {
        Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken) -GraphEndpoint $Endpoint -MaxRetry 1 -RetryDelay 0
        Set-TestEmulatorFault @{ rate = 1; kinds = @('TooManyRequests'); retryAfterSeconds = 0 }
        { Get-CallRecord -StartDateTime $Now.AddDays(-2) -ErrorAction Stop } | Should -Throw -ErrorId 'GraphThrottled,CallRecords.Cmdlets.GetCallRecordCommand'
        $Error[0].ErrorDetails.Message | Should -Match 'request-id: '
        $Error[0].ErrorDetails.Message | Should -Match ([regex]::Escape("$Endpoint/v1.0/communications/callRecords"))
        Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken) -GraphEndpoint $Endpoint -MaxRetry 6 -RetryDelay 0.02
    }
}

Describe 'Bad input' {
    It 'refuses a start in the future' {
        { Get-CallRecord -StartDateTime (Get-Date).AddDays(1) -ErrorAction Stop } | Should -Throw -ErrorId 'StartDateTimeInFuture,CallRecords.Cmdlets.GetCallRecordCommand'
    }
    It 'refuses -PageSize 0' {
        { Get-CallRecord -PageSize 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,CallRecords.Cmdlets.GetCallRecordCommand'
    }
    It 'returns the valid ids of a mixed pipeline and one error per bad one' {
        $ids = (Get-CallRecord -First 2).Id
        $records = $ids[0], 'bad id', $ids[1] | Get-CallRecord -ErrorVariable bad -ErrorAction SilentlyContinue
        @($records.Id) | Should -Be @($ids)
        $bad[0].FullyQualifiedErrorId | Should -Be 'CallRecordIdMalformed,CallRecords.Cmdlets.GetCallRecordCommand'
    }
    It 'fails at once on a refused endpoint' {
        $c = Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken) -GraphEndpoint 'http://127.0.0.1:9' -NoDefault -PassThru
        { Get-CallRecord -Connection $c -First 1 -ErrorAction Stop } | Should -Throw -ErrorId 'GraphUnreachable,CallRecords.Cmdlets.GetCallRecordCommand'
        $Error[0].ErrorDetails.Message | Should -Match 'after 1 attempt'
    }
}
