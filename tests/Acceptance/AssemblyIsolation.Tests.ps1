#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue #11 in real pwsh: the module's Graph SDK half (Microsoft.Graph, Kiota, Azure.Core/Azure.Identity, MSAL) loads
    into the module's own AssemblyLoadContext at the first connect, and the objects it writes come from the default
    context. Each story runs in a fresh child pwsh, so what is loaded is this story's alone; the child writes a JSON
    summary to a file.
    Another binary module is imported before and after this one in the same process: always the fixture module
    tests/Fixtures/OtherModule (older Azure.Identity and MSAL, another major Kiota.Abstractions, loaded the classic way
    into the default context), which gets real tokens from the emulator's identity face over HTTPS (the child trusts
    the emulator's test CA through SSL_CERT_FILE, hence the SslCertFile tag: not on Windows); and each real Microsoft
    module (Microsoft.Graph.Authentication, Az.Accounts, MicrosoftTeams, PnP.PowerShell) that is installed — one that
    is not installed is tagged ModuleNotInstalled, so the runner counts it instead of running it.
    The same behaviour is covered by tests/CallRecords.PS.Tests/Isolation (the fixture in an engine-only host process).
#>

BeforeDiscovery {
    $script:MicrosoftModules = @('Microsoft.Graph.Authentication', 'Az.Accounts', 'MicrosoftTeams', 'PnP.PowerShell') |
        ForEach-Object { @{ Name = $_; Installed = [bool](Get-Module -ListAvailable -Name $_) } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Helpers = Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1'
    $script:Manifest = Get-TestModuleManifest
    $script:ModuleDir = Split-Path $Manifest
    $script:Fixture = Join-Path (Get-TestRepositoryRoot) 'out/fixtures/OtherModule/OtherModule.dll'
    $script:Now = Get-TestNow
    $graphPort = Get-TestFreePort
    $httpsPort = Get-TestFreePort
    $miPort = Get-TestFreePort
    $script:WorkDir = Join-Path ([IO.Path]::GetTempPath()) "callrecords-isolation-$graphPort"
    New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null
    $script:CaFile = Join-Path $WorkDir 'emulator-ca.pem'
    $script:Authority = "https://127.0.0.1:$httpsPort"
    $identityControl = "http://127.0.0.1:$miPort/_emulator"
    $script:Tenant = 'dc368399-474c-4d40-900c-6265431fd81f'
    # The identity face too (the fixture's token requests): wait for its control routes.
    $script:Emulator = Start-TestEmulator -Port $graphPort -ReadyUrl "$identityControl/token-requests" -ArgumentList @('--accept-any-token',
        '--throttle', 'off', '--seed', '61', '--records', '60', '--now', $Now.ToString('o'),
        '--https-port', $httpsPort, '--mi-port', $miPort, '--ca-out', $CaFile)
    $script:Endpoint = $Emulator.Endpoint
    $script:From = $Now.AddDays(-20)
    $script:To = $Now.AddDays(-1)
    $script:Truth = Get-TestRecordTruth -From $From -To $To
    # An app the fixture module signs in as (a throw-away secret of the emulator's own identity face).
    $script:Client = [guid]::NewGuid().ToString()
    $script:Secret = 'fixture-' + [guid]::NewGuid()
    $app = @{ tenantId = $Tenant; clientId = $Client; secret = $Secret; roles = @('CallRecords.Read.All') }
    $null = Invoke-RestMethod -Method Post "$identityControl/apps" -Body ($app | ConvertTo-Json) -ContentType 'application/json'

    # The child: optionally another module first, then ours (connect, list), optionally another module after;
    # reports record ids, the load context of the output type and of each Graph SDK assembly, what the other module
    # did (the fixture: real tokens through its own Azure.Identity and MSAL, a URL through its own Kiota), and errors.
    $script:Story = Join-Path $WorkDir 'story.ps1'
    @'
param([string] $Helpers, [string] $Manifest, [string] $Endpoint, [string] $From, [string] $To, [string] $Before, [string] $After,
    [string] $Authority, [string] $Tenant, [string] $Client, [string] $Secret, [string] $OutFile)
$ErrorActionPreference = 'Stop'
$result = [ordered]@{ errors = @() }
$alc = [System.Runtime.Loader.AssemblyLoadContext]
function Use-Other([string] $Module) {
    $m = Import-Module $Module -PassThru | Select-Object -First 1
    $report = [ordered]@{ name = $m.Name; version = $m.Version.ToString() }
    if ($m.Name -eq 'OtherModule') {
        $t = Get-OtherModuleToken -AuthorityHost $Authority -TenantId $Tenant -ClientId $Client -ClientSecret $Secret -GraphEndpoint $Endpoint
        $report.azureIdentity = $t.AzureIdentityVersion; $report.msal = $t.MsalVersion; $report.kiota = $t.KiotaVersion
        $report.tokens = @($t.AzureIdentityTokenLength, $t.MsalTokenLength); $report.kiotaUrl = $t.KiotaUrl
        $report.defaultContext = @([AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -in 'Azure.Identity', 'Microsoft.Identity.Client', 'Microsoft.Kiota.Abstractions' -and $alc::GetLoadContext($_) -eq $alc::Default } |
            ForEach-Object { [ordered]@{ name = $_.GetName().Name; version = $_.GetName().Version.ToString(); location = $_.Location } })
    }
    $report
}
try {
    if ($Before) { $result.before = Use-Other $Before }
    Import-Module $Helpers
    Import-Module $Manifest
    Connect-TestEmulator -Endpoint $Endpoint
    $records = @(Get-CallRecord -StartDateTime ([DateTimeOffset]::Parse($From)) -EndDateTime ([DateTimeOffset]::Parse($To)) -PageSize 25)
    $result.ids = @($records | ForEach-Object Id)
    $result.outputContextIsDefault = $alc::GetLoadContext($records[0].GetType().Assembly) -eq $alc::Default
    $result.sdk = @([AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { $_.GetName().Name -in 'CallRecords.Sdk', 'Microsoft.Graph', 'Microsoft.Kiota.Abstractions', 'Azure.Core', 'Microsoft.Identity.Client' } |
        Where-Object { $_.Location -like "$(Split-Path $Manifest)*" } |
        ForEach-Object { [ordered]@{ name = $_.GetName().Name; default = ($alc::GetLoadContext($_) -eq $alc::Default); location = $_.Location } })
    if ($After) { $result.after = Use-Other $After }
}
catch { $result.errors += "$_" }
$result | ConvertTo-Json -Depth 5 | Set-Content -Path $OutFile
'@ | Set-Content -Path $Story

    function script:Invoke-Story([string] $Before, [string] $After) {
        $out = Join-Path $WorkDir "result-$([guid]::NewGuid()).json"
        $arguments = @('-NoProfile', '-NonInteractive', '-File', $Story, '-Helpers', $Helpers, '-Manifest', $Manifest, '-Endpoint', $Endpoint,
            '-From', $From.ToString('o'), '-To', $To.ToString('o'), '-Authority', $Authority, '-Tenant', $Tenant, '-Client', $Client,
            '-Secret', $Secret, '-OutFile', $out)
        # An empty argument would not reach the child; name a module only when there is one.
        if ($Before) { $arguments += @('-Before', $Before) }
        if ($After) { $arguments += @('-After', $After) }
        $previous = $env:SSL_CERT_FILE
        try {
            $env:SSL_CERT_FILE = $CaFile
            Invoke-TestPwsh @arguments | Out-Null
        }
        finally { $env:SSL_CERT_FILE = $previous }
        Get-Content -Raw $out | ConvertFrom-Json
    }

    # What our side must show in every story.
    function script:Assert-OursWorked($Result) {
        $Result.errors | Should -BeNullOrEmpty
        Assert-TestTruth -Expected $Truth.ids -Actual $Result.ids -What 'call records listed'
        $Result.outputContextIsDefault | Should -BeTrue
        $Result.sdk.name | Should -Contain 'CallRecords.Sdk'
        $Result.sdk.name | Should -Contain 'Microsoft.Graph'
        $Result.sdk | ForEach-Object { $_.default | Should -BeFalse -Because "$($_.name) must not load into the default context" }
    }

    # The fixture did real work with its own, other versions, loaded into the default context from its own folder.
    function script:Assert-TheirsWorked($Report) {
        $Report.name | Should -Be 'OtherModule'
        $bin = Join-Path $ModuleDir 'bin'
        [version]$Report.azureIdentity | Should -BeLessThan ([Reflection.AssemblyName]::GetAssemblyName((Join-Path $bin 'Azure.Identity.dll')).Version)
        [version]$Report.msal | Should -BeLessThan ([Reflection.AssemblyName]::GetAssemblyName((Join-Path $bin 'Microsoft.Identity.Client.dll')).Version)
        ([version]$Report.kiota).Major | Should -Not -Be ([Reflection.AssemblyName]::GetAssemblyName((Join-Path $bin 'Microsoft.Kiota.Abstractions.dll')).Version.Major)
        $Report.tokens | ForEach-Object { $_ | Should -BeGreaterThan 100 }
        $Report.kiotaUrl | Should -Be "$Endpoint/v1.0/communications/callRecords/abc"
        @($Report.defaultContext.name | Sort-Object) | Should -Be @('Azure.Identity', 'Microsoft.Identity.Client', 'Microsoft.Kiota.Abstractions')
        $Report.defaultContext | ForEach-Object { $_.location | Should -BeLike "$(Split-Path $Fixture)*" }
    }
}

AfterAll {
    Stop-TestEmulator $Emulator
    if ($WorkDir) { Remove-Item -Recurse -Force $WorkDir -ErrorAction SilentlyContinue }
}

Describe 'The built module layout' {
    It 'has only the root assembly beside the manifest and the Graph SDK half in bin/' {
        @(Get-ChildItem $ModuleDir -Filter *.dll | ForEach-Object Name) | Should -Be @('CallRecords.dll')
        Join-Path $ModuleDir 'bin/CallRecords.Sdk.dll' | Should -Exist
        Join-Path $ModuleDir 'bin/Microsoft.Graph.dll' | Should -Exist
        Join-Path $ModuleDir 'bin/Azure.Core.dll' | Should -Exist
    }
}

Describe 'Loading the Graph SDK into the module''s own context' {
    It 'lists every record, with output types from the default context and the SDK from a private one' {
        Assert-OursWorked (Invoke-Story)
    }

    It 'works after another module on older Azure.Identity, MSAL and Kiota was imported and used first, and that one still works after it' -Tag 'SslCertFile' {
        $Fixture | Should -Exist
        $first = Invoke-Story -Before $Fixture
        Assert-OursWorked $first
        Assert-TheirsWorked $first.before

        $second = Invoke-Story -After $Fixture
        Assert-OursWorked $second
        Assert-TheirsWorked $second.after
    }

    # One test per Microsoft module, installed or not: one that is missing is counted by the runner, not hidden.
    foreach ($module in $MicrosoftModules) {
        $tags = if ($module.Installed) { @() } else { @('ModuleNotInstalled') }
        It "works after $($module.Name) was imported first, and $($module.Name) imports after it" -Tag $tags -TestCases @($module) {
            $first = Invoke-Story -Before $Name
            Assert-OursWorked $first
            $first.before.version | Should -Not -BeNullOrEmpty

            $second = Invoke-Story -After $Name
            Assert-OursWorked $second
            $second.after.version | Should -Not -BeNullOrEmpty
        }
    }
}
