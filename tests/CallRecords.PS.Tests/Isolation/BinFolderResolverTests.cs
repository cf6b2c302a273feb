using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using CallRecords.Loading;
using CallRecords.Models;
using CallRecords.PS.Tests.Engine;
using Xunit;

namespace CallRecords.PS.Tests.Isolation;

/// <summary>
/// The rules of Windows PowerShell 5.1's resolver (issue #22): it answers only the module's own requests (never a
/// null requester, never another module's), for names its folder has in at least the version asked for, with one copy
/// per name, and refuses — naming the module that loaded it — another module's copy that one of the module's own
/// assemblies references exactly (.NET Framework would bind that reference to it by itself and split the module
/// between two copies). The handler is called directly: nothing is registered with this process. Requesters and other
/// modules' copies are real assemblies loaded into throwaway load contexts from real folders, so their locations are
/// what .NET Framework would report; the folder's references are read from metadata, as 5.1 reads them
/// (reflection-only). Its loading path itself runs in AssemblyIsolationTests.AssemblyResolve_scheme_loads_everything_from_the_bin_folder.
/// </summary>
public sealed class BinFolderResolverTests : IDisposable
{
    private static readonly string CoreBin = Path.Combine(EngineFixture.RepoRoot, "out", "CallRecords", "bin");
    private static readonly string Fixture = Path.Combine(EngineFixture.RepoRoot, "out", "fixtures", "OtherModule");
    private readonly string _dir = Directory.CreateTempSubdirectory("resolver-").FullName;
    private readonly List<AssemblyLoadContext> _contexts = new();
    private readonly List<Assembly> _loaded = new();
    private readonly List<string> _loadedFrom = new();

    public void Dispose()
    {
        foreach (var c in _contexts) c.Unload();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a collectible context may still hold a file for a moment; the temp folder is cleaned by the OS
        }
    }

    /// <summary>A module folder named <paramref name="name"/> (with a manifest when <paramref name="manifest"/>) holding copies of <paramref name="files"/>.</summary>
    private string Folder(string name, bool manifest, params string[] files)
    {
        var dir = Path.Combine(_dir, name);
        var lib = manifest ? Path.Combine(dir, "1.0.0", "lib") : dir;
        Directory.CreateDirectory(lib);
        if (manifest) File.WriteAllText(Path.Combine(dir, "1.0.0", name + ".psd1"), "@{ ModuleVersion = '1.0.0' }");
        foreach (var f in files) File.Copy(f, Path.Combine(lib, Path.GetFileName(f)));
        return lib;
    }

    /// <summary>Loads a file into a context of its own, so it keeps its location (as a LoadFrom on .NET Framework).</summary>
    private Assembly Load(string path)
    {
        var context = new AssemblyLoadContext("test " + Path.GetFileName(path), isCollectible: true);
        _contexts.Add(context);
        return context.LoadFromAssemblyPath(path);
    }

    private BinFolderResolver Resolver(string folder)
    {
        var resolver = new BinFolderResolver(typeof(CallRecord).Assembly, () => _loaded, ReadReferences, path =>
        {
            _loadedFrom.Add(path);
            var a = Load(path);
            _loaded.Add(a);
            return a;
        });
        resolver.AddFolder(folder);
        return resolver;
    }

    private static IReadOnlyList<AssemblyName> ReadReferences(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        return md.AssemblyReferences.Select(h => md.GetAssemblyReference(h).GetAssemblyName()).ToList();
    }

    private static string FullName(string path) => AssemblyName.GetAssemblyName(path).FullName;

    [Fact]
    public void Only_requests_from_the_module_itself_are_answered()
    {
        var ours = Folder("ours", false, Path.Combine(CoreBin, "Std.UriTemplate.dll"), Path.Combine(CoreBin, "Azure.Core.dll"));
        var resolver = Resolver(ours);
        var azureCore = FullName(Path.Combine(ours, "Azure.Core.dll"));

        Assert.Null(resolver.Resolve(azureCore, requester: null)); // another module's Assembly.Load, reflection by name
        Assert.Null(resolver.Resolve(azureCore, typeof(BinFolderResolverTests).Assembly)); // another module's request
        Assert.Empty(_loadedFrom);

        var fromFolder = Load(Path.Combine(ours, "Std.UriTemplate.dll")); // an assembly of the folder asks
        var answer = resolver.Resolve(azureCore, fromFolder);
        Assert.NotNull(answer);
        Assert.Equal(Path.Combine(ours, "Azure.Core.dll"), answer!.Location);
        Assert.Same(answer, resolver.Resolve(azureCore, typeof(CallRecord).Assembly)); // the root asks
    }

    [Fact]
    public void The_root_assembly_is_answered_with_the_loaded_one_for_the_module_only()
    {
        var resolver = Resolver(Folder("ours", false, Path.Combine(CoreBin, "Std.UriTemplate.dll")));
        var root = typeof(CallRecord).Assembly;
        Assert.Same(root, resolver.Resolve(root.FullName!, root));
        Assert.Null(resolver.Resolve(root.FullName!, null));
    }

    [Fact]
    public void Names_the_folder_lacks_and_versions_newer_than_its_copy_are_left_alone()
    {
        var ours = Folder("ours", false, Path.Combine(CoreBin, "Azure.Core.dll"));
        var resolver = Resolver(ours);
        var root = typeof(CallRecord).Assembly;
        Assert.Null(resolver.Resolve("Contoso.Unknown, Version=1.0.0.0", root));
        var have = AssemblyName.GetAssemblyName(Path.Combine(ours, "Azure.Core.dll")).Version!;
        Assert.Null(resolver.Resolve($"Azure.Core, Version={have.Major + 1}.0.0.0, Culture=neutral, PublicKeyToken=92742159e12e44c8", root));
        Assert.Empty(_loadedFrom);
    }

    [Fact]
    public void One_copy_per_name_whatever_version_is_asked_for()
    {
        var ours = Folder("ours", false, Path.Combine(CoreBin, "Azure.Core.dll"));
        var resolver = Resolver(ours);
        var root = typeof(CallRecord).Assembly;
        var first = resolver.Resolve("Azure.Core, Version=1.44.1.0, Culture=neutral, PublicKeyToken=92742159e12e44c8", root);
        var second = resolver.Resolve("Azure.Core, Version=1.50.0.0, Culture=neutral, PublicKeyToken=92742159e12e44c8", root);
        var third = resolver.Resolve(FullName(Path.Combine(ours, "Azure.Core.dll")), root);
        Assert.NotNull(first);
        Assert.Same(first, second);
        Assert.Same(first, third);
        Assert.Single(_loadedFrom);
    }

    [Fact]
    public void A_copy_of_the_same_identity_another_module_loaded_is_that_copy_not_a_second_one()
    {
        var ours = Folder("ours", false, Path.Combine(CoreBin, "Azure.Core.dll"));
        var theirs = Load(Path.Combine(Folder("Az.Accounts", true, Path.Combine(CoreBin, "Azure.Core.dll")), "Azure.Core.dll"));
        _loaded.Add(theirs);
        var resolver = Resolver(ours);

        Assert.Empty(resolver.FindConflicts());
        Assert.Same(theirs, resolver.Resolve("Azure.Core, Version=1.44.1.0, Culture=neutral, PublicKeyToken=92742159e12e44c8", typeof(CallRecord).Assembly));
        Assert.Empty(_loadedFrom);
    }

    [Fact]
    public void Another_modules_older_copy_that_none_of_ours_references_exactly_sits_beside_ours()
    {
        // Azure.Core 1.38 (the fixture's): nothing in this folder references 1.38.0.0, so no reference of ours binds to it.
        var ours = Folder("ours", false, Path.Combine(CoreBin, "Azure.Core.dll"), Path.Combine(CoreBin, "Microsoft.Kiota.Authentication.Azure.dll"));
        _loaded.Add(Load(Path.Combine(Folder("Az.Accounts", true, Path.Combine(Fixture, "Azure.Core.dll")), "Azure.Core.dll")));
        var resolver = Resolver(ours);

        Assert.Empty(resolver.FindConflicts());
        var answer = resolver.Resolve("Azure.Core, Version=1.50.0.0, Culture=neutral, PublicKeyToken=92742159e12e44c8", typeof(CallRecord).Assembly);
        Assert.Equal(Path.Combine(ours, "Azure.Core.dll"), answer!.Location);
    }

    [Fact]
    public void Another_modules_copy_that_one_of_ours_references_exactly_is_refused_naming_the_module_and_the_versions()
    {
        // The folder's Azure.Identity 1.11.4 references Azure.Core 1.38.0.0 exactly; the folder's own Azure.Core is 1.53.
        // With another module's 1.38 loaded, .NET Framework would bind that reference to theirs and the rest to ours
        // (as Microsoft.Graph.Core 3.2.4, which references Azure.Core 1.44.1.0, would with an Az.Accounts on 1.44.1).
        var ours = Folder("ours", false, Path.Combine(CoreBin, "Azure.Core.dll"), Path.Combine(Fixture, "Azure.Identity.dll"));
        var theirPath = Path.Combine(Folder("Az.Accounts", true, Path.Combine(Fixture, "Azure.Core.dll")), "Azure.Core.dll");
        _loaded.Add(Load(theirPath));
        var resolver = Resolver(ours);

        var conflict = Assert.Single(resolver.FindConflicts());
        Assert.Equal("Azure.Core", conflict.Name);
        Assert.Equal(new Version(1, 38, 0, 0), conflict.LoadedVersion);
        Assert.Equal("Az.Accounts", conflict.LoadedBy);
        Assert.Equal(theirPath, conflict.LoadedFrom);
        Assert.Equal(AssemblyName.GetAssemblyName(Path.Combine(CoreBin, "Azure.Core.dll")).Version, conflict.OurVersion);
        Assert.Equal(["Azure.Identity"], conflict.ReferencedBy);

        Assert.Null(resolver.Resolve("Azure.Core, Version=1.50.0.0, Culture=neutral, PublicKeyToken=92742159e12e44c8", typeof(CallRecord).Assembly));
        Assert.Empty(_loadedFrom);
        Assert.Single(resolver.Refusals);

        var error = ModuleLoader.AssemblyConflictException(resolver.FindConflicts());
        Assert.Equal("AssemblyConflict", error.ErrorId);
        Assert.Contains($"Azure.Core 1.38.0.0 was loaded by the module Az.Accounts from {theirPath}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Azure.Identity references that version", error.Message, StringComparison.Ordinal);
        Assert.Contains("its own Azure.Core " + conflict.OurVersion, error.Message, StringComparison.Ordinal);
        Assert.Contains("run Connect-CallRecordGraph before importing Az.Accounts", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("PowerShell 7", error.RecommendedAction, StringComparison.Ordinal);
    }

    /// <summary>The issue's own case on the shipped desktop folder: another module (the isolation fixture, whose
    /// netstandard2.0 closure has System.Memory 4.0.1.2) loaded its System.Memory first. MSAL, Microsoft.IdentityModel
    /// and Kiota's JSON serializer reference 4.0.1.2 exactly and would bind to it while System.Text.Json binds to the
    /// folder's 4.0.5.0: two ReadOnlyMemory&lt;byte&gt; types, and JsonDocument.Parse(ReadOnlyMemory&lt;byte&gt;) is a
    /// MissingMethodException. The resolver says so before anything loads.</summary>
    [Fact]
    public void On_the_shipped_desktop_folder_another_modules_System_Memory_is_refused_with_who_references_it()
    {
        var desktop = Path.Combine(CoreBin, "desktop");
        var theirPath = Path.Combine(Folder("OtherModule", true, Path.Combine(Fixture, "System.Memory.dll")), "System.Memory.dll");
        _loaded.Add(Load(theirPath));
        var resolver = Resolver(desktop);

        var conflict = Assert.Single(resolver.FindConflicts());
        Assert.Equal(("System.Memory", new Version(4, 0, 1, 2), "OtherModule"), (conflict.Name, conflict.LoadedVersion, conflict.LoadedBy));
        Assert.Equal(AssemblyName.GetAssemblyName(Path.Combine(desktop, "System.Memory.dll")).Version, conflict.OurVersion);
        Assert.Contains("Microsoft.Identity.Client", conflict.ReferencedBy);
        Assert.Contains("Microsoft.Kiota.Serialization.Json", conflict.ReferencedBy);
        Assert.DoesNotContain("System.Text.Json", conflict.ReferencedBy); // it references the folder's 4.0.5.0
        Assert.Null(resolver.Resolve("System.Memory, Version=4.0.1.1, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", typeof(CallRecord).Assembly));
        Assert.Empty(_loadedFrom);
    }

    [Fact]
    public void When_references_cannot_be_read_any_other_version_is_refused()
    {
        var ours = Folder("ours", false, Path.Combine(CoreBin, "Azure.Core.dll"));
        _loaded.Add(Load(Path.Combine(Folder("Other", false, Path.Combine(Fixture, "Azure.Core.dll")), "Azure.Core.dll")));
        var resolver = new BinFolderResolver(typeof(CallRecord).Assembly, () => _loaded, _ => null, Load);
        resolver.AddFolder(ours);

        var conflict = Assert.Single(resolver.FindConflicts());
        Assert.Null(conflict.LoadedBy); // no manifest above it
        Assert.Empty(conflict.ReferencedBy);
        Assert.Contains("may reference that version", conflict.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_module_of_a_file_is_the_nearest_manifest_above_it()
    {
        var lib = Folder("Contoso.Tools", true, Path.Combine(CoreBin, "Std.UriTemplate.dll"));
        Assert.Equal("Contoso.Tools", BinFolderResolver.ModuleOf(Path.Combine(lib, "Std.UriTemplate.dll")));
        Assert.Null(BinFolderResolver.ModuleOf(Path.Combine(Folder("loose", false, Path.Combine(CoreBin, "Std.UriTemplate.dll")), "Std.UriTemplate.dll")));
        Assert.Null(BinFolderResolver.ModuleOf(""));
    }

    [Fact]
    public void Windows_PowerShell_picks_bin_desktop_and_PowerShell_7_bin()
    {
        var module = Path.Combine(EngineFixture.RepoRoot, "out", "CallRecords");
        Assert.Equal(Path.Combine(module, "bin", "desktop"), ModuleLoader.FindBinFolder(module, desktop: true));
        Assert.Equal(Path.Combine(module, "bin"), ModuleLoader.FindBinFolder(module, desktop: false));
        Assert.Equal(Path.Combine(module, "bin"), ModuleLoader.FindBinFolder(module)); // this process is .NET
    }
}
