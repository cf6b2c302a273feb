#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    examples/Export-DailyCallRecords.ps1 against the Graph emulator (started here as a separate process): one CSV per
    UTC day matching the emulator's ground truth, the checkpoint, idempotent re-runs, and exit code 1 on failure.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Root = Get-TestRepositoryRoot
    $script:Manifest = Get-TestModuleManifest
    $script:Export = Join-Path $Root 'examples/Export-DailyCallRecords.ps1'
    $script:Now = Get-TestNow
    $script:Today = $Now.UtcDateTime.Date

    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '31', '--records', '300', '--days', '10',
        '--now', $Now.ToString('o'))
    $script:Port = $Emulator.Port
    $script:Endpoint = $Emulator.Endpoint

    function script:Get-DayTruth([datetime] $Day) {
        $inv = [cultureinfo]::InvariantCulture
        $from = [Uri]::EscapeDataString($Day.ToString('yyyy-MM-dd', $inv) + 'T00:00:00Z')
        $to = [Uri]::EscapeDataString($Day.AddDays(1).ToString('yyyy-MM-dd', $inv) + 'T00:00:00Z')
        Invoke-RestMethod "$Endpoint/_emulator/truth/records?from=$from&to=$to"
    }
    function script:Get-ListRequestCount { @(Get-TestEmulatorRequest -Route 'listCallRecords').Count }
    # Runs the export in this process (the module is already imported) and returns its output and exit code.
    function script:Invoke-Export([hashtable] $Parameters) {
        $global:LASTEXITCODE = $null
        $all = & $Export -AccessToken (Get-TestEmulatorToken) -GraphEndpoint $Endpoint -Until $Today @Parameters 2>&1
        [pscustomobject]@{
            ExitCode = $LASTEXITCODE
            Days     = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_.PSObject.Properties['Day'] })
            Errors   = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        }
    }
    # The checkpoint's day as text, whether ConvertFrom-Json left it a string or made it a DateTime.
    function script:Get-CheckpointDay([string] $Path) {
        $value = (Get-Content $Path -Raw | ConvertFrom-Json).lastCompleteDayUtc
        if ($value -is [datetime]) { $value.ToString('yyyy-MM-dd') } else { [string]$value }
    }
    function script:Get-DayFile([string] $Dir, [datetime] $Day) { Join-Path $Dir ('callrecords-' + $Day.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture) + '.csv') }

    Import-Module $Manifest -Force
    $script:Out = Join-Path ([IO.Path]::GetTempPath()) "daily-export-$Port"
}

AfterAll {
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
    if ($script:Out) { Remove-Item $script:Out -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Export-DailyCallRecords.ps1' {
    It 'first run exports one CSV per complete UTC day, each exactly that day''s records' {
        $run = Invoke-Export @{ OutputDirectory = $Out; InitialDays = 3 }

        $run.ExitCode | Should -Be 0
        $run.Errors | Should -BeNullOrEmpty
        $run.Days.Day | Should -Be @(3, 2, 1 | ForEach-Object { $Today.AddDays(-$_).ToString('yyyy-MM-dd') })
        foreach ($back in 3, 2, 1) {
            $day = $Today.AddDays(-$back)
            $truth = Get-DayTruth $day
            $file = Get-DayFile $Out $day
            $file | Should -Exist
            $rows = @(Import-Csv $file)
            $rows.Count | Should -Be $truth.count
            @($rows.Id | Sort-Object) | Should -Be @($truth.ids | Sort-Object)
            foreach ($row in $rows) {
                [DateTimeOffset]::Parse($row.StartDateTime).UtcDateTime.Date | Should -Be $day
                $row.Modalities | Should -Match '^[a-zA-Z]+(;[a-zA-Z]+)*$'
            }
        }
        Get-DayFile $Out $Today | Should -Not -Exist
        Get-CheckpointDay (Join-Path $Out 'checkpoint.json') | Should -Be $Today.AddDays(-1).ToString('yyyy-MM-dd')
    }

    It 'writes UTF-8 without a byte order mark and CRLF line ends, the bytes Windows PowerShell 5.1 writes too' {
        $bytes = [IO.File]::ReadAllBytes((Get-DayFile $Out $Today.AddDays(-1)))
        $bytes.Length | Should -BeGreaterThan 3
        $bytes[0] | Should -Be ([byte][char]'"') -Because 'the header starts at the first byte, without a BOM'
        $text = [Text.Encoding]::UTF8.GetString($bytes)
        $text | Should -Match "`r`n$"
        ($text -split "`r`n" | Where-Object { $_ -match "`n" }) | Should -BeNullOrEmpty -Because 'every line ends with CRLF'
        $checkpoint = [IO.File]::ReadAllBytes((Join-Path $Out 'checkpoint.json'))
        $checkpoint[0] | Should -Be ([byte][char]'{')
    }

    It 're-running rewrites only the overlap day, with identical content' {
        $yesterday = Get-DayFile $Out $Today.AddDays(-1)
        $older = Get-DayFile $Out $Today.AddDays(-3)
        $hash = (Get-FileHash $yesterday).Hash
        $olderStamp = (Get-Item $older).LastWriteTimeUtc
        Clear-TestEmulatorRequest

        $run = Invoke-Export @{ OutputDirectory = $Out; OverlapDays = 1 }

        $run.ExitCode | Should -Be 0
        $run.Days.Day | Should -Be @($Today.AddDays(-1).ToString('yyyy-MM-dd'))
        (Get-FileHash $yesterday).Hash | Should -Be $hash
        (Get-Item $older).LastWriteTimeUtc | Should -Be $olderStamp
        Get-ListRequestCount | Should -BeGreaterThan 0
        @(Get-ChildItem $Out -Filter '*.tmp') | Should -BeNullOrEmpty
    }

    It 'is up to date without a request when there is no overlap' {
        Clear-TestEmulatorRequest
        $run = Invoke-Export @{ OutputDirectory = $Out; OverlapDays = 0 }
        $run.ExitCode | Should -Be 0
        $run.Days | Should -BeNullOrEmpty
        Get-ListRequestCount | Should -Be 0
    }

    It 'catches up the days after an older checkpoint' {
        $checkpoint = Join-Path $Out 'checkpoint.json'
        @{ lastCompleteDayUtc = $Today.AddDays(-3).ToString('yyyy-MM-dd') } | ConvertTo-Json | Set-Content $checkpoint

        $run = Invoke-Export @{ OutputDirectory = $Out; OverlapDays = 0 }

        $run.ExitCode | Should -Be 0
        $run.Days.Day | Should -Be @(2, 1 | ForEach-Object { $Today.AddDays(-$_).ToString('yyyy-MM-dd') })
        Get-CheckpointDay $checkpoint | Should -Be $Today.AddDays(-1).ToString('yyyy-MM-dd')
    }

    It 'exits 1 when Graph keeps failing, and leaves the files and the checkpoint as they were' {
        $checkpoint = Join-Path $Out 'checkpoint.json'
        @{ lastCompleteDayUtc = $Today.AddDays(-3).ToString('yyyy-MM-dd') } | ConvertTo-Json | Set-Content $checkpoint
        $before = Get-ChildItem $Out -Filter 'callrecords-*.csv' | ForEach-Object { @{ $_.Name = (Get-FileHash $_.FullName).Hash } }
        Set-TestEmulatorFault @{ rate = 1.0; kinds = @('truncated') }
        try {
            $run = Invoke-Export @{ OutputDirectory = $Out; OverlapDays = 0 }
        }
        finally { Set-TestEmulatorFault @{ rate = 0.0; at = @{} } }

        $run.ExitCode | Should -Be 1
        $run.Errors.Count | Should -BeGreaterThan 0
        "$($run.Errors[0])" | Should -Match 'attempts'
        Get-CheckpointDay $checkpoint | Should -Be $Today.AddDays(-3).ToString('yyyy-MM-dd')
        $after = Get-ChildItem $Out -Filter 'callrecords-*.csv' | ForEach-Object { @{ $_.Name = (Get-FileHash $_.FullName).Hash } }
        ($after | ConvertTo-Json) | Should -Be ($before | ConvertTo-Json)
        @(Get-ChildItem $Out -Filter '*.tmp') | Should -BeNullOrEmpty
    }

    It 'exits 1 when Graph cannot be reached' {
        $dead = Get-TestFreePort
        $global:LASTEXITCODE = $null
        $null = & $Export -AccessToken (Get-TestEmulatorToken) -GraphEndpoint "http://127.0.0.1:$dead" -Until $Today `
            -OutputDirectory (Join-Path $Out 'unreachable') -InitialDays 1 2>&1
        $LASTEXITCODE | Should -Be 1
    }
}
