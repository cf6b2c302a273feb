using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;

namespace GraphEmulator;

/// <summary>A finished Graph answer, buffered so faults can cut, stall or abort its body.</summary>
internal sealed partial record Reply(int Status, byte[]? Body, IReadOnlyList<KeyValuePair<string, string>>? Headers = null);

/// <summary>Graph's call-records routes under /v1.0 and /beta, with auth, throttles, faults and the request log.</summary>
internal sealed partial class GraphApi(EmulatorHost host)
{
    private const int DefaultPageSize = 60;
    private const int SessionPageSize = 60;
    private const int ParticipantPageSize = 130;
    private const int LogPageSize = 1000;
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private static readonly TimeSpan MaxLogRange = TimeSpan.FromDays(90);
    private long _requestNumber;

    internal void ResetNumbering() => Interlocked.Exchange(ref _requestNumber, 0);

    public async Task HandleAsync(HttpContext ctx)
    {
        var control = host.Control;
        var number = Interlocked.Increment(ref _requestNumber);
        var requestId = Guid.NewGuid().ToString();
        var clientRequestId = ctx.Request.Headers["client-request-id"].ToString();
        if (string.IsNullOrEmpty(clientRequestId)) clientRequestId = Guid.NewGuid().ToString();
        ctx.Response.Headers["request-id"] = requestId;
        ctx.Response.Headers["client-request-id"] = clientRequestId;

        var path = ctx.Request.Path.Value ?? "/";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var version = segments[0];
        var match = Resolve(ctx.Request.Method, version, segments.AsSpan(1));
        control.Count(match.Route);
        var logged = host.Log.Add(new RequestLogEntry(number, DateTimeOffset.UtcNow, ctx.Request.Method, path + ctx.Request.QueryString.Value,
            0, clientRequestId, requestId, null, null, null, match.Route, match.RecordId, null, false) { Headers = RequestLog.Headers(ctx.Request) });
        using var gauge = control.Enter(match.Route);
        await control.HoldAsync(match.Route, ctx.RequestAborted).ConfigureAwait(false);

        var latency = control.NextLatency(number);
        if (latency > 0) await Task.Delay(latency, ctx.RequestAborted).ConfigureAwait(false);

        // Every Graph request draws its fault number, so "the Nth request" means the Nth one the client sent; the
        // fault shows only if the request gets past auth and throttling.
        var (_, drawn, faultSettings) = control.NextFault();
        TokenPrincipal? principal = null;
        host.SelectTenant(null);
        FaultKind? fault = null;
        var throttled = false;
        Reply reply;
        try
        {
            reply = Authenticate(ctx, out principal) ?? Reply429IfThrottled(principal!, match, out throttled) ?? Faulted(drawn, faultSettings, out fault) ?? await InvokeAsync(ctx, match, version).ConfigureAwait(false);
        }
        catch (GraphRequestException e)
        {
            reply = Fail(e.Status, e.Code, e.Message);
        }

        // Completed before the first byte goes out: a client holding its answer finds the whole entry.
        logged.Complete(e => e with
        {
            Status = reply.Status, TenantId = principal?.TenantId, AppId = principal?.AppId, Subject = principal?.Subject,
            Fault = fault, Throttled = throttled,
        });
        await WriteAsync(ctx, reply, fault, faultSettings).ConfigureAwait(false);
    }

    private Reply? Authenticate(HttpContext ctx, out TokenPrincipal? principal)
    {
        principal = null;
        var auth = ctx.Request.Headers.Authorization.ToString();
        string token;
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) token = auth[7..].Trim();
        else if (auth.Length == 0) token = "";
        else return Unauthorized("CompactToken parsing failed with error code: 80049217");

        if (host.Options.AcceptAnyToken && token.Length > 0)
        {
            principal = TokenService.Unverified(token);
            host.SelectTenant(principal?.TenantId);
            return null;
        }
        // Graph's 401 texts for these cases (code InvalidAuthenticationToken).
        switch (host.Tokens.Validate(token, out principal))
        {
            case TokenService.Failure.None: break;
            case TokenService.Failure.Empty: return Unauthorized("Access token is empty.");
            case TokenService.Failure.Malformed: return Unauthorized("CompactToken parsing failed with error code: 80049217");
            case TokenService.Failure.BadSignature: return Unauthorized("Access token validation failure. Invalid signature.");
            case TokenService.Failure.Expired: return Unauthorized("Lifetime validation failed, the token is expired.");
            case TokenService.Failure.NotYetValid: return Unauthorized("Lifetime validation failed, the token is not yet valid.");
            default: return Unauthorized("Access token validation failure. Invalid audience.");
        }
        // Call records support application permissions only; a delegated token (scp, no roles) is refused like a
        // token without the role. Writes are emulator-only and need the same role, for convenience.
        if (principal!.Delegated || !principal.Roles.Contains("CallRecords.Read.All", StringComparer.OrdinalIgnoreCase))
        {
            var roles = string.Join(',', principal.Roles);
            return Fail(403, "Forbidden",
                $"Missing role permissions on the request. API requires one of 'CallRecords.Read.All'. Roles on the request '{roles}'.");
        }
        host.SelectTenant(principal.TenantId);
        return null;
    }

    private static Reply Unauthorized(string message)
    {
        var r = Fail(401, "InvalidAuthenticationToken", message);
        return r with
        {
            Headers = new[]
            {
                new KeyValuePair<string, string>("WWW-Authenticate",
                    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\""),
            },
        };
    }

    private Reply? Reply429IfThrottled(TokenPrincipal p, RouteMatch m, out bool throttled)
    {
        throttled = false;
        var key = (p.TenantId ?? "-") + "|" + (p.AppId ?? "-");
        var wait = host.Control.Throttle(key, m.Route, m.RecordId);
        if (wait is null) return null;
        throttled = true;
        return TooMany(wait.Value);
    }

    private Reply TooMany(int seconds)
    {
        var r = Fail(429, "TooManyRequests", "Too many requests.");
        return r with { Headers = new[] { new KeyValuePair<string, string>("Retry-After", seconds.ToString(CultureInfo.InvariantCulture)) } };
    }

    private static Reply? Faulted(FaultKind? k, FaultSettings s, out FaultKind? kind)
    {
        kind = k;
        var ra = new[] { new KeyValuePair<string, string>("Retry-After", s.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)) };
        return k switch
        {
            FaultKind.TooManyRequests => Fail(429, "TooManyRequests", "Too many requests.") with { Headers = ra },
            FaultKind.ServiceUnavailable => Fail(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.") with { Headers = ra },
            FaultKind.GatewayTimeout => Fail(504, "GatewayTimeout", "The request timed out."),
            // Graph's 429s and 503s do not always carry Retry-After, and the code varies.
            FaultKind.TooManyRequestsNoRetryAfter => Fail(429, "TooManyRequests", "Too many requests."),
            FaultKind.ActivityLimitReached => Fail(429, "activityLimitReached", "The request has been throttled."),
            FaultKind.ServiceUnavailableNoRetryAfter => Fail(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later."),
            _ => null,
        };
    }

    // Error bodies are completed at write time so innerError carries the response's own ids.
    private static Reply Fail(int status, string code, string message) => new(status, null, null) { PendingError = (code, message) };

    private static async Task WriteAsync(HttpContext ctx, Reply reply, FaultKind? fault, FaultSettings f)
    {
        var res = ctx.Response;
        res.StatusCode = reply.Status;
        if (reply.Headers is not null)
            foreach (var (k, v) in reply.Headers) res.Headers[k] = v;
        var body = reply.Body;
        if (reply.PendingError is var (code, message))
            body = ErrorBody(code, message, res.Headers["request-id"].ToString(), res.Headers["client-request-id"].ToString());
        if (body is null)
        {
            res.ContentLength = 0;
            return;
        }
        res.ContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
        switch (fault)
        {
            case FaultKind.ConnectionReset:
                res.ContentLength = body.Length;
                await res.Body.WriteAsync(body.AsMemory(0, body.Length / 2)).ConfigureAwait(false);
                await res.Body.FlushAsync().ConfigureAwait(false);
                ctx.Abort();
                return;
            case FaultKind.TruncatedBody:
                var cut = Math.Max(1, body.Length / 2);
                res.ContentLength = cut;
                await res.Body.WriteAsync(body.AsMemory(0, cut)).ConfigureAwait(false);
                return;
            case FaultKind.SlowBody:
                res.ContentLength = body.Length;
                var chunks = Math.Max(1, f.SlowBodyChunks);
                var size = Math.Max(1, (body.Length + chunks - 1) / chunks);
                for (var off = 0; off < body.Length; off += size)
                {
                    await res.Body.WriteAsync(body.AsMemory(off, Math.Min(size, body.Length - off)), ctx.RequestAborted).ConfigureAwait(false);
                    await res.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
                    if (off + size < body.Length) await Task.Delay(f.SlowBodyChunkDelayMs, ctx.RequestAborted).ConfigureAwait(false);
                }
                return;
            default:
                res.ContentLength = body.Length;
                await res.Body.WriteAsync(body).ConfigureAwait(false);
                return;
        }
    }

    internal static byte[] ErrorBody(string code, string message, string requestId, string clientRequestId) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteStartObject("innerError");
        // Graph writes this date without offset or fraction.
        w.WriteString("date", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        w.WriteString("request-id", requestId);
        w.WriteString("client-request-id", clientRequestId);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    });

    internal static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(w);
        return buffer.WrittenSpan.ToArray();
    }

    // ---- routing ----

    internal sealed record RouteMatch(string Route, string? RecordId, Func<HttpContext, string, Task<Reply>> Invoke);

    private static Task<Reply> InvokeAsync(HttpContext ctx, RouteMatch m, string version) => m.Invoke(ctx, version);

    private RouteMatch Resolve(string method, string version, ReadOnlySpan<string> s)
    {
        var get = HttpMethods.IsGet(method);
        var post = HttpMethods.IsPost(method);
        RouteMatch NotFoundSegment(string seg) => new(Routes.Unknown, null, (_, _) =>
            throw new GraphRequestException(400, "BadRequest", $"Resource not found for the segment '{seg}'."));
        RouteMatch NotAllowed(string route, string? id) => new(route, id, (_, _) => throw MethodNotAllowed(method));

        if (s.Length < 2 || !s[0].Equals("communications", StringComparison.OrdinalIgnoreCase))
            return NotFoundSegment(s.Length > 0 ? s[0] : version);
        if (!s[1].Equals("callRecords", StringComparison.Ordinal))
            return NotFoundSegment(s[1]);
        if (s.Length == 2)
        {
            if (get) return new(Routes.ListCallRecords, null, ListCallRecords);
            if (post) return new(Routes.CreateCallRecord, null, Write(CreateCallRecord));
            return NotAllowed(Routes.ListCallRecords, null);
        }

        var third = s[2];
        var paren = third.IndexOf('(');
        if (paren > 0 && third.EndsWith(')'))
        {
            var name = third[..paren];
            const string ns = "microsoft.graph.callRecords.";
            if (name.StartsWith(ns, StringComparison.Ordinal)) name = name[ns.Length..];
            var table = LogFunction(name, version);
            if (table is null || s.Length != 3) return NotFoundSegment(third[..paren]);
            var args = third[(paren + 1)..^1];
            if (!get) return NotAllowed(table.Value.Route, null);
            var t = table.Value;
            return new(t.Route, null, (ctx, v) => Task.FromResult(LogRows(ctx, v, t, args)));
        }

        var id = third;
        if (s.Length == 3)
            return get ? new(Routes.GetCallRecord, id, (ctx, v) => Task.FromResult(GetCallRecord(ctx, v, id))) : NotAllowed(Routes.GetCallRecord, id);
        var nav = s[3];
        if (nav == "sessions")
        {
            if (s.Length == 4)
            {
                if (get) return new(Routes.ListSessions, id, (ctx, v) => Task.FromResult(ListSessions(ctx, v, id)));
                if (post) return new(Routes.CreateSession, id, Write((ctx, v) => CreateSession(ctx, v, id)));
                return NotAllowed(Routes.ListSessions, id);
            }
            var sid = s[4];
            if (s.Length == 5)
            {
                if (get) return new(Routes.GetSession, id, (ctx, v) => Task.FromResult(GetSession(ctx, v, id, sid)));
                if (HttpMethods.IsPatch(method)) return new(Routes.UpdateSession, id, Write((ctx, v) => UpdateSession(ctx, v, id, sid)));
                if (HttpMethods.IsDelete(method)) return new(Routes.DeleteSession, id, Write((ctx, v) => DeleteSession(ctx, v, id, sid)));
                return NotAllowed(Routes.GetSession, id);
            }
            if (s.Length == 6 && s[5] == "segments")
            {
                if (get) return new(Routes.ListSegments, id, (ctx, v) => Task.FromResult(ListSegments(ctx, v, id, sid)));
                if (post) return new(Routes.CreateSegment, id, Write((ctx, v) => CreateSegment(ctx, v, id, sid)));
                return NotAllowed(Routes.ListSegments, id);
            }
            return NotFoundSegment(s[^1]);
        }
        if (s.Length == 4 && nav == "participants_v2")
            return get ? new(Routes.ListParticipants, id, (ctx, v) => Task.FromResult(ListParticipants(ctx, v, id))) : NotAllowed(Routes.ListParticipants, id);
        if (s.Length == 4 && nav == "organizer_v2")
            return get ? new(Routes.GetOrganizer, id, (ctx, v) => Task.FromResult(GetOrganizer(ctx, v, id))) : NotAllowed(Routes.GetOrganizer, id);
        return NotFoundSegment(nav);
    }

    // The real service exposes no write operations on call records; an HTTP method a resource does not support gets
    // 405 with ASP.NET Web API's wording (as seen from Graph's communications stack). --read-only answers writes so.
    private static GraphRequestException MethodNotAllowed(string method) =>
        new(405, "MethodNotAllowed", $"The requested resource does not support http method '{method}'.");

    private Func<HttpContext, string, Task<Reply>> Write(Func<HttpContext, string, Task<Reply>> write) => (ctx, v) =>
        host.Control.ReadOnly ? throw MethodNotAllowed(ctx.Request.Method) : write(ctx, v);

    // ---- helpers ----

    private DateTimeOffset Now => host.Now;

    private static string BaseUrl(HttpContext ctx, string version) => $"{ctx.Request.Scheme}://{ctx.Request.Host}/{version}";

    private static string MetadataBase(HttpContext ctx, string version) => $"{ctx.Request.Scheme}://{ctx.Request.Host}/{version}/$metadata#";

    private static string? Q(HttpContext ctx, string name)
    {
        var v = ctx.Request.Query[name];
        return v.Count == 0 ? null : v.ToString();
    }

    /// <summary>Prefer: odata.maxpagesize=N (any of several Prefer headers or comma-separated values).</summary>
    private static int? MaxPageSize(HttpContext ctx)
    {
        foreach (var header in ctx.Request.Headers["Prefer"])
        {
            if (header is null) continue;
            foreach (var part in header.Split(','))
            {
                var p = part.Trim();
                if (p.StartsWith("odata.maxpagesize=", StringComparison.OrdinalIgnoreCase) &&
                    int.TryParse(p.AsSpan(18), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
                    return n;
            }
        }
        return null;
    }

    /// <summary>Prefer: include-unknown-enum-members (alone or among other preferences).</summary>
    private static bool IncludeUnknownEnumMembers(HttpContext ctx)
    {
        foreach (var header in ctx.Request.Headers["Prefer"])
        {
            if (header is null) continue;
            foreach (var part in header.Split(','))
                if (part.Trim().Equals("include-unknown-enum-members", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Writes a node as Graph would for the request: evolvable enum members after unknownFutureValue become
    /// unknownFutureValue unless <paramref name="unknownMembers"/> (the Prefer header) asks for them.</summary>
    private static void WriteEvolvable(Utf8JsonWriter w, JsonNode? v, bool unknownMembers)
    {
        if (unknownMembers) { WriteNode(w, v); return; }
        switch (v)
        {
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (k, child) in o)
                {
                    w.WritePropertyName(k);
                    if (child is JsonValue value && EvolvableEnums.LaterMembers.TryGetValue(k, out var later) && value.TryGetValue<string>(out var text)
                        && Array.Exists(later, m => m.Equals(text, StringComparison.OrdinalIgnoreCase)))
                        w.WriteStringValue("unknownFutureValue");
                    else WriteEvolvable(w, child, false);
                }
                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var item in a) WriteEvolvable(w, item, false);
                w.WriteEndArray();
                break;
            default:
                WriteNode(w, v);
                break;
        }
    }

    private static void WriteSelected(Utf8JsonWriter w, JsonObject o, string[]? select)
    {
        if (select is null)
        {
            foreach (var (k, v) in o) { w.WritePropertyName(k); WriteNode(w, v); }
            return;
        }
        foreach (var (k, v) in o)
            if (Array.IndexOf(select, k) >= 0) { w.WritePropertyName(k); WriteNode(w, v); }
    }

    private static void WriteNode(Utf8JsonWriter w, JsonNode? v)
    {
        if (v is null) w.WriteNullValue();
        else v.WriteTo(w);
    }

    private CallRecordStore.Entry FindRecord(string id)
    {
        if (!host.Store.TryGet(id, out var e) || e.Start < Now - Retention)
            throw new GraphRequestException(404, "NotFound",
                "Could not find the requested call record. Records about calls or online meetings that started more than 30 days ago are not available.");
        return e;
    }

    private static string Quote(string id) => "'" + id.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Esc(string s) => Uri.EscapeDataString(s);
}

/// <summary>Members of evolvable enums declared after unknownFutureValue (both CSDLs, Data/Schema), by the name of the
/// property that carries them. Graph sends them as unknownFutureValue unless the request has
/// Prefer: include-unknown-enum-members. productFamily is the only such enum of the call-records schema (a test checks
/// this list against the CSDLs).</summary>
public static class EvolvableEnums
{
    public static IReadOnlyDictionary<string, string[]> LaterMembers { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["productFamily"] = new[] { "azureCommunicationServices" },
    };
}

internal sealed partial record Reply
{
    /// <summary>Error code and message whose body is written with the response's request ids.</summary>
    public (string Code, string Message)? PendingError { get; init; }
}
