#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    The default table view of every output type, rendered as a user's console would (Format-Table | Out-String -Width
    80 and 120, so the host's own width does not matter), against objects read from the Graph emulator. A view fails
    on an id or a date-time that is cut, a header that wraps, or a column narrow enough to print one letter per line.
    Run through build.ps1 -Task Test, or Invoke-Pester tests/Acceptance/DefaultViews.Tests.ps1 (after dotnet build -c Release).
#>

BeforeDiscovery {
    $script:Types = @(
        @{ Type = 'CallRecords.Models.CallRecord'; Ids = @('Id'); Dates = @('StartDateTime') }
        @{ Type = 'CallRecords.Models.CallRecordSession'; Ids = @('Id'); Dates = @('StartDateTime') }
        @{ Type = 'CallRecords.Models.CallRecordSegment'; Ids = @('Id'); Dates = @('StartDateTime') }
        @{ Type = 'CallRecords.Models.CallRecordParticipant'; Ids = @('IdentityId'); Dates = @() }
        @{ Type = 'CallRecords.Models.CallRecordStream'; Ids = @('SessionId'); Dates = @() }
        @{ Type = 'CallRecords.Connection.CallRecordConnection'; Ids = @('TenantId'); Dates = @('TokenExpiresOn') }
        @{ Type = 'CallRecords.Models.PstnCallLogRow'; Ids = @('Id'); Dates = @('StartDateTime') }
        @{ Type = 'CallRecords.Models.DirectRoutingLogRow'; Ids = @('Id'); Dates = @('StartDateTime') }
        @{ Type = 'CallRecords.Models.SmsLogRow'; Ids = @('Id'); Dates = @('SentDateTime') }
        @{ Type = 'CallRecords.Models.PstnBlockedUsersLogRow'; Ids = @(); Dates = @('BlockDateTime') }
        @{ Type = 'CallRecords.Models.PstnOnlineMeetingDialoutReport'; Ids = @(); Dates = @('ReportStartDateTime', 'ReportEndDateTime') }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Now = Get-TestNow
    $freePort = Get-TestFreePort
    $script:Emulator = Start-TestEmulator -Port $freePort -LogPath (Join-Path ([IO.Path]::GetTempPath()) "emulator-views-$freePort") -ArgumentList @(
        '--accept-any-token', '--throttle', 'off', '--seed', '21', '--records', '40',
        '--log-rows', '400', '--log-days', '30', '--now', $Now.ToString('o'))
    Import-Module (Get-TestModuleManifest) -Force
    Connect-TestEmulator

    $from = $Now.AddDays(-29)
    $records = @(Get-CallRecord -StartDateTime $Now.AddDays(-29) -First 8)
    $streams = @($records | Get-CallRecordStream)
    # poor streams first, so the PoorReasons column has text to wrap
    $streams = @($streams | Sort-Object { $_.Quality -ne 'Poor' }, { -([string]$_.PoorReasons).Length } | Select-Object -First 12)
    $script:Samples = @{
        'CallRecords.Models.CallRecord'                     = $records
        'CallRecords.Models.CallRecordSession'              = @($records | Get-CallRecordSession | Select-Object -First 10)
        'CallRecords.Models.CallRecordSegment'              = @($records | Get-CallRecordSegment | Select-Object -First 10)
        'CallRecords.Models.CallRecordParticipant'          = @($records | Get-CallRecordParticipant | Select-Object -First 10)
        'CallRecords.Models.CallRecordStream'               = $streams
        'CallRecords.Connection.CallRecordConnection'       = @(Get-CallRecordConnection)
        'CallRecords.Models.PstnCallLogRow'                 = @(Get-CallRecordPstnCall -StartDateTime $from -First 10)
        'CallRecords.Models.DirectRoutingLogRow'            = @(Get-CallRecordDirectRoutingCall -StartDateTime $from -First 10)
        'CallRecords.Models.SmsLogRow'                      = @(Get-CallRecordSmsLog -StartDateTime $from -First 10)
        'CallRecords.Models.PstnBlockedUsersLogRow'         = @(Get-CallRecordPstnBlockedUserLog -StartDateTime $from -First 10)
        'CallRecords.Models.PstnOnlineMeetingDialoutReport' = @(Get-CallRecordPstnDialoutReport -StartDateTime $from | Select-Object -First 10)
    }
    # what the view writes for a date-time: UTC, to the second, marked Z
    function script:Format-UtcText([DateTimeOffset] $Value) { $Value.UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss') + 'Z' }
    function script:Show-Table([object[]] $InputObject, [int] $Width) { $InputObject | Format-Table | Out-String -Width $Width }
}

AfterAll {
    Disconnect-CallRecordGraph -ErrorAction SilentlyContinue
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
}

Describe 'The default table of <Type>' -ForEach $Types {
    BeforeAll {
        $script:Objects = @($Samples[$Type])
    }

    It 'has objects to render, of that type, and a table view of its own' {
        $Objects.Count | Should -BeGreaterThan 0
        $Objects[0].GetType().FullName | Should -Be $Type
        # a view of the module, not PowerShell's property list: the header is one of our labels
        (Show-Table $Objects 120) | Should -Not -BeNullOrEmpty
        @(Get-FormatData -TypeName $Type -PowerShellVersion $PSVersionTable.PSVersion |
            ForEach-Object FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }).Count | Should -Be 1
    }

    It 'at 120 columns shows every id and date-time whole and cuts nothing' {
        $text = Show-Table $Objects 120
        $text | Should -Not -Match '…' -Because "nothing is cut at 120 columns:`n$text"
        foreach ($o in $Objects) {
            foreach ($p in $Ids) { if ($o.$p) { $text | Should -Match ([regex]::Escape([string]$o.$p)) -Because "the $p is whole" } }
            foreach ($p in $Dates) { if ($null -ne $o.$p) { $text | Should -Match ([regex]::Escape((Format-UtcText $o.$p))) -Because "the $p reads in UTC, to the second" } }
        }
        @($text -split "`n" | Where-Object { $_.TrimEnd().Length -gt 120 }).Count | Should -Be 0
    }

    It 'at <_> columns has a one-line header and no column one letter per line' -ForEach @(80, 120) {
        $text = Show-Table $Objects $_
        $lines = @($text -split "\r?\n" | Where-Object { $_.Trim() })
        $rule = [array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match '^[-\s]+$' })
        $rule | Should -Be 1 -Because "the header is one line:`n$text"
        # a wrapped cell may take a second or third line; one letter per line would take one line per character
        ($lines.Count - 2) | Should -BeLessOrEqual (3 * $Objects.Count) -Because "rows are not spread over many lines:`n$text"
        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual $_ }
    }

    It 'at 80 columns cuts nothing (a column that does not fit is left out whole)' {
        $text = Show-Table $Objects 80
        $text | Should -Not -Match '…' -Because "nothing is cut at 80 columns either:`n$text"
        foreach ($o in $Objects) {
            foreach ($p in $Ids) {
                if ($o.$p) {
                    $id = [string]$o.$p
                    # the first 8 characters are there only with the rest
                    if ($text -match [regex]::Escape($id.Substring(0, [Math]::Min(8, $id.Length)))) { $text | Should -Match ([regex]::Escape($id)) }
                }
            }
        }
        $text | Should -Not -Match '\d{4}-\d\d-\d\d[ \d:]*…' -Because "no date-time is cut:`n$text"
        $text | Should -Not -Match '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?!Z)' -Because 'every date-time is marked UTC'
    }
}

Describe 'Durations in the default tables' {
    It 'reads to the second: hours:minutes:seconds, no fraction' {
        $record = $Samples['CallRecords.Models.CallRecord'] | Where-Object { $_.Duration.Ticks % [TimeSpan]::TicksPerSecond -ne 0 } | Select-Object -First 1
        if (-not $record) { $record = $Samples['CallRecords.Models.CallRecord'][0] }
        $text = Show-Table @($record) 120
        $d = $record.Duration
        $expected = '{0}:{1:mm\:ss}' -f [long][math]::Floor($d.TotalHours), $d
        $text | Should -Match "(?<![\d:])$([regex]::Escape($expected))(?![\d.])"
        $text | Should -Not -Match '\d\d:\d\d:\d\d\.\d'
    }
}
