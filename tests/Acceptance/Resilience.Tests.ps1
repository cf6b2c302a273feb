#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Resilience stories (retries, fault tolerance, bad input) in real pwsh, against the Graph emulator started as a separate process.
    Run through build.ps1 -Task Test, or: Invoke-Pester tests/Acceptance (after dotnet build -c Release).
#>

BeforeAll {
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:Manifest = Join-Path $Root 'out/CallRecords/CallRecords.psd1'
    if (-not (Test-Path $Manifest)) { throw "Build first: dotnet build -c Release (missing $Manifest)" }

    # A free loopback port: bind port 0, read it, release it.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $script:Port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $script:Endpoint = "http://127.0.0.1:$Port"
    $script:Now = [DateTimeOffset]::UtcNow.AddTicks(-([DateTimeOffset]::UtcNow.Ticks % [TimeSpan]::TicksPerMinute))

    $emulatorArgs = @('run', '--project', (Join-Path $Root 'tests/GraphEmulator'), '-c', 'Release', '--',
        '--urls', $Endpoint, '--accept-any-token', '--throttle', 'off', '--seed', '23', '--records', '3000',
        '--now', $Now.ToString('o'))
    $script:Emulator = Start-Process -FilePath 'dotnet' -ArgumentList $emulatorArgs -PassThru -NoNewWindow `
        -RedirectStandardOutput (Join-Path ([IO.Path]::GetTempPath()) "emulator-$Port.out") `
        -RedirectStandardError (Join-Path ([IO.Path]::GetTempPath()) "emulator-$Port.err")

    # Wait until it answers (dotnet run may build first).
    $deadline = [DateTime]::UtcNow.AddMinutes(3)
    while ($true) {
        try { $null = Invoke-RestMethod "$Endpoint/_emulator/counters" -TimeoutSec 2; break }
        catch {
            if ($Emulator.HasExited) { throw "The emulator exited with code $($Emulator.ExitCode)." }
            if ([DateTime]::UtcNow -gt $deadline) { throw "The emulator did not start on $Endpoint." }
            Start-Sleep -Milliseconds 500
        }
    }

    function script:Get-EmulatorToken([string[]] $Roles = @('CallRecords.Read.All'), [switch] $Delegated) {
        $body = @{ roles = $Roles; delegated = [bool]$Delegated } | ConvertTo-Json
        (Invoke-RestMethod -Method Post "$Endpoint/_emulator/tokens" -Body $body -ContentType 'application/json').access_token |
            ConvertTo-SecureString -AsPlainText -Force
    }
    function script:Get-Truth([DateTimeOffset] $From, [DateTimeOffset] $To) {
        $q = @()
        if ($From) { $q += 'from=' + [Uri]::EscapeDataString($From.UtcDateTime.ToString('o')) }
        if ($To) { $q += 'to=' + [Uri]::EscapeDataString($To.UtcDateTime.ToString('o')) }
        Invoke-RestMethod "$Endpoint/_emulator/truth/records?$($q -join '&')"
    }
    function script:Get-ListRequests {
        (Invoke-RestMethod "$Endpoint/_emulator/requests") | ForEach-Object { $_ } | Where-Object route -EQ 'listCallRecords'
    }
    function script:Clear-Requests {
        Invoke-RestMethod -Method Delete "$Endpoint/_emulator/requests" | Out-Null
        Invoke-RestMethod -Method Delete "$Endpoint/_emulator/counters" | Out-Null
    }

    function script:Set-Faults([hashtable] $Settings) {
        Invoke-RestMethod -Method Put "$Endpoint/_emulator/faults" -Body ($Settings | ConvertTo-Json) -ContentType 'application/json' | Out-Null
    }

    Import-Module $Manifest -Force
    Connect-CallRecordGraph -AccessToken (Get-EmulatorToken) -GraphEndpoint $Endpoint -MaxRetry 6 -RetryDelay 0.02
}

AfterAll {
    Disconnect-CallRecordGraph
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    if ($script:Emulator -and -not $script:Emulator.HasExited) { Stop-Process -Id $script:Emulator.Id }
}

Describe 'Faults: nothing lost, nothing duplicated' {
    AfterEach { Set-Faults @{ rate = 0; kinds = @(); at = @{} } }

    It 'returns the clean result with 10 % of requests faulted' {
        $from = $Now.AddDays(-29)
        $clean = Get-CallRecord -StartDateTime $from -PageSize 100
        Set-Faults @{ rate = 0.1; seed = 7; retryAfterSeconds = 0; slowBodyChunkDelayMs = 5; kinds = @('TooManyRequests', 'ServiceUnavailable', 'GatewayTimeout', 'ConnectionReset', 'TruncatedBody', 'SlowBody') }
        $faulted = Get-CallRecord -StartDateTime $from -PageSize 100
        $faulted.Count | Should -Be $clean.Count
        @($faulted | ForEach-Object { "$($_.Id)/$($_.Version)" } | Sort-Object -Unique).Count | Should -Be $clean.Count
        Compare-Object @($clean.Id) @($faulted.Id) | Should -BeNullOrEmpty
    }

    It 'fails with the URL, status and request-id instead of returning less' {
        Connect-CallRecordGraph -AccessToken (Get-EmulatorToken) -GraphEndpoint $Endpoint -MaxRetry 1 -RetryDelay 0
        Set-Faults @{ rate = 1; kinds = @('TooManyRequests'); retryAfterSeconds = 0 }
        { Get-CallRecord -StartDateTime $Now.AddDays(-2) -ErrorAction Stop } | Should -Throw -ErrorId 'GraphThrottled,CallRecords.Cmdlets.GetCallRecordCommand'
        $Error[0].ErrorDetails.Message | Should -Match 'request-id: '
        $Error[0].ErrorDetails.Message | Should -Match ([regex]::Escape("$Endpoint/v1.0/communications/callRecords"))
        Connect-CallRecordGraph -AccessToken (Get-EmulatorToken) -GraphEndpoint $Endpoint -MaxRetry 6 -RetryDelay 0.02
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
        $c = Connect-CallRecordGraph -AccessToken (Get-EmulatorToken) -GraphEndpoint 'http://127.0.0.1:9' -NoDefault -PassThru
        { Get-CallRecord -Connection $c -First 1 -ErrorAction Stop } | Should -Throw -ErrorId 'GraphUnreachable,CallRecords.Cmdlets.GetCallRecordCommand'
        $Error[0].ErrorDetails.Message | Should -Match 'after 1 attempt'
    }
}
