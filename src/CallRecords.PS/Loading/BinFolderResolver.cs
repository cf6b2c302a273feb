using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace CallRecords.Loading;

/// <summary>
/// Windows PowerShell 5.1: an AppDomain.AssemblyResolve handler limited to the module's bin/ folder. The runtime asks
/// it only after its own probing failed, and it answers only for assembly names bin/ has, only when bin/'s copy is at
/// least the version asked for, and only when the request comes from the module itself (the root assembly or an
/// assembly loaded from bin/) or from no known assembly. Assemblies are loaded with LoadFrom, so strong-named ones
/// (Azure.Identity, Azure.Core, MSAL) sit beside other versions other modules loaded; see docs/assembly-isolation.md
/// for what 5.1 cannot keep apart.
/// </summary>
internal static class BinFolderResolver
{
    private static readonly object Gate = new();
    private static readonly HashSet<string> Folders = new(StringComparer.OrdinalIgnoreCase);
    private static readonly List<string> Ordered = new();
    private static bool _registered;

    /// <summary>Adds <paramref name="bin"/> to the folders the handler serves (idempotent); <paramref name="attach"/>
    /// false only for tests that call <see cref="Resolve"/> themselves.</summary>
    public static void Register(string bin, bool attach = true)
    {
        lock (Gate)
        {
            if (Folders.Add(bin)) Ordered.Add(bin);
            if (_registered || !attach) return;
            AppDomain.CurrentDomain.AssemblyResolve += Resolve;
            _registered = true;
        }
    }

    internal static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        var root = ModuleLoader.RootAssembly;
        // CallRecords.Sdk references the root assembly; LoadFrom's probing does not look where PowerShell loaded it from.
        if (string.Equals(requested.Name, root.GetName().Name, StringComparison.OrdinalIgnoreCase)) return root;
        string[] folders;
        lock (Gate) folders = Ordered.ToArray();
        if (args.RequestingAssembly is { } requester && !IsOurs(requester, root, folders)) return null;
        foreach (var bin in folders)
        {
            var path = Path.Combine(bin, requested.Name + ".dll");
            if (!File.Exists(path)) continue;
            if (requested.Version is { } wanted && AssemblyName.GetAssemblyName(path).Version is { } have && have < wanted) continue;
            return Assembly.LoadFrom(path);
        }
        return null;
    }

    private static bool IsOurs(Assembly requester, Assembly root, string[] folders)
    {
        if (requester == root) return true;
        string? dir;
        try
        {
            dir = string.IsNullOrEmpty(requester.Location) ? null : Path.GetDirectoryName(Path.GetFullPath(requester.Location));
        }
        catch (NotSupportedException)
        {
            return false;
        }
        if (dir is null) return false;
        foreach (var bin in folders)
            if (string.Equals(dir.TrimEnd(Path.DirectorySeparatorChar), bin.TrimEnd(Path.DirectorySeparatorChar), StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
