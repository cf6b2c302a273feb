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

    It 'returns exactly the ground truth with 10 % of requests faulted and every kind of fault injected' {
        $from = $Now.AddDays(-29)
        $truth = Get-TestRecordTruth -From $from
        Clear-TestEmulatorRequest
        # 10 % at random (deterministic for the seed), and one of each kind at fixed request numbers for certain.
        $kinds = @('TooManyRequests', 'ServiceUnavailable', 'GatewayTimeout', 'ConnectionReset', 'TruncatedBody', 'SlowBody')
        $at = @{}; for ($i = 0; $i -lt $kinds.Count; $i++) { $at["$(2 + 3 * $i)"] = $kinds[$i] }
        Set-TestEmulatorFault @{ rate = 0.1; seed = 7; retryAfterSeconds = 0; slowBodyChunkDelayMs = 5; kinds = $kinds; at = $at }
        $faulted = Get-CallRecord -StartDateTime $from -PageSize 100
        Assert-TestTruth -Expected $truth.ids -Actual $faulted.Id -What 'call records read through faults'
        $injected = @(Get-TestEmulatorRequest -Route 'listCallRecords' | Where-Object fault)
        foreach ($kind in $kinds) { @($injected | Where-Object fault -EQ $kind).Count | Should -BeGreaterThan 0 -Because "a $kind fault must have been injected" }
        $injected.Count | Should -BeGreaterThan $kinds.Count -Because 'the 10 % rate adds faults of its own'
    }

    It 'fails with the URL, status and request-id instead of returning less' {
        Connect-CallRecordGraph -AccessToken (Get-TestEmulatorToken) -GraphEndpoint $Endpoint -MaxRetry 1 -RetryDelay 0
        Set-TestEmulatorFault @{ rate = 1; kinds = @('TooManyRequests'); retryAfterSeconds = 0 }
        Clear-TestEmulatorRequest
        { Get-CallRecord -StartDateTime $Now.AddDays(-2) -ErrorAction Stop } | Should -Throw -ErrorId 'GraphThrottled,CallRecords.Cmdlets.GetCallRecordCommand'
        $attempts = @(Get-TestEmulatorRequest -Route 'listCallRecords')
        $attempts | Should -Not -BeNullOrEmpty
        $attempts | ForEach-Object { $_.status | Should -Be 429; $_.fault | Should -Be 'TooManyRequests' }
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
