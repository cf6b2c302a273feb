#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue #19 stories in real pwsh against an emulator as strict as Graph: a whole tenant listed exactly in a few large
    pages with no -PageSize, a service that refuses large pages, throttles without Retry-After, the organizer from the
    list, and log date-times that Graph's OData parser accepts.
    Run through build.ps1 -Task Test, or: Invoke-Pester tests/Acceptance (after dotnet build -c Release).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow
    # Seed 9 with 6,000 records listed 6,002 records (two repeated on a tie) before the keyset fix.
    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '9', '--records', '6000',
        '--log-rows', '3000', '--log-days', '60', '--now', $Now.ToString('o'))
    $script:Endpoint = $Emulator.Endpoint

    Import-Module $Manifest -Force
    Connect-TestEmulator -Parameters @{ MaxRetry = 6; RetryDelay = 0.02 }

    function script:Set-TestPageSize([hashtable] $Settings) {
        Invoke-RestMethod -Method Put "$Endpoint/_emulator/page-size" -Body ($Settings | ConvertTo-Json) -ContentType 'application/json' | Out-Null
    }
    function script:Get-ListRequests { @(Get-TestEmulatorRequest -Route 'listCallRecords') }
}

AfterAll {
    Disconnect-CallRecordGraph
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
}

Describe 'Listing a whole tenant' {
    BeforeEach { Clear-TestEmulatorRequest }
    AfterEach {
        Set-TestEmulatorFault @{ rate = 0; kinds = @(); at = @{} }
        Set-TestPageSize @{ max = 1000; mode = 'cap' }
    }

    It 'returns 6,000 distinct records, exactly the truth, in at most 10 requests without -PageSize' {
        $records = Get-CallRecord
        Assert-TestTruth -Expected (Get-TestRecordTruth).ids -Actual $records.Id -What 'the whole tenant'
        @($records.Id | Sort-Object -Unique).Count | Should -Be 6000
        $lists = Get-ListRequests
        $lists.Count | Should -BeLessOrEqual 10
        $lists | ForEach-Object { $_.headers.Prefer | Should -Match 'odata\.maxpagesize=999' }
    }

    It 'lists them all against a service that refuses pages above 60, after one refused request' {
        # A new connection: what the fallback learns is per connection.
        Connect-TestEmulator -Parameters @{ MaxRetry = 6; RetryDelay = 0.02 }
        Set-TestPageSize @{ max = 60; mode = 'refuse' }
        $records = Get-CallRecord -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        Assert-TestTruth -Expected (Get-TestRecordTruth).ids -Actual $records.Id -What 'the tenant under a refusing service'
        $lists = Get-ListRequests
        @($lists | Where-Object status -EQ 400).Count | Should -Be 1
        $lists[0].status | Should -Be 400
        @($lists | Select-Object -Skip 1 | Where-Object { $_.headers.Prefer -match 'maxpagesize' }).Count | Should -Be 0
        @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*refused a page size of 999*' }).Count | Should -Be 1
        Connect-TestEmulator -Parameters @{ MaxRetry = 6; RetryDelay = 0.02 }
    }

    It 'is exact under 15 % throttles and outages without Retry-After' {
        Set-TestEmulatorFault @{ rate = 0.15; seed = 19; kinds = @('429-no-retry-after', '429-activity-limit', '503-no-retry-after') }
        $from = $Now.AddDays(-3)
        $records = Get-CallRecord -StartDateTime $from -PageSize 60
        Assert-TestTruth -Expected (Get-TestRecordTruth -From $from).ids -Actual $records.Id -What 'the faulted listing'
        $injected = @(Get-ListRequests | Where-Object fault)
        $injected.Count | Should -BeGreaterThan 0
        $injected | ForEach-Object { $_.status | Should -BeIn 429, 503 }
    }

    It '-First 120 brings the organizer of every record in one request' {
        $records = Get-CallRecord -First 120
        Assert-TestTruth -Expected ((Get-TestRecordTruth).ids | Select-Object -First 120) -Actual $records.Id -What 'the first 120 records'
        $records | ForEach-Object { $_.Organizer.Id | Should -Be (Get-TestParticipantTruth $_.Id).organizerId }
        @(Get-TestEmulatorRequest).Count | Should -Be 1
    }
}

Describe 'Log date-times' {
    It 'sends a [datetime] of Kind Unspecified with its zone, and Graph answers it' {
        Clear-TestEmulatorRequest
        $start = [datetime]::SpecifyKind($Now.UtcDateTime.AddDays(-20), 'Unspecified')
        $rows = Get-CallRecordPstnCall -StartDateTime $start -EndDateTime $Now.AddDays(-1)
        $rows | Should -Not -BeNullOrEmpty
        $requests = @(Get-TestEmulatorRequest -Route 'getPstnCalls')
        $requests | ForEach-Object {
            $_.status | Should -Be 200
            [Uri]::UnescapeDataString($_.path) | Should -Match '\((fromDateTime|from)=[0-9T:.-]+Z,(toDateTime|to)=[0-9T:.-]+Z\)'
        }
    }
}
