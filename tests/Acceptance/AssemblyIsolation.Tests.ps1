#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue #11 in real pwsh: the module's Graph SDK half (Microsoft.Graph, Kiota, Azure.Core/Azure.Identity, MSAL) loads
    into the module's own AssemblyLoadContext at the first connect, and the objects it writes come from the default
    context. Each story runs in a fresh child pwsh, so what is loaded is this story's alone; the child writes a JSON
    summary to a file. With a real Microsoft module installed (Microsoft.Graph.Authentication, Az.Accounts,
    MicrosoftTeams, PnP.PowerShell), that module is imported before and after this one in the same process.
    The same behaviour is covered here by tests/CallRecords.PS.Tests/Isolation (a fixture module on older versions).
#>

BeforeDiscovery {
    $script:OtherModules = @('Microsoft.Graph.Authentication', 'Az.Accounts', 'MicrosoftTeams', 'PnP.PowerShell') |
        Where-Object { Get-Module -ListAvailable -Name $_ } | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Helpers = Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1'
    $script:Manifest = Get-TestModuleManifest
    $script:ModuleDir = Split-Path $Manifest
    $script:Now = Get-TestNow
    $script:Emulator = Start-TestEmulator -ArgumentList @('--accept-any-token', '--throttle', 'off', '--seed', '61', '--records', '60',
        '--now', $Now.ToString('o'))
    $script:Endpoint = $Emulator.Endpoint
    $script:From = $Now.AddDays(-20)
    $script:To = $Now.AddDays(-1)
    $script:Truth = Get-TestRecordTruth -From $From -To $To
    $script:WorkDir = Join-Path ([IO.Path]::GetTempPath()) "callrecords-isolation-$($Emulator.Port)"
    New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null

    # The child: optionally another module first, then ours (connect, list), optionally another module after;
    # reports record ids, the load context of the output type and of each Graph SDK assembly, and any error.
    $script:Story = Join-Path $WorkDir 'story.ps1'
    @'
param([string] $Helpers, [string] $Manifest, [string] $Endpoint, [string] $From, [string] $To, [string] $Before, [string] $After, [string] $OutFile)
$ErrorActionPreference = 'Stop'
$result = [ordered]@{ errors = @() }
try {
    if ($Before) { Import-Module $Before; $result.before = (Get-Module $Before).Version.ToString() }
    Import-Module $Helpers
    Import-Module $Manifest
    Connect-TestEmulator -Endpoint $Endpoint
    $records = @(Get-CallRecord -StartDateTime ([DateTimeOffset]::Parse($From)) -EndDateTime ([DateTimeOffset]::Parse($To)) -PageSize 25)
    $result.ids = @($records | ForEach-Object Id)
    $alc = [System.Runtime.Loader.AssemblyLoadContext]
    $result.outputContextIsDefault = $alc::GetLoadContext($records[0].GetType().Assembly) -eq $alc::Default
    $result.sdk = @([AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { $_.GetName().Name -in 'CallRecords.Sdk', 'Microsoft.Graph', 'Microsoft.Kiota.Abstractions', 'Azure.Core', 'Microsoft.Identity.Client' } |
        Where-Object { $_.Location -like "$(Split-Path $Manifest)*" } |
        ForEach-Object { [ordered]@{ name = $_.GetName().Name; default = ($alc::GetLoadContext($_) -eq $alc::Default); location = $_.Location } })
    if ($After) { Import-Module $After; $result.after = (Get-Module $After).Version.ToString() }
}
catch { $result.errors += "$_" }
$result | ConvertTo-Json -Depth 5 | Set-Content -Path $OutFile
'@ | Set-Content -Path $Story

    function script:Invoke-Story([string] $Before, [string] $After) {
        $out = Join-Path $WorkDir "result-$([guid]::NewGuid()).json"
        $arguments = @('-NoProfile', '-NonInteractive', '-File', $Story, '-Helpers', $Helpers, '-Manifest', $Manifest, '-Endpoint', $Endpoint,
            '-From', $From.ToString('o'), '-To', $To.ToString('o'), '-OutFile', $out)
        # An empty argument would not reach the child; name a module only when there is one.
        if ($Before) { $arguments += @('-Before', $Before) }
        if ($After) { $arguments += @('-After', $After) }
        Invoke-TestPwsh @arguments | Out-Null
        Get-Content -Raw $out | ConvertFrom-Json
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
        $r = Invoke-Story
        $r.errors | Should -BeNullOrEmpty
        @($r.ids) | Should -Be @($Truth.ids)
        $r.outputContextIsDefault | Should -BeTrue
        $r.sdk.name | Should -Contain 'CallRecords.Sdk'
        $r.sdk.name | Should -Contain 'Microsoft.Graph'
        $r.sdk | ForEach-Object { $_.default | Should -BeFalse -Because "$($_.name) must not load into the default context" }
    }

    It 'works after <Name> was imported first, and <Name> imports after it' -ForEach $OtherModules {
        $first = Invoke-Story -Before $Name
        $first.errors | Should -BeNullOrEmpty
        @($first.ids) | Should -Be @($Truth.ids)
        $first.before | Should -Not -BeNullOrEmpty

        $second = Invoke-Story -After $Name
        $second.errors | Should -BeNullOrEmpty
        @($second.ids) | Should -Be @($Truth.ids)
        $second.after | Should -Not -BeNullOrEmpty
    }
}
