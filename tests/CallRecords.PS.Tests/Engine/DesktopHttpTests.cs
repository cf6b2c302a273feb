using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Azure.Core.Pipeline;
using CallRecords.Connection;
using CallRecords.Graph;
using CallRecords.Models;
using CallRecords.Sdk;
using GraphEmulator;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Xunit;

namespace CallRecords.PS.Tests.Engine;

/// <summary>
/// Issue #22: Windows PowerShell 5.1's HTTP code paths (the Desktop <see cref="HttpProfile"/>) run here on .NET 10,
/// with .NET's HttpClientHandler where the net472 build has WinHttpHandler: TLS 1.2/1.3 and the connection limit on
/// our handlers (the Graph pipeline's and the token requests'), the connection slot above the per-attempt timer, and
/// the case the slot exists for — a handler with .NET Framework's two connections, a 24-way fan-out and a short
/// -Timeout — which gives no false timeout with the slot and does without it.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class DesktopHttpTests : IDisposable
{
    private readonly EngineFixture _f;

    public DesktopHttpTests(EngineFixture fixture)
    {
        _f = fixture;
        _f.Reset();
    }

    public void Dispose()
    {
        _f.Host.Control.LatencyMs = 0;
        _f.Host.Control.ClearFaults();
    }

    private GraphClientSession Open(HttpProfile profile, TimeSpan? timeout = null, int? maxRetry = null) =>
        (GraphClientSession)new GraphBackend().Open(new ConnectionSettings(_f.Host.BaseAddress, requestTimeout: timeout, maxRetry: maxRetry, http: profile),
            CredentialSpec.AccessToken(_f.Token(), null), e => e, new RequestBudget(new RequestCeilings()));

    [Fact]
    public void The_Desktop_profile_puts_TLS_12_and_13_and_the_connection_limit_on_our_handler()
    {
        using var session = Open(new HttpProfile(desktop: true));

        var handler = Assert.IsType<HttpClientHandler>(session.DesktopHandler);
        Assert.Equal(SslProtocols.Tls12 | HttpProfile.Tls13, handler.SslProtocols); // Linux's TLS library has 1.3
        Assert.Equal(256, handler.MaxConnectionsPerServer); // the highest -ThrottleLimit
        Assert.False(handler.AllowAutoRedirect); // the SDK's redirect handler does it
        Assert.False(handler.UseCookies);
        Assert.Equal(System.Net.DecompressionMethods.None, handler.AutomaticDecompression); // the SDK's compression handler does it

        // The slot sits below the retry handler (a Retry-After wait holds no connection) and above the timer.
        var types = session.Handlers.Select(h => h.GetType()).ToList();
        var slot = Assert.Single(session.Handlers.OfType<ConnectionSlotHandler>());
        Assert.Equal(256, slot.Slots);
        Assert.True(types.IndexOf(typeof(RetryHandler)) < types.IndexOf(typeof(ConnectionSlotHandler)));
        Assert.True(types.IndexOf(typeof(ConnectionSlotHandler)) < types.IndexOf(typeof(RequestTraceHandler)));
        Assert.Equal(typeof(AttemptTimeoutHandler), types[^1]);

        // Token requests go over the same kind of handler, not Azure.Core's default transport.
        Assert.IsType<HttpClientTransport>(DesktopHttp.TokenTransport(new HttpProfile(desktop: true)));
    }

    [Fact]
    public void PowerShell_7s_profile_keeps_the_SDKs_own_handler()
    {
        using var session = Open(new HttpProfile(desktop: false));
        Assert.Null(session.DesktopHandler);
        Assert.DoesNotContain(session.Handlers, h => h is ConnectionSlotHandler);
        Assert.Null(DesktopHttp.TokenTransport(new HttpProfile(desktop: false)));
        Assert.False(HttpProfile.ForThisProcess().Desktop); // this process is .NET and the switch is not set
    }

    [Theory]
    [InlineData(PlatformID.Win32NT, "10.0.14393", false)] // Server 2016
    [InlineData(PlatformID.Win32NT, "10.0.17763", false)] // Server 2019, Windows 10 1809
    [InlineData(PlatformID.Win32NT, "10.0.19045", false)] // Windows 10 22H2
    [InlineData(PlatformID.Win32NT, "10.0.20348", true)] // Server 2022
    [InlineData(PlatformID.Win32NT, "10.0.26100", true)] // Windows 11 24H2, Server 2025
    [InlineData(PlatformID.Unix, "6.1.0", true)]
    public void TLS_13_is_offered_only_where_the_OS_has_it(PlatformID platform, string version, bool expected)
    {
        Assert.Equal(expected, HttpProfile.OsHasTls13(platform, Version.Parse(version)));
        var tls = expected ? SslProtocols.Tls12 | HttpProfile.Tls13 : SslProtocols.Tls12;
        Assert.Equal(tls, new HttpProfile(true, tls: tls).TlsProtocols);
    }

    /// <summary>Records for the fan-out: retained ones whose sessions fit one page, so each is one request.</summary>
    private List<(string Id, int Sessions)> FanOutInput(int count) =>
        _f.Retained().Where(r => r.SessionCount is >= 1 and <= 20).Take(count).Select(r => (r.Id, r.SessionCount)).ToList();

    [Fact]
    public async Task Two_connections_a_24_way_fan_out_and_a_short_timeout_give_no_false_timeouts()
    {
        // .NET Framework's two connections per host, a -Timeout of 2 s and requests of 200 ms: 48 records take 24
        // rounds (about 5 s), so most requests wait longer than -Timeout for a connection. No -MaxRetry: a false
        // timeout would be an error here, not a hidden retry.
        var input = FanOutInput(48);
        Assert.Equal(48, input.Count);
        var backend = new RecordingBackend();
        var connection = await CallRecordConnection.ConnectAsync(
            new ConnectionSettings(_f.Host.BaseAddress, requestTimeout: TimeSpan.FromSeconds(2), maxRetry: 0, http: new HttpProfile(desktop: true, connectionLimit: 2)),
            new AccessTokenCredentialProvider(_f.Token()), CancellationToken.None, backend);
        _f.Reset();
        _f.Host.Control.LatencyMs = 200;

        var run = _f.Run("$ids | Get-CallRecordSession -Connection $c -ThrottleLimit 24",
            new Dictionary<string, object?> { ["ids"] = input.Select(i => i.Id).ToArray(), ["c"] = connection });

        Assert.Empty(run.Errors);
        Assert.Equal(input.Sum(i => i.Sessions), run.Objects<CallRecordSession>().Count);
        Assert.Equal(input.Select(i => i.Id), run.Objects<CallRecordSession>().Select(s => s.CallRecordId).Distinct());
        // Each record asked once: no attempt timed out and was sent again.
        Assert.Equal(input.Count, EngineFixture.Count(_f.Host, Routes.GetCallRecord));
        // Never more than the two connections on the wire, and both used.
        Assert.Equal(2, _f.Host.Control.InFlightOf(Routes.GetCallRecord).Max);
        // Every slot came back (each response body was read or disposed).
        var slot = Assert.Single(backend.Opened!.Handlers.OfType<ConnectionSlotHandler>());
        Assert.Equal(2, slot.Free);
    }

    /// <summary>The defect the slot fixes, shown on the same load: the per-attempt timer directly over a two-connection
    /// handler counts the wait for a connection, and requests time out that Graph never saw; with the slot above the
    /// timer (the Desktop pipeline's order) none does.</summary>
    [Fact]
    public async Task Without_the_slot_the_same_load_times_out_requests_that_were_never_sent()
    {
        _f.Host.Control.LatencyMs = 200;
        var url = new Uri(_f.Host.BaseAddress, $"v1.0/communications/callRecords/{FanOutInput(1)[0].Id}/sessions");
        var token = new System.Net.NetworkCredential("", _f.Token()).Password;

        async Task<int> TimedOut(HttpMessageHandler pipeline)
        {
            using var http = new HttpClient(pipeline) { Timeout = Timeout.InfiniteTimeSpan };
            var attempts = Enumerable.Range(0, 48).Select(async _ =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                try
                {
                    using var response = await http.SendAsync(request);
                    response.EnsureSuccessStatusCode();
                    await response.Content.ReadAsByteArrayAsync();
                    return 0;
                }
                catch (TimeoutException)
                {
                    return 1;
                }
            }).ToArray();
            return (await Task.WhenAll(attempts)).Sum();
        }

        var twoConnections = new HttpClientHandler { MaxConnectionsPerServer = 2 };
        var timerOnly = new AttemptTimeoutHandler(TimeSpan.FromSeconds(2)) { InnerHandler = twoConnections };
        Assert.True(await TimedOut(timerOnly) > 0, "the timer over a two-connection handler should count the queue");

        var slotThenTimer = new ConnectionSlotHandler(2)
        {
            InnerHandler = new AttemptTimeoutHandler(TimeSpan.FromSeconds(2)) { InnerHandler = new HttpClientHandler { MaxConnectionsPerServer = 2 } },
        };
        Assert.Equal(0, await TimedOut(slotThenTimer));
    }

    private sealed class RecordingBackend : IGraphBackend
    {
        public GraphClientSession? Opened { get; private set; }

        public IGraphClient Open(ConnectionSettings settings, CredentialSpec credential, Func<Exception, Exception> describeFailure, IRequestGate gate) =>
            Opened = (GraphClientSession)new GraphBackend().Open(settings, credential, describeFailure, gate);
    }
}

/// <summary>The explicit switch, end to end in the module as PowerShell imports it: CALLRECORDS_DESKTOP_PATHS=1 gives a
/// connection the Desktop profile, whose token requests (over HTTPS to the identity emulator, TLS 1.2/1.3 only) and
/// Graph requests both work, and -Debug says which handlers the connection has.</summary>
[Collection(Identity.ProcessEnvironmentCollection.Name)]
public sealed class DesktopSwitchTests : IClassFixture<Auth.AuthFixture>
{
    private readonly Auth.AuthFixture _f;

    public DesktopSwitchTests(Auth.AuthFixture fixture) => _f = fixture;

    [Theory]
    [InlineData("1", true)]
    [InlineData("on", true)]
    [InlineData("0", false)]
    [InlineData(null, false)]
    public void The_switch_picks_the_Desktop_profile_on_PowerShell_7(string? value, bool desktop)
    {
        using var _ = new Identity.EnvironmentScope((HttpProfile.SwitchVariable, value));
        Assert.Equal(desktop, HttpProfile.ForThisProcess().Desktop);
        Assert.Equal(desktop, new ConnectionSettings().Http.Desktop);
    }

    [Fact]
    public void A_client_secret_connection_on_the_Desktop_profile_gets_its_token_over_TLS_and_lists_every_record()
    {
        using var _ = new Identity.EnvironmentScope((HttpProfile.SwitchVariable, "1"));
        var (app, secret) = _f.RegisterApp();
        var run = _f.Run($"$c = Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret $secret {_f.Endpoints} -NoDefault -PassThru -Debug\nGet-CallRecord -Connection $c -PageSize 50",
            _f.Vars(("tenant", app.TenantId), ("client", app.ClientId), ("secret", Auth.AuthFixture.Secure(secret))));

        Assert.Empty(run.Errors);
        Assert.Equal(_f.GroundTruth(), run.Objects<CallRecord>().Select(r => r.Id));
        Assert.Contains(run.Debug, d => d == "HTTP handlers: Desktop (TLS Tls12, Tls13, 256 connections per host, per-attempt timer after a connection is free).");
        var request = Assert.Single(_f.TokenRequestsOf(app.ClientId));
        Assert.Equal(200, request.StatusCode);
        Assert.StartsWith("https://", _f.Identity.AuthorityHost.AbsoluteUri, StringComparison.Ordinal);
    }
}
