using CallRecords.Runtime;
using System;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Connection;
using CallRecords.Graph;

namespace CallRecords.Archive;

/// <summary>Opening archive files for the cmdlets: the backend from the module's bin/, paths, and the read-back
/// connection (a <see cref="CallRecordConnection"/> whose transport the archive is).</summary>
internal static class ArchiveConnections
{
    /// <summary>What the read-back connection shows as its endpoint: a reserved name that never resolves, so a URL in
    /// -Verbose or an error says "answered by the archive", and nothing of it can reach the network.</summary>
    public static readonly Uri Endpoint = new("https://archive.invalid/");

    public static IArchiveBackend Backend(string? moduleBase) => Loading.ModuleLoader.GetArchiveBackend(moduleBase);

    public static CallRecordConnection Open(IArchiveBackend backend, string path, string? tenantId)
    {
        if (!File.Exists(path))
            throw new CallRecordsException("ArchiveNotFound", ErrorCategory.ObjectNotFound, $"There is no archive at {path}.",
                "Give the path of a file Sync-CallRecord wrote (Sync-CallRecord -Path creates it).", path);
        var store = backend.Open(path, forWriting: false);
        try
        {
            var tenants = store.Tenants();
            string tenant;
            if (tenantId is not null)
            {
                if (!tenants.ContainsKey(tenantId))
                    throw new CallRecordsException("ArchiveTenantNotFound", ErrorCategory.ObjectNotFound,
                        $"The archive {path} holds no call records of tenant {tenantId}; it holds {Describe(tenants)}.",
                        "Leave out -TenantId when the file holds one tenant, or give one of the tenant ids listed.", tenantId);
                tenant = tenantId;
            }
            else if (tenants.Count == 1)
            {
                foreach (var t in tenants.Keys) tenantId = t;
                tenant = tenantId!;
            }
            else if (tenants.Count == 0)
            {
                throw new CallRecordsException("ArchiveEmpty", ErrorCategory.InvalidData, $"The archive {path} holds no call records yet.",
                    "Run Sync-CallRecord -Path with a Graph connection first.", path);
            }
            else
            {
                throw new CallRecordsException("ArchiveTenantRequired", ErrorCategory.InvalidArgument,
                    $"The archive {path} holds several tenants ({Describe(tenants)}); say which one with -TenantId.",
                    "Open-CallRecordArchive -Path <file> -TenantId <tenant id>", path);
            }
            var settings = new ConnectionSettings(graphEndpoint: Endpoint);
            // Reading a local file costs no Graph request: its budget has ceilings nothing reaches (the archive's transport
            // does not pass the gate anyway, this is only the session's shape).
            var session = new GraphSession(settings, new ArchiveClient(store, store.CreateTransport(tenant)), new RequestBudget(new RequestCeilings()));
            return CallRecordConnection.ForArchive(session, tenant, store.Path);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static string Describe(System.Collections.Generic.IReadOnlyDictionary<string, long> tenants)
    {
        if (tenants.Count == 0) return "none";
        var parts = new System.Collections.Generic.List<string>();
        foreach (var t in tenants) parts.Add($"{t.Key} ({t.Value} call records)");
        return string.Join(", ", parts);
    }

    /// <summary>The archive as a connection's client: no tokens, its transport answers from the file.</summary>
    private sealed class ArchiveClient : IGraphClient
    {
        private readonly IArchiveStore _store;

        public ArchiveClient(IArchiveStore store, IGraphTransport transport)
        {
            _store = store;
            Transport = transport;
        }

        public IGraphTransport Transport { get; }
        public DateTimeOffset? TokenExpiresOn => null;
        public int TokensAcquired => 0;

        public Task<string> AcquireTokenAsync(CancellationToken cancellationToken) =>
            throw new CallRecordsException("ArchiveHasNoToken", ErrorCategory.InvalidOperation, "An archive connection reads a file; it has no Graph token.");

        public void Dispose()
        {
            Transport.Dispose();
            _store.Dispose();
        }
    }
}
