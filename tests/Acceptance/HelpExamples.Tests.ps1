#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Every example of every cmdlet's help page (docs/<Cmdlet>.md, the source of Get-Help) runs as pasted, against the
    Graph emulator, after the one Connect line about_CallRecords shows for it. An example that needs a real tenant
    says so on its first line ("# Needs a real tenant: …"); it is parsed and counted, not run. An example passes when it writes
    no error and produces what it is for: pipeline output (rendered through Out-String, so its Format-* views work
    too) or the file it exports. At least 40 examples run and at least 95 % pass.
    Run through build.ps1 -Task Test, or Invoke-Pester tests/Acceptance/HelpExamples.Tests.ps1 (after dotnet build -c Release).
#>

BeforeDiscovery {
    $docs = Join-Path $PSScriptRoot '../../docs'
    $script:Examples = foreach ($file in Get-ChildItem $docs -Filter '*-CallRecord*.md') {
        $text = Get-Content -Raw $file.FullName
        $cmdlet = $file.BaseName
        $section = ($text -split '(?m)^## EXAMPLES\s*$', 2)[1]
        if (-not $section) { continue }
        $section = ($section -split '(?m)^## (?!#)', 2)[0]
        foreach ($m in [regex]::Matches($section, '(?ms)^### (?<title>Example \d+[^\r\n]*)\r?\n```powershell\r?\n(?<code>.*?)\r?\n```(?<text>.*?)(?=^### |\z)')) {
            $code = $m.Groups['code'].Value
            @{
                Cmdlet = $cmdlet
                Title  = $m.Groups['title'].Value.Trim()
                Code   = $code
                Text   = $m.Groups['text'].Value.Trim()
                Tenant = $code -match '^\s*# Needs a real tenant'
            }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Now = Get-TestNow
    $freePort = Get-TestFreePort
    # the emulator as about_CallRecords starts it: generated records of the last 30 days, any token accepted, writes on
    $script:Emulator = Start-TestEmulator -Port $freePort -LogPath (Join-Path ([IO.Path]::GetTempPath()) "emulator-examples-$freePort") -ArgumentList @(
        '--accept-any-token', '--throttle', 'off', '--seed', '42', '--records', '300',
        '--log-rows', '2000', '--log-days', '60', '--now', $Now.ToString('o'))
    Import-Module (Get-TestModuleManifest) -Force
    $script:Endpoint = $Emulator.Endpoint
    # The two connect lines of about_CallRecords ("Testing against the emulator"), with this emulator's port.
    $script:ConnectLine = "`$token = (Invoke-RestMethod -Method Post $Endpoint/_emulator/tokens -Body '{}' -ContentType application/json).access_token`n" +
        "Connect-CallRecordGraph -AccessToken (`$token | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Endpoint"
    $script:Results = [System.Collections.Generic.List[object]]::new()

    # The name of the last command of the example's last statement (Export-Csv, Format-Table, Get-CallRecord, …).
    function script:Get-LastCommand([string] $Code) {
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $null)
        $statement = @($ast.EndBlock.Statements)[-1]
        if ($statement -is [System.Management.Automation.Language.PipelineAst]) {
            $element = @($statement.PipelineElements)[-1]
            if ($element -is [System.Management.Automation.Language.CommandAst]) { return $element.GetCommandName() }
        }
        $null
    }

    function script:Invoke-Example([string] $Code) {
        $dir = Join-Path ([IO.Path]::GetTempPath()) "callrecords-example-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Path $dir
        Push-Location $dir
        $env:TEMP = $dir
        try {
            . ([scriptblock]::Create($ConnectLine)) | Out-Null
            $block = [scriptblock]::Create($Code)
            $failure = $null
            $all = try { & $block 2>&1 } catch { $failure = $_ }
            $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($failure | Where-Object { $_ })
            $output = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
            $rendered = ($output | Out-String -Width 120)
            $files = @(Get-ChildItem $dir -File -Recurse | Where-Object Length -GT 0)
            $csvRows = @($files | Where-Object Extension -EQ '.csv' | ForEach-Object { @(Import-Csv $_.FullName).Count })
            [pscustomobject]@{ Errors = $errors; Output = $output; Rendered = $rendered; Files = $files; CsvRows = $csvRows }
        }
        finally {
            Pop-Location
            Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue
            Disconnect-CallRecordGraph -ErrorAction SilentlyContinue
        }
    }
}

AfterAll {
    Disconnect-CallRecordGraph -ErrorAction SilentlyContinue
    Remove-Module CallRecords -ErrorAction SilentlyContinue
    Stop-TestEmulator $script:Emulator
    $env:TEMP = $null
}

Describe '<Cmdlet> <Title>' -ForEach $Examples {
    It 'is valid PowerShell' {
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $errors)
        $errors | Should -BeNullOrEmpty
    }

    # A tenant-only example cannot run here; it is parsed above and must say why on its first line.
    It 'needs a real tenant and says why' -ForEach @($_ | Where-Object Tenant) {
        $Code | Should -Match '^\s*# Needs a real tenant: \S'
    }

    It 'runs against the emulator without an error and produces its output' -ForEach @($_ | Where-Object { -not $_.Tenant }) {
        $r = Invoke-Example $Code
        # -WhatIf writes only to the host: its example is done when it runs without an error
        $whatIf = $Code -match '-WhatIf\b'
        $Results.Add([pscustomobject]@{ Example = "$Cmdlet $Title"; Passed = $false })
        $r.Errors | ForEach-Object { "$_" } | Should -BeNullOrEmpty -Because "$Cmdlet $Title runs as written:`n$Code"
        if (-not $whatIf) { ($r.Output.Count + $r.Files.Count) | Should -BeGreaterThan 0 -Because "$Cmdlet $Title writes objects or a file" }
        $r.Rendered | Should -Not -Match 'Exception' -Because 'its output renders'
        # What the example ends in is what it is for: an Export-Csv writes a file with rows; a cmdlet of the module
        # writes the type its help's OUTPUTS names (Get-Command's OutputType).
        $last = Get-LastCommand $Code
        if ($last -eq 'Export-Csv') {
            ($r.CsvRows | Measure-Object -Sum).Sum | Should -BeGreaterThan 0 -Because "$Cmdlet $Title exports rows"
        }
        elseif ($last -and (Get-Command $last -Module CallRecords -ErrorAction SilentlyContinue)) {
            $types = @((Get-Command $last -Module CallRecords).OutputType.Type | Where-Object { $_ -and $_ -ne [void] })
            if ($types -and -not $whatIf) {
                $r.Output | Should -Not -BeNullOrEmpty -Because "$Cmdlet $Title writes $($types.Name -join ' or ')"
                foreach ($o in $r.Output) { $types.FullName | Should -Contain $o.GetType().FullName -Because "$Cmdlet $Title writes what $last declares" }
            }
        }
        $Results[-1].Passed = $true
    }
}

Describe 'The help examples as a whole' {
    It 'are at least 40 that run against the emulator, of which at least 95 % pass' {
        $ran = @($Examples | Where-Object { -not $_.Tenant }).Count
        $ran | Should -BeGreaterOrEqual 40
        $Results.Count | Should -Be $ran
        $passed = @($Results | Where-Object Passed).Count
        Write-Host "Help examples: $ran run against the emulator, $passed passed, $(@($Examples | Where-Object Tenant).Count) need a real tenant"
        ($passed / $ran) | Should -BeGreaterOrEqual 0.95
    }

    It 'mark every example that cannot run against the emulator, and only those' {
        foreach ($e in $Examples | Where-Object Tenant) {
            $e.Code | Should -Match '^\s*# Needs a real tenant: \S' -Because "$($e.Cmdlet) $($e.Title) says why"
        }
    }
}

Describe 'The -IncludeTotalCount help of every list cmdlet' {
    It 'says on every cmdlet that has it that the total comes first and how accurate it is' {
        $paged = @(Get-Command -Module CallRecords | Where-Object { $_.Parameters.ContainsKey('IncludeTotalCount') })
        $paged.Count | Should -BeGreaterOrEqual 6
        foreach ($c in $paged) {
            $page = Get-Content -Raw (Join-Path $PSScriptRoot "../../docs/$($c.Name).md")
            $section = [regex]::Match($page, '(?ms)^### -IncludeTotalCount\s*\r?\n(?<text>.*?)```').Groups['text'].Value
            $section | Should -Match '\b(first|before)\b' -Because "$($c.Name) says the total object comes first"
            $section | Should -Match 'accura|unknown' -Because "$($c.Name) says how accurate the total is"
        }
    }
}
