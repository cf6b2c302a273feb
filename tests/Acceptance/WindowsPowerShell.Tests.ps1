#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue #22 in Windows PowerShell 5.1 itself: what only a real powershell.exe (.NET Framework 4.8) can prove. Every
    test is tagged WindowsPowerShell: tests/Acceptance/Invoke-AcceptanceSuite.ps1 runs them on Windows with
    powershell.exe on PATH and counts them as not run elsewhere (Linux CI). The test tagged RealTenant as well needs a
    real tenant too (CALLRECORDS_TENANT_ID, CALLRECORDS_CLIENT_ID, CALLRECORDS_CERTIFICATE_THUMBPRINT).

    On Windows, from the repository root (PowerShell 7 runs Pester, each story runs in a fresh powershell.exe):
        dotnet tool restore
        dotnet build -c Release
        dotnet restore build/tools/TestTools.proj
        dotnet pwsh tests/Acceptance/Invoke-AcceptanceSuite.ps1 -PesterPath ./.tools/packages/pester/5.9.1/tools/Pester.psd1 -Path tests/Acceptance/WindowsPowerShell.Tests.ps1 -Verbosity Detailed

    Each story is a script written to a temp folder and run by powershell.exe -NoProfile -NonInteractive -File; it
    writes what happened as JSON (Windows PowerShell's ConvertTo-Json) for the test to check against the emulator's
    ground truth. The emulator token reaches the child in an environment variable, never on a command line.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Root = Get-TestRepositoryRoot
    # Full paths with the OS's separators: they are compared with what .NET Framework reports.
    $script:Manifest = [IO.Path]::GetFullPath((Get-TestModuleManifest))
    $script:ModuleDir = Split-Path $Manifest
    $script:Desktop = [IO.Path]::GetFullPath((Join-Path $ModuleDir 'bin/desktop'))
    $script:Fixture = [IO.Path]::GetFullPath((Join-Path $Root 'out/fixtures/OtherModule'))
    $script:Export = [IO.Path]::GetFullPath((Join-Path $Root 'examples/Export-DailyCallRecords.ps1'))
    $script:WindowsPowerShell = (Get-Command powershell.exe -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
    $script:Now = Get-TestNow
    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '71', '--records', '120', '--days', '10',
        '--now', $Now.ToString('o'), '--latency-ms', '100')
    $script:Endpoint = $Emulator.Endpoint
    $script:From = $Now.AddDays(-9)
    $script:To = $Now.AddDays(-1)
    $script:Truth = Get-TestRecordTruth -From $From -To $To
    $script:WorkDir = Join-Path ([IO.Path]::GetTempPath()) "callrecords-winps-$($Emulator.Port)"
    New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null

    # Runs a Windows PowerShell 5.1 story (its script text: 5.1 syntax only) with these parameters; returns its JSON.
    function script:Invoke-WindowsPowerShellStory([string] $Name, [string] $Script, [hashtable] $Parameters = @{}) {
        $file = Join-Path $WorkDir "$Name.ps1"
        $out = Join-Path $WorkDir "$Name.json"
        Set-Content -Path $file -Value $Script -Encoding utf8BOM # 5.1 reads a BOM-less script as the ANSI code page
        $arguments = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $file, '-OutFile', $out)
        foreach ($k in $Parameters.Keys) { $arguments += @("-$k", [string]$Parameters[$k]) }
        $env:CALLRECORDS_TEST_TOKEN = [Net.NetworkCredential]::new('', (Get-TestEmulatorToken)).Password
        try { & $WindowsPowerShell @arguments | Out-Null }
        finally { Remove-Item Env:CALLRECORDS_TEST_TOKEN -ErrorAction SilentlyContinue }
        if (-not (Test-Path $out)) { throw "powershell.exe wrote no result for $Name (exit code $LASTEXITCODE)" }
        Get-Content -Raw $out | ConvertFrom-Json
    }

    # The common head of every story: parameters, the result object, the emulator token from the environment.
    $script:StoryHead = @'
param([string] $OutFile, [string] $Manifest, [string] $Endpoint, [string] $From, [string] $To, [string] $Ids, [string] $Extra)
$ErrorActionPreference = 'Stop'
$result = [ordered]@{ errors = @() }
$token = ConvertTo-SecureString $env:CALLRECORDS_TEST_TOKEN -AsPlainText -Force
function Save { $result | ConvertTo-Json -Depth 6 | Set-Content -Path $OutFile -Encoding UTF8 }
'@
}

AfterAll {
    Stop-TestEmulator $Emulator
    if ($WorkDir) { Remove-Item -Recurse -Force $WorkDir -ErrorAction SilentlyContinue }
}

Describe 'Windows PowerShell 5.1 (powershell.exe on .NET Framework 4.8)' -Tag 'WindowsPowerShell' {
    It 'imports the module, loads the SDK from bin\desktop through the resolver and lists every record' -Tag 'WindowsPowerShell' {
        $r = Invoke-WindowsPowerShellStory 'list' ($StoryHead + @'
try {
    $result.edition = $PSVersionTable.PSEdition
    $result.framework = [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
    $result.protocolsBefore = [Net.ServicePointManager]::SecurityProtocol.ToString()
    Import-Module $Manifest
    $DebugPreference = 'Continue'
    $debug = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $Endpoint 5>&1
    $DebugPreference = 'SilentlyContinue'
    $result.debug = @($debug | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object { $_.Message })
    $records = @(Get-CallRecord -StartDateTime ([DateTimeOffset]::Parse($From)) -EndDateTime ([DateTimeOffset]::Parse($To)) -PageSize 25)
    $result.ids = @($records | ForEach-Object { $_.Id })
    $result.outputAssembly = $records[0].GetType().Assembly.Location
    $result.protocolsAfter = [Net.ServicePointManager]::SecurityProtocol.ToString()
    $result.assemblies = @([AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { $_.GetName().Name -in 'CallRecords.Sdk', 'Microsoft.Identity.Client', 'Azure.Core', 'Microsoft.Kiota.Http.HttpClientLibrary', 'System.Net.Http.WinHttpHandler', 'System.Text.Json', 'System.Memory' } |
        ForEach-Object { [ordered]@{ name = $_.GetName().Name; location = $_.Location } })
    Disconnect-CallRecordGraph
}
catch { $result.errors += "$_ | $($_.Exception.GetType().FullName)" }
Save
'@) @{ Manifest = $Manifest; Endpoint = $Endpoint; From = $From.ToString('o'); To = $To.ToString('o') }

        $r.errors | Should -BeNullOrEmpty
        $r.edition | Should -Be 'Desktop'
        $r.framework | Should -BeLike '.NET Framework 4.8*'
        @($r.ids) | Should -Be @($Truth.ids)
        $r.outputAssembly | Should -Be (Join-Path $ModuleDir 'CallRecords.dll')
        $r.debug | Should -Contain "Graph SDK: CallRecords.Sdk 0.1.0.0 from $Desktop through an AssemblyResolve handler limited to that folder."
        @($r.debug | Where-Object { $_ -like 'HTTP handlers: Desktop (TLS Tls12*' }).Count | Should -Be 1
        foreach ($a in $r.assemblies) { $a.location | Should -BeLike "$Desktop\*" -Because "$($a.name) must come from bin\desktop" }
        $r.assemblies.name | Should -Contain 'System.Net.Http.WinHttpHandler'
        # TLS is set on our handlers only: the process-wide default other modules use is as it was.
        $r.protocolsAfter | Should -Be $r.protocolsBefore
    }

    It 'runs a 24-way fan-out with -Timeout 2 and no retries without a false timeout' -Tag 'WindowsPowerShell' {
        $ids = @(Get-TestRecordTruth -From $From -To $To).ids | Select-Object -First 48
        $r = Invoke-WindowsPowerShellStory 'fanout' ($StoryHead + @'
try {
    Import-Module $Manifest
    $c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $Endpoint -Timeout 2 -MaxRetry 0 -NoDefault -PassThru
    $sessions = @($Ids -split ',' | Get-CallRecordSession -Connection $c -ThrottleLimit 24)
    $result.records = @($sessions | ForEach-Object { $_.CallRecordId } | Select-Object -Unique)
}
catch { $result.errors += "$_" }
Save
'@) @{ Manifest = $Manifest; Endpoint = $Endpoint; Ids = ($ids -join ',') }

        $r.errors | Should -BeNullOrEmpty
        @($r.records) | Should -Be @($ids)
        (Get-TestEmulatorCounter).inFlight.listSessions.max | Should -BeGreaterThan 2 -Because 'more than .NET Framework''s two connections per host are used'
    }

    It 'protects data with DPAPI through bin\desktop''s ProtectedData and signs RSA-PSS with a CNG key' -Tag 'WindowsPowerShell' {
        $r = Invoke-WindowsPowerShellStory 'crypto' ($StoryHead + @'
try {
    Import-Module $Manifest
    $desktop = Join-Path (Split-Path $Manifest) 'bin\desktop'
    $pd = [Reflection.Assembly]::LoadFrom((Join-Path $desktop 'System.Security.Cryptography.ProtectedData.dll'))
    $type = $pd.GetType('System.Security.Cryptography.ProtectedData', $true)
    $scope = [Enum]::Parse($pd.GetType('System.Security.Cryptography.DataProtectionScope', $true), 'CurrentUser')
    $protected = $type::Protect([byte[]](1, 2, 3), $null, $scope)
    $result.dpapi = ($type::Unprotect($protected, $null, $scope)) -join ','
    $key = [System.Security.Cryptography.CngKey]::Create([System.Security.Cryptography.CngAlgorithm]::Rsa)
    $rsa = New-Object System.Security.Cryptography.RSACng -ArgumentList $key
    $signature = $rsa.SignData([byte[]](1, 2, 3), [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pss)
    $result.pss = $rsa.VerifyData([byte[]](1, 2, 3), $signature, [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pss)
}
catch { $result.errors += "$_" }
Save
'@) @{ Manifest = $Manifest }

        $r.errors | Should -BeNullOrEmpty
        $r.dpapi | Should -Be '1,2,3'
        $r.pss | Should -BeTrue
    }

    It 'refuses, naming the module, when another module''s System.Memory would split CallRecords in two' -Tag 'WindowsPowerShell' {
        $other = Join-Path $WorkDir 'OtherModule/1.0.0'
        New-Item -ItemType Directory -Force $other | Out-Null
        Copy-Item (Join-Path $Fixture 'System.Memory.dll') $other
        Set-Content (Join-Path $other 'OtherModule.psd1') "@{ ModuleVersion = '1.0.0' }"
        $r = Invoke-WindowsPowerShellStory 'conflict' ($StoryHead + @'
try {
    $null = [Reflection.Assembly]::LoadFrom((Join-Path $Extra 'System.Memory.dll'))
    Import-Module $Manifest
    Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $Endpoint
    $result.connected = $true
}
catch { $result.errors += "$_"; $result.errorId = $_.FullyQualifiedErrorId; $result.action = $_.ErrorDetails.RecommendedAction }
Save
'@) @{ Manifest = $Manifest; Endpoint = $Endpoint; Extra = $other }

        $r.connected | Should -BeNullOrEmpty
        $r.errorId | Should -BeLike 'AssemblyConflict,*'
        "$($r.errors)" | Should -BeLike '*System.Memory 4.0.1.2 was loaded by the module OtherModule*'
        $r.action | Should -BeLike '*before importing OtherModule*'
    }

    It 'Export-DailyCallRecords.ps1 writes the same bytes in Windows PowerShell 5.1 and PowerShell 7' -Tag 'WindowsPowerShell' {
        $until = $Now.UtcDateTime.Date
        $wrapper = Join-Path $WorkDir 'export.ps1'
        Set-Content -Path $wrapper -Encoding utf8BOM -Value @'
param([string] $Export, [string] $Manifest, [string] $Endpoint, [string] $Out, [string] $Until)
$token = ConvertTo-SecureString $env:CALLRECORDS_TEST_TOKEN -AsPlainText -Force
& $Export -AccessToken $token -GraphEndpoint $Endpoint -OutputDirectory $Out -InitialDays 3 -ModulePath $Manifest `
    -Until ([datetime]::ParseExact($Until, 'yyyy-MM-dd', [cultureinfo]::InvariantCulture))
exit $LASTEXITCODE
'@
        $common = @('-File', $wrapper, '-Export', $Export, '-Manifest', $Manifest, '-Endpoint', $Endpoint, '-Until', $until.ToString('yyyy-MM-dd'))
        $env:CALLRECORDS_TEST_TOKEN = [Net.NetworkCredential]::new('', (Get-TestEmulatorToken)).Password
        try {
            & $WindowsPowerShell -NoProfile -NonInteractive -ExecutionPolicy Bypass @common -Out (Join-Path $WorkDir 'export51') | Out-Null
            $LASTEXITCODE | Should -Be 0
            Invoke-TestPwsh -NoProfile -NonInteractive @common -Out (Join-Path $WorkDir 'export7') | Out-Null
            $LASTEXITCODE | Should -Be 0
        }
        finally { Remove-Item Env:CALLRECORDS_TEST_TOKEN -ErrorAction SilentlyContinue }

        $files51 = @(Get-ChildItem (Join-Path $WorkDir 'export51') -Filter 'callrecords-*.csv' | Sort-Object Name)
        $files7 = @(Get-ChildItem (Join-Path $WorkDir 'export7') -Filter 'callrecords-*.csv' | Sort-Object Name)
        $files51.Count | Should -Be 3
        $files7.Name | Should -Be $files51.Name
        for ($i = 0; $i -lt $files51.Count; $i++) {
            (Get-FileHash $files7[$i].FullName).Hash | Should -Be (Get-FileHash $files51[$i].FullName).Hash -Because "$($files51[$i].Name) must be byte-identical"
        }
    }

    It 'signs in to a real tenant with a certificate over TLS 1.2 or later' -Tag 'WindowsPowerShell', 'RealTenant' {
        $r = Invoke-WindowsPowerShellStory 'tenant' ($StoryHead + @'
try {
    Import-Module $Manifest
    $c = Connect-CallRecordGraph -TenantId $env:CALLRECORDS_TENANT_ID -ClientId $env:CALLRECORDS_CLIENT_ID -CertificateThumbprint $env:CALLRECORDS_CERTIFICATE_THUMBPRINT -NoDefault -PassThru
    $result.roles = @($c.Roles)
    $result.first = @(Get-CallRecord -Connection $c -StartDateTime ([DateTimeOffset]::UtcNow.AddDays(-1)) -First 1).Count
}
catch { $result.errors += "$_" }
Save
'@) @{ Manifest = $Manifest }

        $r.errors | Should -BeNullOrEmpty
        $r.roles | Should -Contain 'CallRecords.Read.All'
    }
}
