using System.Collections;
using System.Management.Automation;
using CallRecords.Cmdlets;
using Xunit;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.PS.Tests.Unit;

/// <summary>The pure parts of the progress decision: pwsh's and powershell.exe's command line, the override's values
/// and Azure Automation's job metadata. The host rules are tested in the hosted engine (ProgressAndDebugTests).</summary>
public sealed class ProgressPolicyTests
{
    [Theory]
    [InlineData("-NonInteractive -File x.ps1")]
    [InlineData("-noni -File x.ps1")]
    [InlineData("-NonI -Command Get-CallRecord")]
    [InlineData("-nonint")]
    [InlineData("--noninteractive")]
    [InlineData("/NonInteractive")]
    [InlineData("\u2013NonInteractive")]
    [InlineData("-NoProfile -ExecutionPolicy Bypass -NonInteractive -File x.ps1")]
    [InlineData("-ep Bypass -noni x.ps1")]
    [InlineData("-WindowStyle Hidden -NoLogo -NonInteractive -File C:\\jobs\\export.ps1 -Day 1")]
    [InlineData("-EncodedCommand ZQBjAGgAbwA= -NonInteractive")]
    [InlineData("-Version 5.1 -NonInteractive")]
    [InlineData("-Interactive -NonInteractive")]
    public void NonInteractiveSwitchIsFound(string commandLine) =>
        Assert.True(ProgressPolicy.HasNonInteractiveSwitch(commandLine.Split(' ')));

    [Theory]
    [InlineData("")]
    [InlineData("-NoProfile")]
    [InlineData("-non")] // shorter than pwsh's shortest accepted prefix, noni: pwsh takes it as a file name
    [InlineData("-File x.ps1 -NonInteractive")] // the script's own argument
    [InlineData("x.ps1 -NonInteractive")]
    [InlineData("-Command Write-Output -NonInteractive")]
    [InlineData("-c Get-CallRecord -noni")]
    [InlineData("-NonInteractive -Interactive")]
    [InlineData("-ExecutionPolicy -NonInteractive")] // the policy's value, however odd
    [InlineData("-Version")]
    public void NoNonInteractiveSwitch(string commandLine) =>
        Assert.False(ProgressPolicy.HasNonInteractiveSwitch(commandLine.Length == 0 ? Array.Empty<string>() : commandLine.Split(' ')));

    [Theory]
    [InlineData("on", true)]
    [InlineData(" ON ", true)]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("off", false)]
    [InlineData("Off", false)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("auto", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("maybe", null)]
    public void OverrideValues(string? value, bool? expected) => Assert.Equal(expected, ProgressPolicy.ParseOverride(value));

    [Fact]
    public void AzureAutomationJobIdInPrivateMetadata()
    {
        Assert.True(ProgressPolicy.IsAzureAutomationJob(new Hashtable { ["JobId"] = Guid.NewGuid() }));
        Assert.True(ProgressPolicy.IsAzureAutomationJob(new PSObject(new Hashtable { ["JobId"] = Guid.NewGuid().ToString() })));
        var custom = new PSObject();
        custom.Properties.Add(new PSNoteProperty("JobId", Guid.NewGuid()));
        Assert.True(ProgressPolicy.IsAzureAutomationJob(custom));
        Assert.False(ProgressPolicy.IsAzureAutomationJob(null));
        Assert.False(ProgressPolicy.IsAzureAutomationJob(new Hashtable()));
        Assert.False(ProgressPolicy.IsAzureAutomationJob(new Hashtable { ["JobId"] = Guid.Empty }));
        Assert.False(ProgressPolicy.IsAzureAutomationJob(new Hashtable { ["JobId"] = "" }));
    }
}
