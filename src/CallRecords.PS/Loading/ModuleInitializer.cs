using System.Management.Automation;

namespace CallRecords.Loading;

/// <summary>
/// Runs at Import-Module. The root assembly needs, besides the engine, a few base-library assemblies
/// (System.Text.Json, System.Memory, …). PowerShell 7 has them all as part of .NET, and the root assembly is compiled
/// against their lowest versions, so they bind to the runtime's copies and nothing is done here. Windows PowerShell
/// 5.1 has none of them: the resolver over bin/desktop serves them from the start. The Graph SDK itself is loaded at the first
/// Connect-CallRecordGraph, not here (<see cref="ModuleLoader"/>).
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private static readonly object Gate = new();
    private static bool _done;

    public void OnImport()
    {
        if (!ModuleLoader.UseResolveHandler) return;
        lock (Gate)
        {
            if (_done) return;
            _done = true;
        }
        if (ModuleLoader.FindBinFolder(null) is { } bin) BinFolderResolver.Register(bin);
    }
}
