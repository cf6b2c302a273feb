using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using GraphEmulator;
using GraphEmulator.Data;
using Xunit;

namespace CallRecords.PS.Tests.Engine;

/// <summary>
/// The hosted-engine harness: the emulator in-process on a loopback port, and PowerShell runspaces that import the
/// built module from out/CallRecords. Tests run real pipelines and assert on objects, streams and the emulator's
/// request log. The emulator's clock is fixed at start (now, to the minute) so ground truth is stable for the run
/// and the module's own 30-day check agrees with the emulator's retention.
/// </summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public static readonly string RepoRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
    public static readonly string ModuleManifest = Path.Combine(RepoRoot, "out/CallRecords/CallRecords.psd1");

    public DateTimeOffset Now { get; } = TruncateToMinute(DateTimeOffset.UtcNow);
    public EmulatorHost Host { get; private set; } = null!;
    /// <summary>A second emulator with other data, for -Connection tests.</summary>
    public EmulatorHost Other { get; private set; } = null!;
    private InitialSessionState _state = null!;

    public async Task InitializeAsync()
    {
        Host = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 11, Records = 400, Days = 32, Now = Now, Throttle = false });
        Other = await EmulatorHost.StartAsync(new EmulatorOptions { Seed = 12, Records = 50, Days = 10, Now = Now, Throttle = false });
        _state = InitialSessionState.CreateDefault2();
        _state.ImportPSModule(new[] { ModuleManifest });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Other.DisposeAsync();
    }

    /// <summary>Records the emulator serves (inside its 30-day retention), in the order Graph lists them: the ground
    /// truth's order (EmulatorHost.Truth), so tests that take records from here expect what the listing returns.</summary>
    public IReadOnlyList<CallRecordEntry> Retained(EmulatorHost? host = null)
    {
        var h = host ?? Host;
        return h.Truth.Records().Select(id => h.Data.TryGetIndex(id, out var i) ? h.Data.Records[i] : throw new InvalidOperationException($"{id} is not generated data")).ToList();
    }

    public static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text) s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }

    public SecureString Token(EmulatorHost? host = null, IEnumerable<string>? roles = null, bool delegated = false) =>
        Secure((host ?? Host).MintToken(roles: roles, delegated: delegated));

    /// <summary>Runs a script in a fresh runspace with the module imported; variables are set first.</summary>
    public PsRun Run(string script, IDictionary<string, object?>? variables = null)
    {
        using var ps = PowerShell.Create(_state);
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
            ps.Runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        var output = ps.Invoke();
        return new PsRun(output, ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(), ps.Streams.Verbose.Select(v => v.Message).ToList());
    }

    /// <summary>A PowerShell with the module imported, for tests that drive it themselves (BeginInvoke/Stop).</summary>
    public PowerShell CreateShell() => PowerShell.Create(_state);

    /// <summary>Connects the default connection to <paramref name="host"/> (the main emulator by default).</summary>
    public void Connect(EmulatorHost? host = null)
    {
        var run = Run("Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint",
            new Dictionary<string, object?> { ["token"] = Token(host), ["endpoint"] = (host ?? Host).BaseAddress });
        Assert.Empty(run.Errors);
    }

    /// <summary>Requests of a route, in arrival order. The emulator logs a request when it arrives and completes the
    /// entry before it answers, so once a cmdlet has returned, every request it sent and got an answer to is here.</summary>
    public static IReadOnlyList<RequestLogEntry> Requests(EmulatorHost host, string route) => host.Requests.Where(r => r.Route == route).ToList();

    /// <summary>Requests of a route counted when they arrived (before their response was written).</summary>
    public static long Count(EmulatorHost host, string route) => host.Control.RouteCounters.TryGetValue(route, out var n) ? n : 0;

    public void Reset(EmulatorHost? host = null)
    {
        var h = host ?? Host;
        h.ClearRequests();
        h.Control.ResetCounters();
    }

    private static DateTimeOffset TruncateToMinute(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}

public sealed record PsRun(Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, IReadOnlyList<string> Warnings, IReadOnlyList<string> Verbose)
{
    public IReadOnlyList<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>().ToList();
}

/// <summary>Pipeline tests share one process-wide default connection, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "hosted engine";
}
