using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using CallRecords.PS.Tests.Engine;
using Xunit;

namespace CallRecords.PS.Tests.Isolation;

/// <summary>
/// Issue #22's metadata gate on what Windows PowerShell 5.1 loads (out/CallRecords/CallRecords.dll and
/// out/CallRecords/bin/desktop), against .NET Framework 4.8's reference assemblies, with nothing loaded or run: the
/// shipped layout passes, and the gate fails when a PlatformNotSupported stub, a too-old copy or a missing assembly is
/// put back, or when an exported root type touches a non-framework assembly. See <see cref="DesktopMetadataGate"/>.
/// </summary>
public sealed class DesktopMetadataGateTests : IDisposable
{
    private static readonly string Module = Path.Combine(EngineFixture.RepoRoot, "out", "CallRecords");
    private static readonly string Desktop = Path.Combine(Module, "bin", "desktop");
    private static readonly string CoreBin = Path.Combine(Module, "bin");
    private static readonly string Root = Path.Combine(Module, "CallRecords.dll");
    private static readonly string Fixture = Path.Combine(EngineFixture.RepoRoot, "out", "fixtures", "OtherModule");

    private static readonly string Framework = typeof(DesktopMetadataGateTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Net48ReferenceAssemblies").Value!;

    private readonly string _dir = Directory.CreateTempSubdirectory("gate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A copy of the desktop folder to break.</summary>
    private string CopyOfDesktop()
    {
        var copy = Path.Combine(_dir, "desktop");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(Desktop, "*.dll")) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        return copy;
    }

    private static string Describe(DesktopMetadataGate.Report r) => string.Join(Environment.NewLine, r.Findings);

    [Fact]
    public void The_reference_assemblies_are_net48()
    {
        Assert.True(File.Exists(Path.Combine(Framework, "mscorlib.dll")), $"{Framework} has no mscorlib.dll: restore the test project");
        Assert.Contains(".NET Framework 4.8", File.ReadAllText(Path.Combine(Framework, "RedistList", "FrameworkList.xml")));
    }

    [Fact]
    public void The_shipped_layout_passes()
    {
        var report = DesktopMetadataGate.Check(Framework, Desktop, Root);

        Assert.True(report.Findings.Count == 0, Describe(report));
        // Every DLL of the folder and the root was read, and their references with them.
        Assert.Equal(Directory.GetFiles(Desktop, "*.dll").Length + 1, report.Checked.Count);
        Assert.True(report.References > 250, $"only {report.References} references read");
    }

    /// <summary>What the desktop build is for: the packages' .NET Framework builds, WinHTTP, no stub.</summary>
    [Fact]
    public void The_desktop_folder_holds_the_packages_Framework_builds()
    {
        Assert.StartsWith(".NETFramework,Version=v4.7.2", TargetFramework(Path.Combine(Desktop, "CallRecords.Sdk.dll")));
        Assert.StartsWith(".NETFramework,Version=v4.7.2", TargetFramework(Path.Combine(Desktop, "Microsoft.Identity.Client.dll"))); // CNG keys, RSA-PSS
        Assert.StartsWith(".NETFramework,Version=v4.7.2", TargetFramework(Path.Combine(Desktop, "Azure.Core.dll")));
        Assert.StartsWith(".NETFramework,Version=v4.6.2", TargetFramework(Path.Combine(Desktop, "Microsoft.Kiota.Http.HttpClientLibrary.dll"))); // WinHttpHandler
        Assert.StartsWith(".NETFramework,Version=v4.6.2", TargetFramework(Path.Combine(Desktop, "Microsoft.Graph.Core.dll")));
        Assert.Contains("System.Net.Http.WinHttpHandler", References(Path.Combine(Desktop, "CallRecords.Sdk.dll")));
        Assert.True(File.Exists(Path.Combine(Desktop, "System.Net.Http.WinHttpHandler.dll")));
        // System.Security.Cryptography.Cng is .NET Framework's own there (System.Core); the others are the real builds.
        Assert.False(File.Exists(Path.Combine(Desktop, "System.Security.Cryptography.Cng.dll")));
        // Never the engine or its reference package.
        Assert.False(File.Exists(Path.Combine(Desktop, "System.Management.Automation.dll")));
    }

    /// <summary>The PowerShell 7 folder is what 5.1 loaded before: its netstandard2.0 stubs are what the gate exists to catch.</summary>
    [Fact]
    public void The_PowerShell_7_folder_would_fail_it_on_its_PlatformNotSupported_stubs()
    {
        var report = DesktopMetadataGate.Check(Framework, CoreBin, Root);
        var stubs = report.Findings.Where(f => f.Kind == "Stub").Select(f => f.Assembly).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(["System.IO.FileSystem.AccessControl", "System.Security.AccessControl", "System.Security.Cryptography.Cng",
            "System.Security.Cryptography.ProtectedData", "System.Security.Principal.Windows"], stubs);
    }

    [Fact]
    public void It_fails_when_a_stub_is_put_back()
    {
        var broken = CopyOfDesktop();
        File.Copy(Path.Combine(CoreBin, "System.Security.Cryptography.ProtectedData.dll"), Path.Combine(broken, "System.Security.Cryptography.ProtectedData.dll"), overwrite: true);
        File.Copy(Path.Combine(CoreBin, "System.Security.Cryptography.Cng.dll"), Path.Combine(broken, "System.Security.Cryptography.Cng.dll"));

        var report = DesktopMetadataGate.Check(Framework, broken, Root);

        Assert.Equal(["System.Security.Cryptography.Cng", "System.Security.Cryptography.ProtectedData"],
            report.Findings.Where(f => f.Kind == "Stub").Select(f => f.Assembly).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(report.Findings.Where(f => f.Kind == "Stub"), f => Assert.Contains("PlatformNotSupportedException", f.Message));
    }

    [Fact]
    public void It_fails_when_a_too_old_copy_is_put_back()
    {
        var broken = CopyOfDesktop();
        // Another module's older Azure.Core (1.38, the isolation fixture's) in place of ours.
        File.Copy(Path.Combine(Fixture, "Azure.Core.dll"), Path.Combine(broken, "Azure.Core.dll"), overwrite: true);

        var report = DesktopMetadataGate.Check(Framework, broken, Root);

        var tooOld = report.Findings.Where(f => f.Kind == "TooOld").ToList();
        Assert.Contains(tooOld, f => f.Assembly == "CallRecords.Sdk" && f.Message.Contains("references Azure.Core 1.53.0.0; the folder has 1.38.0.0"));
        Assert.Contains(tooOld, f => f.Assembly == "Microsoft.Graph.Core" && f.Message.Contains("references Azure.Core 1.44.1.0"));
        Assert.DoesNotContain(report.Findings, f => f.Kind is "Stub" or "RootTypeTouchesNonFramework");
    }

    [Fact]
    public void It_fails_when_a_reference_is_satisfied_by_neither_the_framework_nor_the_folder()
    {
        var broken = CopyOfDesktop();
        File.Delete(Path.Combine(broken, "System.ValueTuple.dll"));

        var report = DesktopMetadataGate.Check(Framework, broken, Root);

        var unsatisfied = report.Findings.Where(f => f.Kind == "Unsatisfied").ToList();
        Assert.NotEmpty(unsatisfied);
        // .NET Framework 4.8 has System.ValueTuple 4.0.2.0 only; System.Text.Json asks for 4.0.5.0.
        Assert.Contains(unsatisfied, f => f.Assembly == "System.Text.Json" && f.Message.Contains("System.ValueTuple 4.0.5.0") && f.Message.Contains("has only 4.0.2.0"));
    }

    [Fact]
    public void It_fails_when_an_exported_root_type_touches_a_non_framework_assembly()
    {
        // As a "root": Kiota's Azure provider, whose exported constructor takes Azure.Core's TokenCredential.
        var report = DesktopMetadataGate.Check(Framework, Desktop, Path.Combine(Desktop, "Microsoft.Kiota.Authentication.Azure.dll"));

        Assert.Contains(report.Findings, f => f.Kind == "RootTypeTouchesNonFramework" && f.Message.Contains("Microsoft.Kiota.Authentication.Azure.AzureIdentityAuthenticationProvider") && f.Message.Contains("Azure.Core"));
    }

    /// <summary>The root's one PowerShell 7-only reference (System.Runtime.Loader, for the load context) is named only in
    /// code .NET Framework never compiles; the check finds it where it is not (the isolation host names it freely).</summary>
    [Fact]
    public void The_roots_PowerShell_7_only_reference_stays_confined_and_the_check_can_tell()
    {
        Assert.Contains("System.Runtime.Loader", References(Root));
        Assert.Empty(DesktopMetadataGate.CoreOnlyNotConfined(Root));
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var host = Path.Combine(EngineFixture.RepoRoot, "tests", "IsolationHost", "bin", configuration, "net10.0", "IsolationHost.dll");
        Assert.NotEmpty(DesktopMetadataGate.CoreOnlyNotConfined(host));
    }

    private static List<string> References(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        return md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();
    }

    /// <summary>The assembly's [TargetFramework] (its first, string, argument).</summary>
    private static string TargetFramework(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        foreach (var h in md.GetAssemblyDefinition().GetCustomAttributes())
        {
            var a = md.GetCustomAttribute(h);
            if (a.Constructor.Kind != HandleKind.MemberReference) continue;
            var parent = md.GetMemberReference((MemberReferenceHandle)a.Constructor).Parent;
            if (parent.Kind != HandleKind.TypeReference || md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Name) != "TargetFrameworkAttribute") continue;
            var blob = md.GetBlobReader(a.Value);
            blob.ReadUInt16(); // prolog
            return blob.ReadSerializedString() ?? "";
        }
        return "";
    }
}
