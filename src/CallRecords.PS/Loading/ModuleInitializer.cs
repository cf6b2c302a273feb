using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace CallRecords.Loading;

/// <summary>
/// Runs at Import-Module. The root assembly needs, besides the engine, a few base-library assemblies
/// (System.Text.Json, Microsoft.Bcl.AsyncInterfaces, System.Memory, …). PowerShell 7 has them (System.Text.Json is
/// part of .NET; $PSHOME carries Microsoft.Bcl.AsyncInterfaces) and the root assembly is compiled against their
/// lowest versions, so they bind to the host's copies; only when a host lacks one does the default context ask, and
/// then it gets bin/'s copy. Windows PowerShell 5.1 has none of them: the bin/ resolver serves them from the start.
/// The Graph SDK itself is not loaded here but at the first Connect-CallRecordGraph (<see cref="ModuleLoader"/>).
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private static readonly object Gate = new();
    private static bool _done;

    public void OnImport()
    {
        lock (Gate)
        {
            if (_done) return;
            _done = true;
        }
        var bin = ModuleLoader.FindBinFolder(null);
        if (bin is null) return;
        if (ModuleLoader.UseResolveHandler) BinFolderResolver.Register(bin);
        else RootDependencies.Register(bin);
    }
}

/// <summary>PowerShell 7: the default context's last resort for the root assembly's own base-library references.</summary>
internal static class RootDependencies
{
    private static string _bin = "";
    private static HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Register(string bin)
    {
        _bin = bin;
        _names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var reference in ModuleLoader.RootAssembly.GetReferencedAssemblies())
            if (reference.Name is { } name) _names.Add(name);
        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    /// <summary>Answers only for names the root assembly references and bin/ has; everything else is not ours.</summary>
    internal static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name is null || !_names.Contains(name.Name)) return null;
        var path = Path.Combine(_bin, name.Name + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    }
}
