using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CallRecords.Connection;

namespace CallRecords.Loading;

/// <summary>
/// Finds and loads CallRecords.Sdk (the Graph SDK, Kiota, Azure.Identity, MSAL and their dependencies) from the
/// module's bin/ folder, once per process and folder, on the first Connect-CallRecordGraph:
/// on PowerShell 7 into the module's own <see cref="ModuleLoadContext"/>, so other modules' versions of the same
/// assemblies (Az.Accounts, Microsoft.Graph.Authentication, MicrosoftTeams, PnP.PowerShell) never meet ours; on
/// Windows PowerShell 5.1, which has no load contexts, from bin/desktop (the SDK half built for .NET Framework 4.7.2)
/// through <see cref="BinFolderResolver"/>. The root assembly (cmdlets, output types, engine) stays in the default
/// context either way.
/// </summary>
internal static class ModuleLoader
{
    /// <summary>The folder, under the module folder, that holds CallRecords.Sdk and its dependency closure.</summary>
    public const string BinFolderName = "bin";
    /// <summary>Under bin/: the net472 build of CallRecords.Sdk and its closure, for Windows PowerShell 5.1.</summary>
    public const string DesktopFolderName = "desktop";
    public const string SdkAssemblyName = "CallRecords.Sdk";
    private const string BackendTypeName = "CallRecords.Sdk.GraphBackend";
    private const string ArchiveBackendTypeName = "CallRecords.Sdk.Archive.SqliteArchiveBackend";

    /// <summary>Set to "AssemblyResolve" to use 5.1's loading scheme on PowerShell 7 too (diagnostics, and the tests
    /// that exercise the 5.1 path here). Any other value, or none, picks by runtime.</summary>
    public const string ModeVariable = "CALLRECORDS_ASSEMBLY_LOADING";

    private static readonly object Gate = new();
    private static readonly Dictionary<string, LoadedBackend> Loaded = new(StringComparer.OrdinalIgnoreCase);
    private static LoadedBackend? _referenced;

    internal static Assembly RootAssembly => typeof(ModuleLoader).Assembly;

    /// <summary>True on Windows PowerShell 5.1 (.NET Framework), where there are no assembly load contexts.</summary>
    internal static bool IsNetFramework => RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

    internal static bool UseResolveHandler =>
        IsNetFramework || string.Equals(Environment.GetEnvironmentVariable(ModeVariable), "AssemblyResolve", StringComparison.OrdinalIgnoreCase);

    /// <summary>The backend of the module installed at <paramref name="moduleBase"/> (the imported module's folder), or
    /// of the bin/ folder next to this assembly; in a process that references CallRecords.Sdk directly (tests,
    /// benchmarks) and has no bin/ folder, the referenced one.</summary>
    public static IGraphBackend GetBackend(string? moduleBase) => Load(moduleBase).Backend;

    /// <summary>The archive half (SQLite) of the same CallRecords.Sdk, loaded the same way (Open-CallRecordArchive,
    /// Sync-CallRecord).</summary>
    public static Archive.IArchiveBackend GetArchiveBackend(string? moduleBase)
    {
        var loaded = Load(moduleBase);
        lock (Gate) return loaded.Archive ??= (Archive.IArchiveBackend)Activator.CreateInstance(loaded.Sdk.GetType(ArchiveBackendTypeName, throwOnError: true)!)!;
    }

    /// <summary>Where the backend came from, for Connect-CallRecordGraph -Debug.</summary>
    public static string Describe(string? moduleBase) => Load(moduleBase).Description;

    /// <summary>The module's SDK folder for this runtime — bin/desktop on .NET Framework (Windows PowerShell 5.1), bin/
    /// elsewhere — under <paramref name="moduleBase"/>, else next to this assembly; null when neither has
    /// CallRecords.Sdk.</summary>
    internal static string? FindBinFolder(string? moduleBase) => FindBinFolder(moduleBase, IsNetFramework);

    internal static string? FindBinFolder(string? moduleBase, bool desktop)
    {
        foreach (var baseDir in new[] { moduleBase, SafeDirectoryOf(RootAssembly) })
        {
            if (string.IsNullOrEmpty(baseDir)) continue;
            var bin = desktop ? Path.Combine(baseDir!, BinFolderName, DesktopFolderName) : Path.Combine(baseDir!, BinFolderName);
            if (File.Exists(Path.Combine(bin, SdkAssemblyName + ".dll"))) return Path.GetFullPath(bin);
        }
        return null;
    }

    private static LoadedBackend Load(string? moduleBase)
    {
        var bin = FindBinFolder(moduleBase);
        lock (Gate)
        {
            if (bin is null) return _referenced ??= LoadReferenced();
            if (!Loaded.TryGetValue(bin, out var loaded))
            {
                loaded = UseResolveHandler ? LoadWithResolver(bin) : LoadIntoContext(bin);
                Loaded[bin] = loaded;
            }
            return loaded;
        }
    }

    /// <summary>PowerShell 7: a load context of our own over bin/. Kept out of line so Windows PowerShell never
    /// compiles a method that names AssemblyLoadContext.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LoadedBackend LoadIntoContext(string bin)
    {
        var context = ModuleLoadContext.For(bin);
        var sdk = context.LoadSdk(SdkAssemblyName);
        return new LoadedBackend(sdk, Create(sdk), $"{Name(sdk)} from {bin} in the module's own load context ({context})");
    }

    private static LoadedBackend LoadWithResolver(string bin)
    {
        var resolver = BinFolderResolver.Register(bin);
        // Before anything of the SDK half loads: another module's copy that would split ours is refused here, with
        // who loaded what, rather than a MissingMethodException in some later request.
        var conflicts = resolver.FindConflicts();
        if (conflicts.Count > 0) throw AssemblyConflictException(conflicts);
        var sdk = Assembly.LoadFrom(Path.Combine(bin, SdkAssemblyName + ".dll"));
        return new LoadedBackend(sdk, Create(sdk), $"{Name(sdk)} from {bin} through an AssemblyResolve handler limited to that folder");
    }

    private static LoadedBackend LoadReferenced()
    {
        Assembly sdk;
        try
        {
            sdk = Assembly.Load(new AssemblyName(SdkAssemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new CallRecordsException("ModuleIncomplete", ErrorCategory.ResourceUnavailable,
                $"The module's Graph SDK files are missing: no {BinFolderName}{Path.DirectorySeparatorChar}{SdkAssemblyName}.dll next to {RootAssembly.Location}.",
                "Reinstall the module (Install-Module CallRecords -Force, or unpack the whole package): its bin folder must sit beside CallRecords.dll.");
        }
        return new LoadedBackend(sdk, Create(sdk), $"{Name(sdk)} referenced by the host process (no bin folder)");
    }

    /// <summary>The error for copies of assemblies other modules loaded that CallRecords cannot share (Windows
    /// PowerShell 5.1, where one process holds one set of assemblies).</summary>
    internal static CallRecordsException AssemblyConflictException(IReadOnlyList<AssemblyConflict> conflicts)
    {
        var modules = conflicts.Select(c => c.LoadedBy).Where(m => m is not null).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var first = modules.Count == 0 ? "the other module" : string.Join(", ", modules);
        return new CallRecordsException("AssemblyConflict", ErrorCategory.ResourceUnavailable,
            "CallRecords cannot load its Graph SDK in this Windows PowerShell session: another module already loaded assemblies it would have to share in other versions. " +
            string.Join("; ", conflicts.Select(c => c.ToString())) + ". Two copies in one call chain fail with MissingMethodException or InvalidCastException, so CallRecords stops here.",
            $"Start a new Windows PowerShell session and run Connect-CallRecordGraph before importing {first}, or use PowerShell 7, where each module loads its own copies.");
    }

    private static IGraphBackend Create(Assembly sdk)
    {
        var type = sdk.GetType(BackendTypeName, throwOnError: true)!;
        return (IGraphBackend)Activator.CreateInstance(type)!;
    }

    private static string Name(Assembly a) => a.GetName().Name + " " + a.GetName().Version;

    private static string? SafeDirectoryOf(Assembly a)
    {
        try
        {
            return string.IsNullOrEmpty(a.Location) ? null : Path.GetDirectoryName(a.Location);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private sealed class LoadedBackend
    {
        public LoadedBackend(Assembly sdk, IGraphBackend backend, string description)
        {
            Sdk = sdk;
            Backend = backend;
            Description = description;
        }

        public Assembly Sdk { get; }
        public IGraphBackend Backend { get; }
        public Archive.IArchiveBackend? Archive { get; set; }
        public string Description { get; }
    }
}
