using System.Reflection;
using CallRecords.Loading;
using CallRecords.Models;
using CallRecords.PS.Tests.Engine;
using Xunit;

namespace CallRecords.PS.Tests.Isolation;

/// <summary>The rules of Windows PowerShell 5.1's bin/ resolver that keep it from answering for other modules
/// (its loading path itself runs in AssemblyIsolationTests.AssemblyResolve_scheme_loads_everything_from_the_bin_folder).
/// The handler is called directly; nothing is registered with the process.</summary>
public class BinFolderResolverTests
{
    private static readonly string Bin = Path.Combine(EngineFixture.RepoRoot, "out", "CallRecords", "bin");

    public BinFolderResolverTests() => BinFolderResolver.Register(Bin, attach: false);

    private static Assembly? Resolve(string name, Assembly? requester) =>
        BinFolderResolver.Resolve(null, new ResolveEventArgs(name, requester));

    [Fact]
    public void The_root_assembly_is_answered_with_the_loaded_one() =>
        Assert.Same(typeof(CallRecord).Assembly, Resolve("CallRecords, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null", typeof(BinFolderResolverTests).Assembly));

    [Fact]
    public void A_request_from_another_module_is_left_alone() =>
        Assert.Null(Resolve("Azure.Core, Version=1.0.0.0, Culture=neutral, PublicKeyToken=92742159e12e44c8", typeof(BinFolderResolverTests).Assembly));

    [Fact]
    public void A_name_bin_does_not_have_is_left_alone() =>
        Assert.Null(Resolve("Contoso.Unknown, Version=1.0.0.0", typeof(CallRecord).Assembly));

    [Fact]
    public void A_newer_version_than_bins_is_left_alone()
    {
        var ours = AssemblyName.GetAssemblyName(Path.Combine(Bin, "Azure.Core.dll")).Version!;
        var newer = new Version(ours.Major + 1, 0, 0, 0);
        Assert.Null(Resolve($"Azure.Core, Version={newer}, Culture=neutral, PublicKeyToken=92742159e12e44c8", typeof(CallRecord).Assembly));
    }
}
