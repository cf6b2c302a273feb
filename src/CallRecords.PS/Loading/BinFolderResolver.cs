using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace CallRecords.Loading;

/// <summary>
/// Windows PowerShell 5.1: an AppDomain.AssemblyResolve handler limited to the module's desktop folder
/// (bin/desktop). .NET Framework binds a strong-named reference only to the exact version (a module cannot have
/// binding redirects), so this handler is what lets the module's assemblies find the versions its folder has. Rules:
/// <list type="bullet">
/// <item>It answers only requests that come from the module itself (the root assembly or an assembly loaded from its
/// folder): never a request without a requesting assembly, never another module's.</item>
/// <item>Only for names the folder has, in at least the version asked for.</item>
/// <item>One copy of each name: the first answer for a name is the answer for every later request of it; a copy
/// of the same identity someone else already loaded is that copy.</item>
/// <item>It refuses, and says which module loaded what, when a copy another module loaded would split the module's
/// own assemblies: a different version of a name the folder has that one of the module's assemblies references
/// exactly (.NET Framework binds that reference to the loaded copy by itself, while the others use the folder's, and
/// types passed between them no longer match: MissingMethodException). <see cref="FindConflicts"/> runs before the
/// Graph SDK is loaded, so Connect-CallRecordGraph fails with that explanation instead.</item>
/// </list>
/// See docs/assembly-isolation.md for what 5.1 cannot keep apart.
/// </summary>
internal sealed class BinFolderResolver
{
    private static readonly object ProcessGate = new();
    private static BinFolderResolver? _process;
    private static bool _attached;

    private readonly object _gate = new();
    private readonly Assembly _root;
    private readonly Func<IEnumerable<Assembly>> _loaded;
    private readonly Func<string, IReadOnlyList<AssemblyName>?> _referencesOf;
    private readonly Func<string, Assembly> _loadFrom;
    private readonly List<string> _folders = new();
    private readonly Dictionary<string, Assembly> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<AssemblyConflict> _refusals = new();
    private Dictionary<string, FolderEntry>? _index;
    private Dictionary<string, List<(Version Version, string Token, string By)>>? _references;

    /// <param name="loaded">The assemblies loaded in the process (AppDomain.GetAssemblies).</param>
    /// <param name="referencesOf">An assembly file's references, read without running it; null when they cannot be read.</param>
    /// <param name="loadFrom">Loads a file of the folder (Assembly.LoadFrom).</param>
    /// <param name="root">The module's root assembly, whose bin/ folder is resolved.</param>
    internal BinFolderResolver(Assembly root, Func<IEnumerable<Assembly>> loaded, Func<string, IReadOnlyList<AssemblyName>?> referencesOf, Func<string, Assembly> loadFrom)
    {
        _root = root;
        _loaded = loaded;
        _referencesOf = referencesOf;
        _loadFrom = loadFrom;
    }

    /// <summary>The handler registered with this process's AppDomain (null until <see cref="Register"/>).</summary>
    internal static BinFolderResolver? Process
    {
        get { lock (ProcessGate) return _process; }
    }

    /// <summary>Adds <paramref name="bin"/> to the folders this process's handler serves (idempotent) and registers the
    /// handler once.</summary>
    public static BinFolderResolver Register(string bin)
    {
        lock (ProcessGate)
        {
            _process ??= new BinFolderResolver(ModuleLoader.RootAssembly, () => AppDomain.CurrentDomain.GetAssemblies(), ReadReferences, Assembly.LoadFrom);
            _process.AddFolder(bin);
            if (!_attached)
            {
                AppDomain.CurrentDomain.AssemblyResolve += OnResolve;
                _attached = true;
            }
            return _process;
        }
    }

    private static Assembly? OnResolve(object? sender, ResolveEventArgs args) => Process?.Resolve(args.Name, args.RequestingAssembly);

    public void AddFolder(string bin)
    {
        var full = Normalize(bin);
        lock (_gate)
        {
            if (_folders.Any(f => string.Equals(f, full, StringComparison.OrdinalIgnoreCase))) return;
            _folders.Add(full);
            _index = null;
            _references = null;
        }
    }

    /// <summary>Refusals so far, oldest first (for the error a failed load turns into).</summary>
    public IReadOnlyList<AssemblyConflict> Refusals
    {
        get { lock (_gate) return _refusals.ToList(); }
    }

    public Assembly? Resolve(string fullName, Assembly? requester)
    {
        // Never for a request without a requester (another module's Assembly.Load, reflection by name): our copies
        // would leak into code that did not ask for them.
        if (requester is null) return null;
        AssemblyName requested;
        try
        {
            requested = new AssemblyName(fullName);
        }
        catch (Exception e) when (e is ArgumentException or FileLoadException)
        {
            return null;
        }
        var name = requested.Name;
        if (string.IsNullOrEmpty(name)) return null;
        lock (_gate)
        {
            if (!IsOurs(requester)) return null;
            // CallRecords.Sdk references the root assembly; LoadFrom's probing does not look where PowerShell loaded it from.
            if (string.Equals(name, _root.GetName().Name, StringComparison.OrdinalIgnoreCase)) return _root;
            var index = Index();
            if (!index.TryGetValue(name!, out var entry)) return null;
            if (requested.Version is { } wanted && entry.Name.Version is { } have && have < wanted) return null;
            if (_answers.TryGetValue(name!, out var answered)) return answered;
            var conflicts = ConflictsFor(entry);
            if (conflicts.Count > 0)
            {
                _refusals.AddRange(conflicts.Where(c => !_refusals.Any(r => r.Name == c.Name && r.LoadedFrom == c.LoadedFrom)));
                return null;
            }
            // A copy of the same identity already loaded (by anyone) is the one .NET Framework binds the module's exact
            // references to; answering with it keeps one copy.
            var same = Foreign(entry).FirstOrDefault(a => SameIdentity(a.GetName(), entry.Name));
            var assembly = same ?? _loadFrom(entry.Path);
            _answers[name!] = assembly;
            return assembly;
        }
    }

    /// <summary>Copies other modules loaded that would split the module's own assemblies (see the class summary), for
    /// every name the folders have. Empty when none.</summary>
    public IReadOnlyList<AssemblyConflict> FindConflicts()
    {
        lock (_gate) return Index().Values.SelectMany(ConflictsFor).ToList();
    }

    private List<AssemblyConflict> ConflictsFor(FolderEntry entry)
    {
        var conflicts = new List<AssemblyConflict>();
        foreach (var other in Foreign(entry))
        {
            var theirs = other.GetName();
            if (SameIdentity(theirs, entry.Name) || _answers.TryGetValue(entry.Name.Name!, out var mine) && mine == other) continue;
            var theirToken = Token(theirs);
            // Which of ours ask for exactly that version (and key): those would bind to it without asking us.
            var askers = References().TryGetValue(entry.Name.Name!, out var refs)
                ? refs.Where(r => r.Version == theirs.Version && string.Equals(r.Token, theirToken, StringComparison.OrdinalIgnoreCase)).Select(r => r.By).Distinct().ToList()
                : new List<string>();
            if (askers.Count == 0 && !_referencesUnknown) continue;
            conflicts.Add(new AssemblyConflict(entry.Name.Name!, theirs.Version, SafeLocation(other), ModuleOf(SafeLocation(other)), entry.Name.Version, entry.Path, askers));
        }
        return conflicts;
    }

    private bool _referencesUnknown;

    /// <summary>Loaded assemblies of the entry's name that did not come from our folders.</summary>
    private IEnumerable<Assembly> Foreign(FolderEntry entry)
    {
        foreach (var a in _loaded())
        {
            AssemblyName n;
            try
            {
                n = a.GetName();
            }
            catch (Exception e) when (e is NotSupportedException or FileLoadException)
            {
                continue;
            }
            if (!string.Equals(n.Name, entry.Name.Name, StringComparison.OrdinalIgnoreCase)) continue;
            if (FromOurFolders(a)) continue;
            yield return a;
        }
    }

    private Dictionary<string, FolderEntry> Index()
    {
        if (_index is not null) return _index;
        var index = new Dictionary<string, FolderEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var folder in _folders)
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.GetFiles(folder, "*.dll"))
            {
                AssemblyName name;
                try
                {
                    name = AssemblyName.GetAssemblyName(file);
                }
                catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException)
                {
                    continue;
                }
                if (name.Name is { } n && !index.ContainsKey(n)) index[n] = new FolderEntry(file, name);
            }
        }
        return _index = index;
    }

    /// <summary>Every reference of every assembly in the folders, by referenced name (read once, when another module's
    /// copy of one of our names is first seen).</summary>
    private Dictionary<string, List<(Version Version, string Token, string By)>> References()
    {
        if (_references is not null) return _references;
        var all = new Dictionary<string, List<(Version, string, string)>>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Index().Values)
        {
            var refs = _referencesOf(entry.Path);
            if (refs is null)
            {
                _referencesUnknown = true;
                continue;
            }
            foreach (var r in refs)
            {
                if (r.Name is null || r.Version is null) continue;
                if (!all.TryGetValue(r.Name, out var list)) all[r.Name] = list = new List<(Version, string, string)>();
                list.Add((r.Version, Token(r), entry.Name.Name!));
            }
        }
        return _references = all;
    }

    private bool IsOurs(Assembly requester) => requester == _root || FromOurFolders(requester);

    private bool FromOurFolders(Assembly a)
    {
        var location = SafeLocation(a);
        if (location.Length == 0) return false;
        string? dir;
        try
        {
            dir = Path.GetDirectoryName(Path.GetFullPath(location));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
        return dir is not null && _folders.Any(f => string.Equals(Normalize(dir), f, StringComparison.OrdinalIgnoreCase));
    }

    private static bool SameIdentity(AssemblyName a, AssemblyName b) =>
        string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase) && Equals(a.Version, b.Version) &&
        string.Equals(Token(a), Token(b), StringComparison.OrdinalIgnoreCase);

    internal static string Token(AssemblyName name)
    {
        var token = name.GetPublicKeyToken();
        return token is null || token.Length == 0 ? "" : string.Concat(token.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static string Normalize(string folder) => Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);

    internal static string SafeLocation(Assembly a)
    {
        try
        {
            return a.IsDynamic ? "" : a.Location ?? "";
        }
        catch (NotSupportedException)
        {
            return "";
        }
    }

    /// <summary>The PowerShell module a file belongs to: the nearest folder above it (at most four levels) that holds a
    /// module manifest, by the manifest's name; null when none does.</summary>
    internal static string? ModuleOf(string path)
    {
        if (path.Length == 0) return null;
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            for (var i = 0; i < 5 && !string.IsNullOrEmpty(dir); i++, dir = Path.GetDirectoryName(dir))
            {
                var manifests = Directory.GetFiles(dir!, "*.psd1");
                if (manifests.Length > 0) return Path.GetFileNameWithoutExtension(manifests.OrderBy(m => m, StringComparer.OrdinalIgnoreCase).First());
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
        }
        return null;
    }

    /// <summary>An assembly file's references without running it: .NET Framework's reflection-only load (Windows
    /// PowerShell). Elsewhere (the 5.1 scheme forced on PowerShell 7) none are read: .NET binds every reference to the
    /// one copy its default context holds, in any version at least the one asked for, so no reference of ours can be
    /// captured by another module's copy of an exact older version.</summary>
    private static IReadOnlyList<AssemblyName>? ReadReferences(string path)
    {
        if (!ModuleLoader.IsNetFramework) return Array.Empty<AssemblyName>();
        try
        {
            return ReflectionOnlyReferences(path);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or FileLoadException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IReadOnlyList<AssemblyName> ReflectionOnlyReferences(string path) => Assembly.ReflectionOnlyLoadFrom(path).GetReferencedAssemblies();

    private sealed class FolderEntry
    {
        public FolderEntry(string path, AssemblyName name)
        {
            Path = path;
            Name = name;
        }

        public string Path { get; }
        public AssemblyName Name { get; }
    }
}

/// <summary>Another module's copy of an assembly the module's folder also has, which would split the module's own
/// assemblies between two copies.</summary>
internal sealed class AssemblyConflict
{
    public AssemblyConflict(string name, Version? loadedVersion, string loadedFrom, string? loadedBy, Version? ourVersion, string ourPath, IReadOnlyList<string> referencedBy)
    {
        Name = name;
        LoadedVersion = loadedVersion;
        LoadedFrom = loadedFrom;
        LoadedBy = loadedBy;
        OurVersion = ourVersion;
        OurPath = ourPath;
        ReferencedBy = referencedBy;
    }

    public string Name { get; }
    public Version? LoadedVersion { get; }
    public string LoadedFrom { get; }
    /// <summary>The module whose folder the loaded copy came from, when one could be told.</summary>
    public string? LoadedBy { get; }
    public Version? OurVersion { get; }
    public string OurPath { get; }
    /// <summary>Which of the module's assemblies reference the loaded version exactly (empty when that could not be read).</summary>
    public IReadOnlyList<string> ReferencedBy { get; }

    public override string ToString()
    {
        var who = LoadedBy is null ? "" : $" by the module {LoadedBy}";
        var from = LoadedFrom.Length == 0 ? " (no file: loaded from memory)" : " from " + LoadedFrom;
        var askers = ReferencedBy.Count == 0 ? "some of CallRecords' assemblies may reference that version" : string.Join(", ", ReferencedBy) + " reference" + (ReferencedBy.Count == 1 ? "s" : "") + " that version";
        return $"{Name} {LoadedVersion} was loaded{who}{from}; {askers}, while the rest of CallRecords uses its own {Name} {OurVersion} ({OurPath})";
    }
}
