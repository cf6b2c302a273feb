#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Every example of every cmdlet's help page (docs/<Cmdlet>.md, the source of Get-Help) runs as pasted, against the
    Graph emulator, after the one Connect line about_CallRecords shows for it. An example that needs a real tenant
    says so on its first line ("# Needs a real tenant: …") and is counted, not run. An example passes when it writes
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
            [pscustomobject]@{ Errors = $errors; Output = $output; Rendered = $rendered; Files = $files }
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
    It 'runs against the emulator without an error and produces its output' -Skip:$Tenant {
        $r = Invoke-Example $Code
        # -WhatIf writes only to the host: its example is done when it runs without an error
        $whatIf = $Code -match '-WhatIf\b'
        $ok = $r.Errors.Count -eq 0 -and ($r.Output.Count -gt 0 -or $r.Files.Count -gt 0 -or $whatIf)
        $Results.Add([pscustomobject]@{ Example = "$Cmdlet $Title"; Passed = $ok })
        $r.Errors | ForEach-Object { "$_" } | Should -BeNullOrEmpty -Because "$Cmdlet $Title runs as written:`n$Code"
        if (-not $whatIf) { ($r.Output.Count + $r.Files.Count) | Should -BeGreaterThan 0 -Because "$Cmdlet $Title writes objects or a file" }
        $r.Rendered | Should -Not -Match 'Exception' -Because 'its output renders'
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
