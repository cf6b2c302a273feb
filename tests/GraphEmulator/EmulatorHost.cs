using System.Net;
using GraphEmulator.Data;
using GraphEmulator.Identity;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace GraphEmulator;

/// <summary>The emulator as a host: Kestrel on loopback, Graph's routes, the /_emulator control surface.</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GraphApi _graph;
    private volatile CallRecordStore _store;

    private EmulatorHost(EmulatorOptions options, WebApplication app, CallRecordStore store)
    {
        Options = options;
        _app = app;
        _store = store;
        Control = new EmulatorControl(options);
        _graph = new GraphApi(this);
        Truth = new EmulatorTruth(this);
        BaseAddress = new Uri("http://127.0.0.1/");
    }

    public EmulatorOptions Options { get; }
    public Uri BaseAddress { get; private set; }
    public EmulatorDataSet Data => _store.Data;
    public EmulatorControl Control { get; }
    /// <summary>Ground truth for tests (the same as /_emulator/truth/*).</summary>
    public EmulatorTruth Truth { get; }
    /// <summary>The identity face (token service over HTTPS, managed identity endpoint, /_emulator/apps) when
    /// <see cref="EmulatorOptions.Identity"/> is on; its tokens are minted by this host's Graph face.</summary>
    public IdentityServer? Identity { get; private set; }
    public IReadOnlyList<RequestLogEntry> Requests => Log.Snapshot();
    public void ClearRequests() => Log.Clear();

    /// <summary>The emulator's clock: --now when given, else the real clock.</summary>
    public DateTimeOffset Now => Options.Now ?? DateTimeOffset.UtcNow;

    // Extra tenants (AddTenantAsync) get their own data; a request sees the store of its token's tenant, set by
    // GraphApi once the token is validated. Tokens of unknown tenants (and --accept-any-token) see the default data.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CallRecordStore> _tenants = new(StringComparer.OrdinalIgnoreCase);
    private readonly AsyncLocal<CallRecordStore?> _requestStore = new();

    internal CallRecordStore Store => _requestStore.Value ?? _store;

    /// <summary>Ground truth for in-process tests: a record as the list serves it (writes included), or null.</summary>
    public System.Text.Json.Nodes.JsonObject? RecordItem(string id) => _store.TryGet(id, out var e) ? _store.ListItem(e) : null;

    /// <summary>Ground truth for in-process tests: a record's organizer_v2, or null (no such record, or none).</summary>
    public System.Text.Json.Nodes.JsonObject? OrganizerOf(string id) => _store.TryGet(id, out var e) ? _store.Organizer(e) : null;

    internal void SelectTenant(string? tenantId) =>
        _requestStore.Value = tenantId is not null && _tenants.TryGetValue(tenantId, out var s) ? s : null;

    /// <summary>Adds a tenant with its own generated data; tokens minted for it (MintToken(tenantId)) see only it.</summary>
    public async Task<EmulatorDataSet> AddTenantAsync(string tenantId, int seed, int? records = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        var data = await Task.Run(() => EmulatorDataSet.Generate(new GeneratorOptions
        {
            Seed = seed, Records = records ?? Options.Records, Days = Options.Days, Now = Data.Options.Now,
            LogRows = Options.LogRows, LogDays = Options.LogDays, TenantId = tenantId,
        })).ConfigureAwait(false);
        _tenants[tenantId] = new CallRecordStore(data);
        return data;
    }

    /// <summary>The data a token of this tenant sees.</summary>
    public EmulatorDataSet DataFor(string tenantId) => _tenants.TryGetValue(tenantId, out var s) ? s.Data : Data;
    internal RequestLog Log { get; } = new();
    internal TokenService Tokens { get; } = new();
    internal SkipTokenCodec SkipTokens { get; } = new();

    public static async Task<EmulatorHost> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = await Task.Run(() => Generate(options, options.Seed, options.Records), ct).ConfigureAwait(false);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Array.Empty<string>() });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http1);
            if (options.Urls is null) k.Listen(IPAddress.Loopback, 0);
        });
        if (options.Urls is not null) builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var app = builder.Build();
        var host = new EmulatorHost(options, app, new CallRecordStore(data));
        app.Map("/v1.0/{**rest}", host._graph.HandleAsync);
        app.Map("/beta/{**rest}", host._graph.HandleAsync);
        ControlApi.Map(app, host);
        EmulatorTime.Map(app, host);
        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // Kestrel may report a wildcard or localhost; name the loopback address clients should dial.
        var uri = new UriBuilder(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)
            .Replace("+", "127.0.0.1", StringComparison.Ordinal).Replace("*", "127.0.0.1", StringComparison.Ordinal)) { Path = "/" };
        host.BaseAddress = uri.Uri;
        if (options.Identity)
        {
            try
            {
                host.Identity = await IdentityServer.StartAsync(new IdentityServerOptions
                {
                    HttpsPort = options.HttpsPort,
                    ManagedIdentityPort = options.ManagedIdentityPort,
                    CaOutPath = options.CaOut,
                }, new GraphTokenIssuer(host.Tokens), ct).ConfigureAwait(false);
            }
            catch
            {
                await host.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        return host;
    }

    private static EmulatorDataSet Generate(EmulatorOptions o, int seed, int records) => EmulatorDataSet.Generate(new GeneratorOptions
    {
        Seed = seed,
        Records = records,
        Days = o.Days,
        Now = o.Now ?? DateTimeOffset.UtcNow,
        LogRows = o.LogRows,
        LogDays = o.LogDays,
        TenantId = o.TenantId,
    });

    /// <summary>Same as POST /_emulator/tokens.</summary>
    public string MintToken(string? tenantId = null, IEnumerable<string>? roles = null, TimeSpan? lifetime = null, string? appId = null, bool delegated = false) =>
        Tokens.Mint(tenantId ?? Options.TenantId, roles, lifetime ?? TimeSpan.FromHours(1), appId, delegated);

    /// <summary>Regenerate the data (new seed and/or record count), drop every write, the request log, counters,
    /// throttle windows, any request hold and the request numbering.</summary>
    public async Task ResetAsync(int? seed = null, int? records = null)
    {
        if (seed is { } s) Options.Seed = s;
        if (records is { } r) Options.Records = r;
        var data = await Task.Run(() => Generate(Options, Options.Seed, Options.Records)).ConfigureAwait(false);
        _store = new CallRecordStore(data);
        Log.Clear();
        Control.ResetCounters();
        Control.ResetThrottleWindows();
        Control.ClearHold();
        Control.Faults = Control.Faults;
        _graph.ResetNumbering();
    }

    /// <summary>Blocks until the host stops (Ctrl+C when run from the command line).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (Identity is { } identity) await identity.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Tokens.Dispose();
        SkipTokens.Dispose();
    }
}
