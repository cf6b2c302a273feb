#Requires -Version 7.2
<#
.SYNOPSIS
    Runs the Pester acceptance suite (tests/Acceptance/*.Tests.ps1) in this pwsh with the Pester module at -PesterPath.
.DESCRIPTION
    build.ps1 -Task Test starts this in a fresh child pwsh, with Pester 5.9.1 restored from NuGet
    (build/tools/TestTools.proj) — nothing comes from PSGallery or from PSModulePath.

    Tests that need what this machine cannot have are tagged and not run, and are counted in the output (a tag on a
    Describe or Context counts for every test in it):
      RealTenant          a real Microsoft 365 tenant (runs when CALLRECORDS_TENANT_ID is set)
      WindowsPowerShell   powershell.exe 5.1 (runs on Windows when powershell.exe is on PATH)
      InteractiveSession  a process with an interactive user session (not a service, nor a scheduled task that runs
                          whether the user is logged on or not: there [Environment]::UserInteractive is false)
      Terminal            a pseudo-terminal, to see what pwsh draws (util-linux script, on Linux)
      SslCertFile         trusting the emulator's test CA through SSL_CERT_FILE, which .NET reads on Linux and macOS
                          only (on Windows the CA would have to go into the certificate store)
      ModuleNotInstalled  a Microsoft module that is not installed here (the tests that import a real Microsoft
                          module carry this tag when Get-Module -ListAvailable does not find it)
    Writes a JUnit XML report to -ResultPath and a JSON summary ({ passed, failed, skipped, notRun, notRunByTag }) to
    -SummaryPath. The exit code is 1 when a test failed or the run broke, else 0.
.EXAMPLE
    dotnet pwsh tests/Acceptance/Invoke-AcceptanceSuite.ps1 -PesterPath .tools/packages/pester/5.9.1/tools/Pester.psd1
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [string[]] $Path = @($PSScriptRoot),
    [string] $ResultPath,
    [string] $SummaryPath,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')] [string] $Verbosity = 'Normal'
)

$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path -LiteralPath $PesterPath).Path -Force
$pester = Get-Module Pester
Write-Host "Pester $($pester.Version) from $($pester.ModuleBase); PowerShell $($PSVersionTable.PSVersion) ($PSHOME)"

# What this machine cannot run, with the reason printed beside the count.
$unavailable = [ordered]@{}
if (-not $env:CALLRECORDS_TENANT_ID) { $unavailable.RealTenant = 'no real tenant here (set CALLRECORDS_TENANT_ID, CALLRECORDS_CLIENT_ID, CALLRECORDS_CERTIFICATE_THUMBPRINT)' }
if (-not ($IsWindows -and (Get-Command powershell.exe -ErrorAction SilentlyContinue))) { $unavailable.WindowsPowerShell = 'needs powershell.exe 5.1 on Windows' }
if (-not [Environment]::UserInteractive) { $unavailable.InteractiveSession = 'needs an interactive user session (this runner has none: a service or a task that runs whether the user is logged on or not)' }
if (-not ($IsLinux -and (Get-Command script -CommandType Application -ErrorAction SilentlyContinue))) { $unavailable.Terminal = 'needs a pseudo-terminal to see what pwsh draws (util-linux script, on Linux)' }
if ($IsWindows) { $unavailable.SslCertFile = "needs SSL_CERT_FILE to trust the emulator's test CA, which .NET ignores on Windows (the CA would have to go into the certificate store)" }
$unavailable.ModuleNotInstalled = 'the Microsoft module they import is not installed here (PSGallery is not reachable); the fixture module tests/Fixtures/OtherModule stands in for it'

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.Exit = $false
$config.Run.PassThru = $true
$config.Output.Verbosity = $Verbosity
$config.Filter.ExcludeTag = @($unavailable.Keys)
if ($ResultPath) {
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'JUnitXml'
    $config.TestResult.OutputPath = $ResultPath
}

$result = Invoke-Pester -Configuration $config

# A test's tags with those of every block around it (a Describe's tag excludes the tests inside it).
function Get-TestTags($Test) {
    $Test.Tag
    for ($block = $Test.Block; $block; $block = $block.Parent) { $block.Tag }
}
$notRunByTag = [ordered]@{}
foreach ($test in @($result.Tests | Where-Object Result -EQ 'NotRun')) {
    $tag = @(Get-TestTags $test | Where-Object { $_ -and $unavailable.Contains($_) })[0]
    if (-not $tag) { $tag = 'other' }
    $notRunByTag[$tag] = 1 + [int]$notRunByTag[$tag]
}
foreach ($tag in $notRunByTag.Keys) {
    $why = if ($unavailable.Contains($tag)) { $unavailable[$tag] } else { 'not run' }
    Write-Host "Pester: $($notRunByTag[$tag]) test(s) tagged $tag not run: $why"
}
# A container (file) that fails in BeforeAll/discovery counts as failed even when its tests are not counted.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
$summary = [ordered]@{
    passed      = $result.PassedCount
    failed      = $failed
    skipped     = $result.SkippedCount
    notRun      = $result.NotRunCount
    notRunByTag = $notRunByTag
    total       = $result.TotalCount
}
if ($SummaryPath) { $summary | ConvertTo-Json | Set-Content -Path $SummaryPath }
Write-Host "Pester: $($summary.passed) passed, $failed failed, $($summary.skipped) skipped, $($summary.notRun) not run"
exit ([int]($failed -gt 0))
