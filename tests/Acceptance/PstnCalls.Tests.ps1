#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    PSTN-type log stories in real pwsh (Get-CallRecordPstnCall, Get-CallRecordDirectRoutingCall and the beta logs),
    against the Graph emulator started as a separate process. Run through build.ps1 -Task Test, or:
    Invoke-Pester tests/Acceptance/PstnCalls.Tests.ps1 (after dotnet build -c Release).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:Now = Get-TestNow

    # 20,000 rows per log over 180 days: several 1,000-row pages per 90-day window.
    $freePort = Get-TestFreePort
    $script:Emulator = Start-TestEmulator -Port $freePort -LogPath (Join-Path ([IO.Path]::GetTempPath()) "emulator-pstn-$freePort") -ArgumentList @(
        '--accept-any-token', '--throttle', 'off', '--seed', '31', '--records', '50',
        '--log-rows', '20000', '--log-days', '180', '--now', $Now.ToString('o'))
    $script:Port = $Emulator.Port
    $script:Endpoint = $Emulator.Endpoint

    # Ground truth: ids of the table's rows with a time in [From, To).
    # With -Rows, the rows themselves too (.rows), for the tables whose rows have no id.
    function script:Get-LogTruth([string] $Table, [DateTimeOffset] $From, [DateTimeOffset] $To, [switch] $Rows) {
        $f = [Uri]::EscapeDataString($From.UtcDateTime.ToString('o'))
        $t = [Uri]::EscapeDataString($To.UtcDateTime.ToString('o'))
        Invoke-RestMethod "$Endpoint/_emulator/truth/logs/$($Table)?from=$f&to=$t&rows=$(([bool]$Rows).ToString().ToLowerInvariant())"
    }
    function script:Get-LogRequests([string] $Route) { Get-TestEmulatorRequest -Route $Route }
    # The raw rows Graph returns for a range, one <= 90-day window at a time with every nextLink followed (independent
    # of the module), kept to the half-open ground truth by id (toDateTime is inclusive for these functions).
    function script:Get-RawRows([DateTimeOffset] $From, [DateTimeOffset] $To, [string] $Function = 'getPstnCalls', [string] $Table = 'pstnCalls') {
        $ids = [Collections.Generic.HashSet[string]]::new([string[]]@((Get-LogTruth -Table $Table -From $From -To $To).ids))
        $headers = @{ Authorization = 'Bearer ' + [System.Net.NetworkCredential]::new('', (Get-TestEmulatorToken)).Password }
        for ($start = $From; $start -lt $To; $start = $start.AddDays(90)) {
            $end = if ($start.AddDays(90) -lt $To) { $start.AddDays(90) } else { $To }
            $url = "$Endpoint/v1.0/communications/callRecords/$Function(fromDateTime=$($start.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ')),toDateTime=$($end.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ')))"
            while ($url) {
                $page = Invoke-RestMethod $url -Headers $headers
                $page.value | Where-Object { $ids.Remove($_.id) }
                $url = $page.'@odata.nextLink'
            }
        }
    }

    Import-Module $Manifest -Force
    Connect-TestEmulator
}

AfterAll {
    Disconnect-CallRecordGraph
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
}

Describe 'Get-CallRecordPstnCall' {
    BeforeEach { Clear-TestEmulatorRequest }

    It 'returns every row of a 200-day range exactly once, in time order, without a refused window' {
        $from = $Now.AddDays(-200); $to = $Now
        $truth = Get-LogTruth -Table 'pstnCalls' -From $from -To $to
        $rows = Get-CallRecordPstnCall -StartDateTime $from -EndDateTime $to
        Assert-TestTruth -Expected $truth.ids -Actual $rows.Id -What 'PSTN rows of 200 days'
        $rows[0] | Should -BeOfType ([CallRecords.Models.PstnCallLogRow])
        $requests = @(Get-LogRequests 'getPstnCalls')
        @($requests | Where-Object status -EQ 406).Count | Should -Be 0
        @($requests | Where-Object { $_.path -notlike '*$skip=*' }).Count | Should -Be 3
    }

    It 'types charges as decimals, durations as whole seconds (DurationSeconds) and times as UTC DateTimeOffsets' {
        $row = Get-CallRecordPstnCall -StartDateTime $Now.AddDays(-30) -First 50 | Where-Object Charge -GT 0 | Select-Object -First 1
        $row.Charge | Should -BeOfType ([decimal])
        $row.DurationSeconds | Should -BeOfType ([long])
        $row.PSObject.Properties.Name | Should -Not -Contain 'Duration'
        $row.StartDateTime.Offset | Should -Be ([TimeSpan]::Zero)
        $raw = Get-RawRows -From $row.StartDateTime -To $row.StartDateTime.AddSeconds(1) | Where-Object id -EQ $row.Id
        $row.Currency | Should -Be $raw.currency
        $row.Charge | Should -Be ([decimal]$raw.charge)
        $row.DurationSeconds | Should -Be ([long]$raw.duration)
    }

    It 'builds a monthly cost-by-user report that matches the raw Graph rows' {
        $month = [DateTimeOffset]::new($Now.Year, $Now.Month, 1, 0, 0, 0, [TimeSpan]::Zero).AddMonths(-1)
        $next = $month.AddMonths(1)

        $report = Get-CallRecordPstnCall -StartDateTime $month -EndDateTime $next |
            Group-Object UserPrincipalName |
            ForEach-Object {
                [pscustomobject]@{
                    User    = $_.Name
                    Calls   = $_.Count
                    Minutes = [math]::Round(($_.Group | Measure-Object DurationSeconds -Sum).Sum / 60, 1)
                    # Measure-Object sums as Double; a [decimal] accumulator keeps the sum exact.
                    Charge  = & { $sum = [decimal]0; foreach ($r in $_.Group) { $sum += [decimal]$r.Charge + [decimal]$r.ConnectionCharge }; $sum }
                }
            } | Sort-Object Charge -Descending

        # Independent truth: the raw rows of the month (toDateTime is inclusive for getPstnCalls, so rows exactly at
        # the month's end are dropped by id against the half-open ground truth).
        $ids = @((Get-LogTruth -Table 'pstnCalls' -From $month -To $next).ids)
        $raw = Get-RawRows -From $month -To $next
        $expected = $raw | Group-Object userPrincipalName | ForEach-Object {
            [pscustomobject]@{
                User   = $_.Name
                Calls  = $_.Count
                Charge = & { $sum = [decimal]0; foreach ($r in $_.Group) { $sum += [decimal]$r.charge + [decimal]$r.connectionCharge }; $sum }
            }
        }

        $report.Count | Should -Be $expected.Count
        ($report | Measure-Object Calls -Sum).Sum | Should -Be $ids.Count
        foreach ($e in $expected) {
            $line = $report | Where-Object User -EQ $e.User
            $line.Calls | Should -Be $e.Calls -Because $e.User
            $line.Charge | Should -Be $e.Charge -Because $e.User
        }
        $report[0].Charge | Should -BeGreaterOrEqual $report[-1].Charge

        $csv = Join-Path ([IO.Path]::GetTempPath()) "pstn-cost-$Port.csv"
        try {
            $report | Export-Csv -Path $csv -NoTypeInformation
            $back = Import-Csv $csv
            $back.Count | Should -Be $report.Count
            # exact decimal sums: no Double artefact such as 25.000000000000004 reaches the file
            foreach ($b in $back) { [decimal]$b.Charge | Should -Be ($report | Where-Object User -EQ $b.User).Charge }
            $back.Charge | Where-Object { $_ -match '\d\.\d*0000000' } | Should -BeNullOrEmpty
        }
        finally { Remove-Item $csv -ErrorAction SilentlyContinue }
    }

    It '-First 10 sends one request' {
        (Get-CallRecordPstnCall -StartDateTime $Now.AddDays(-200) -First 10).Count | Should -Be 10
        @(Get-LogRequests 'getPstnCalls').Count | Should -Be 1
    }

    It 'filters by user principal name with wildcards' {
        $from = $Now.AddDays(-20)
        $raw = @(Get-RawRows -From $from -To $Now)
        $upn = $raw[0].userPrincipalName
        $rows = Get-CallRecordPstnCall -StartDateTime $from -EndDateTime $Now -UserPrincipalName ($upn.Split('@')[0].ToUpperInvariant() + '@*')
        Assert-TestTruth -Expected ($raw | Where-Object userPrincipalName -Like ($upn.Split('@')[0] + '@*')).id -Actual $rows.Id -What "rows of $upn"
        $rows | ForEach-Object { $_.UserPrincipalName | Should -Be $upn }
    }

    It 'is quiet with $ProgressPreference = SilentlyContinue and the aliases work' {
        $ProgressPreference = 'SilentlyContinue'
        $rows = Get-CallRecordPstnCall -FromDateTime $Now.AddDays(-10) -ToDateTime $Now.AddDays(-9)
        Assert-TestTruth -Expected (Get-LogTruth -Table 'pstnCalls' -From $Now.AddDays(-10) -To $Now.AddDays(-9)).ids -Actual $rows.Id -What 'PSTN rows of one day'
    }
}

Describe 'Get-CallRecordDirectRoutingCall' {
    It 'returns every row of a 200-day range exactly once and maps failures' {
        $from = $Now.AddDays(-200); $to = $Now
        $truth = Get-LogTruth -Table 'directRoutingCalls' -From $from -To $to
        $rows = Get-CallRecordDirectRoutingCall -StartDateTime $from -EndDateTime $to -ThrottleLimit 3
        Assert-TestTruth -Expected $truth.ids -Actual $rows.Id -What 'direct routing rows of 200 days'
        $raw = @{}
        Get-RawRows -From $from -To $to -Function 'getDirectRoutingCalls' -Table 'directRoutingCalls' | ForEach-Object { $raw[$_.id] = $_ }
        $raw.Count | Should -Be $truth.count
        foreach ($row in $rows) {
            $g = $raw[$row.Id]
            $row.SuccessfulCall | Should -Be $g.successfulCall
            $row.TrunkFullyQualifiedDomainName | Should -Be $g.trunkFullyQualifiedDomainName
            if ($g.successfulCall) { $row.FailureDateTime | Should -BeNullOrEmpty }
            # Invoke-RestMethod has already turned the JSON date into a DateTime.
            else { $row.FailureDateTime.UtcDateTime | Should -Be ([DateTime]$g.failureDateTime).ToUniversalTime() }
        }
        @($rows | Where-Object { -not $_.SuccessfulCall }).Count | Should -BeGreaterThan 0 -Because 'the data has failed calls to map'
        # A report by trunk: the same groups and counts as Graph's raw rows.
        $byTrunk = $rows | Group-Object TrunkFullyQualifiedDomainName | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }
        $rawByTrunk = $raw.Values | Group-Object trunkFullyQualifiedDomainName | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }
        @($byTrunk) | Should -Be @($rawByTrunk)
        @($byTrunk).Count | Should -BeGreaterThan 1
    }
}

Describe 'Beta logs' {
    BeforeEach { Clear-TestEmulatorRequest }

    It 'are sent to /beta on a v1.0 connection and come back complete' {
        (Get-CallRecordConnection).ApiVersion | Should -Be 'v1.0'
        $from = $Now.AddDays(-120); $to = $Now
        Assert-TestTruth -Expected (Get-LogTruth -Table 'smsLogs' -From $from -To $to).ids -Actual (Get-CallRecordSmsLog -StartDateTime $from -EndDateTime $to).Id -What 'SMS log rows'
        # Neither of these has an id of its own: each row against the ground truth's rows, in order, by what identifies it.
        $blocked = Get-CallRecordPstnBlockedUserLog -StartDateTime $from -EndDateTime $to
        $truthBlocked = (Get-LogTruth -Table 'pstnBlockedUsers' -From $from -To $to -Rows).rows
        Assert-TestTruth -Expected $truthBlocked.remediationId -Actual $blocked.RemediationId -What 'blocked-user log rows'
        $dialout = Get-CallRecordPstnDialoutReport -StartDateTime $from -EndDateTime $to
        $truthDialout = (Get-LogTruth -Table 'pstnOnlineMeetingDialoutReport' -From $from -To $to -Rows).rows
        Assert-TestTruth -Expected ($truthDialout | ForEach-Object { "$($_.userId)/$($_.destinationContext)/$($_.totalCalls)/$($_.totalCallSeconds)" }) `
            -Actual ($dialout | ForEach-Object { "$($_.UserId)/$($_.DestinationContext)/$($_.TotalCalls)/$($_.TotalCallSeconds)" }) -What 'dial-out report rows'
        $dialout | ForEach-Object { ($_.ReportEndDateTime - $_.ReportStartDateTime).TotalDays | Should -BeLessOrEqual 90 }
        foreach ($route in 'getSmsLog', 'getPstnBlockedUsersLog', 'getPstnOnlineMeetingDialoutReport') {
            $requests = @(Get-LogRequests $route)
            $requests.Count | Should -BeGreaterThan 0
            $requests | ForEach-Object { $_.path | Should -BeLike '/beta/*' }
        }
    }
}
