using System;
using System.Collections.Concurrent;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace CallRecords.Loading;

/// <summary>
/// PowerShell 7: the module's private AssemblyLoadContext over its bin/ folder. CallRecords.Sdk and everything it
/// needs that the host does not already provide (Microsoft.Graph, Kiota, Azure.Core, Azure.Identity, MSAL,
/// Microsoft.IdentityModel, …) load here, whatever versions other modules have put in the default context.
/// Three kinds of request are left to the default context, so types shared with the host stay one type:
/// the root assembly (CallRecords: the seam's interfaces, the output types), assemblies bin/ does not have
/// (the engine, System.Management.Automation), and assemblies the runtime itself ships in at least the version
/// asked for (netstandard2.0 builds of System.Memory, System.Text.Json, … are in bin/ only for Windows PowerShell).
/// </summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    private static readonly ConcurrentDictionary<string, ModuleLoadContext> Contexts = new(StringComparer.OrdinalIgnoreCase);
    private static readonly string RuntimeFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    private readonly string _bin;
    private readonly Assembly _root;
    private readonly ConcurrentDictionary<string, Version?> _runtimeVersions = new(StringComparer.OrdinalIgnoreCase);

    private ModuleLoadContext(string bin, Assembly root)
    {
        _bin = bin;
        _root = root;
    }

    public static ModuleLoadContext For(string bin) => Contexts.GetOrAdd(bin, b => new ModuleLoadContext(b, ModuleLoader.RootAssembly));

    public Assembly LoadSdk(string name) => LoadFromAssemblyName(new AssemblyName(name));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (string.IsNullOrEmpty(name)) return null;
        if (string.Equals(name, _root.GetName().Name, StringComparison.OrdinalIgnoreCase)) return _root;
        var path = Path.Combine(_bin, name + ".dll");
        if (!File.Exists(path)) return null;
        if (RuntimeHas(name!, assemblyName.Version)) return null;
        return LoadFromAssemblyPath(path);
    }

    /// <summary>True when the runtime's own folder (the shared framework, or $PSHOME for a self-contained pwsh) has
    /// the assembly in at least <paramref name="version"/>.</summary>
    private bool RuntimeHas(string name, Version? version)
    {
        var available = _runtimeVersions.GetOrAdd(name, n =>
        {
            var file = Path.Combine(RuntimeFolder, n + ".dll");
            if (!File.Exists(file)) return null;
            try
            {
                return AssemblyName.GetAssemblyName(file).Version;
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException)
            {
                return null;
            }
        });
        return available is not null && (version is null || available >= version);
    }

    /// <summary>Native libraries of bin/'s packages (e_sqlite3 for the archive) from bin/runtimes/&lt;rid&gt;/native, the
    /// layout NuGet packages use; null leaves the request to the runtime's own probing.</summary>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        if (NativeLibraries.Find(_bin, unmanagedDllName) is { } path) return LoadUnmanagedDllFromPath(path);
        return IntPtr.Zero;
    }

    public override string ToString() => "CallRecords " + _bin;
}
