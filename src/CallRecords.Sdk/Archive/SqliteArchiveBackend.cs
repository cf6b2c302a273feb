using System.Threading;
using CallRecords.Archive;

namespace CallRecords.Sdk.Archive;

/// <summary>Created by the root assembly's ModuleLoader (by name) in the module's load context; see IArchiveBackend.</summary>
public sealed class SqliteArchiveBackend : IArchiveBackend
{
    private static int _initialized;

    public SqliteArchiveBackend()
    {
        // e_sqlite3 through SQLitePCLRaw's provider: the native comes from bin/runtimes/<rid>/native (the module's load
        // context resolves it on PowerShell 7; SQLitePCLRaw's own probing beside its assembly on Windows PowerShell).
        if (Interlocked.Exchange(ref _initialized, 1) == 0) SQLitePCL.Batteries_V2.Init();
    }

    IArchiveStore IArchiveBackend.Open(string path, bool forWriting) => SqliteArchiveStore.Open(path, forWriting);
}
