using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphEmulator.Data;

namespace GraphEmulator;

/// <summary>/_emulator: not Graph; tokens, reset, the request log, counters, knobs and ground truth for tests.</summary>
internal static class ControlApi
{
    public static void Map(WebApplication app, EmulatorHost host)
    {
        var g = app.MapGroup("/_emulator");

        g.MapPost("/tokens", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            var roles = b["roles"] is JsonArray a ? a.Select(n => n?.GetValue<string>() ?? "").ToArray() : null;
            var lifetime = TimeSpan.FromSeconds(Int(b, "lifetimeSeconds") ?? 3600);
            var token = host.MintToken(Str(b, "tenant") ?? Str(b, "tenantId"), roles, lifetime, Str(b, "appId"),
                b["delegated"]?.GetValueKind() == JsonValueKind.True);
            return Ok(new JsonObject { ["token_type"] = "Bearer", ["access_token"] = token, ["expires_in"] = (long)lifetime.TotalSeconds });
        });

        g.MapPost("/reset", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            await host.ResetAsync(Int(b, "seed"), Int(b, "records"));
            return Ok(new JsonObject { ["seed"] = host.Options.Seed, ["records"] = host.Data.Records.Count });
        });

        g.MapGet("/requests", () =>
        {
            var arr = new JsonArray();
            foreach (var e in host.Requests)
                arr.Add(new JsonObject
                {
                    ["number"] = e.Number, ["time"] = e.Time.UtcDateTime.ToString("o", CultureInfo.InvariantCulture), ["method"] = e.Method,
                    ["path"] = e.PathAndQuery, ["status"] = e.Status, ["clientRequestId"] = e.ClientRequestId, ["requestId"] = e.RequestId,
                    ["tenantId"] = e.TenantId, ["appId"] = e.AppId, ["subject"] = e.Subject, ["route"] = e.Route, ["recordId"] = e.RecordId,
                    ["fault"] = e.Fault?.ToString(), ["throttled"] = e.Throttled, ["completed"] = e.Completed,
                    ["headers"] = Headers(e.Headers),
                });
            return Ok(new JsonObject { ["value"] = arr });
        });
        g.MapDelete("/requests", () => { host.ClearRequests(); return Results.NoContent(); });

        g.MapGet("/counters", () =>
        {
            var counts = new JsonObject();
            foreach (var (k, v) in host.Control.RouteCounters.OrderBy(kv => kv.Key, StringComparer.Ordinal)) counts[k] = v;
            var inflight = new JsonObject();
            foreach (var (k, v) in host.Control.InFlight.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                inflight[k] = new JsonObject { ["current"] = v.Current, ["max"] = v.Max };
            return Ok(new JsonObject { ["requests"] = counts, ["inFlight"] = inflight });
        });
        g.MapDelete("/counters", () => { host.Control.ResetCounters(); return Results.NoContent(); });

        g.MapGet("/latency", () => Ok(Latency(host)));
        g.MapPut("/latency", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            host.Control.LatencyMs = Int(b, "latencyMs") ?? host.Control.LatencyMs;
            host.Control.LatencyJitterMs = Int(b, "jitterMs") ?? host.Control.LatencyJitterMs;
            return Ok(Latency(host));
        });

        g.MapGet("/throttles", () => Ok(Throttles(host)));
        g.MapPut("/throttles", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            if (b["enabled"] is { } en) host.Control.ThrottleEnabled = en.GetValueKind() == JsonValueKind.True;
            var l = host.Control.ThrottleLimits;
            host.Control.ThrottleLimits = l with
            {
                PerAppPerTenant = Limit(b, "perAppPerTenant", l.PerAppPerTenant),
                List = Limit(b, "list", l.List),
                PerRecord = Limit(b, "perRecord", l.PerRecord),
                PstnType = Limit(b, "pstnType", l.PstnType),
                PstnPerFunction = Limit(b, "pstnPerFunction", l.PstnPerFunction),
            };
            return Ok(Throttles(host));
        });

        g.MapGet("/faults", () => Ok(Faults(host.Control.Faults)));
        g.MapPut("/faults", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            var f = host.Control.Faults;
            var kinds = b["kinds"] is JsonArray ka ? ka.Select(n => ParseKind(n?.GetValue<string>())).ToArray() : f.Kinds;
            var at = f.AtRequests;
            if (b["at"] is JsonObject ao)
                at = ao.ToDictionary(kv => long.Parse(kv.Key, CultureInfo.InvariantCulture), kv => ParseKind(kv.Value?.GetValue<string>()));
            host.Control.Faults = f with
            {
                Rate = b["rate"]?.GetValue<double>() ?? f.Rate,
                Seed = Int(b, "seed") ?? f.Seed,
                Kinds = kinds,
                AtRequests = at,
                RetryAfterSeconds = Int(b, "retryAfterSeconds") ?? f.RetryAfterSeconds,
                SlowBodyChunkDelayMs = Int(b, "slowBodyChunkDelayMs") ?? f.SlowBodyChunkDelayMs,
                SlowBodyChunks = Int(b, "slowBodyChunks") ?? f.SlowBodyChunks,
            };
            return Ok(Faults(host.Control.Faults));
        });

        // Hold requests of one route on arrival: a barrier (releaseAt) or until the client gives up; see RequestHold.
        g.MapGet("/hold", () => Ok(Hold(host.Control.CurrentHold)));
        g.MapPut("/hold", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            var route = Str(b, "route") ?? throw new BadHttpRequestException("route is required (a route name such as getCallRecord).");
            var timeout = b["timeoutSeconds"]?.GetValue<double>();
            var hold = host.Control.Hold(route, Int(b, "passFirst") ?? 0, Int(b, "releaseAt"),
                timeout is { } t ? TimeSpan.FromSeconds(t) : null);
            return Ok(Hold(hold));
        });
        g.MapDelete("/hold", () => { host.Control.ClearHold(); return Results.NoContent(); });

        g.MapGet("/page-size", () => Ok(PageSize(host)));
        g.MapPut("/page-size", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            if (Int(b, "max") is { } max)
            {
                if (max < 1) throw new BadHttpRequestException("max must be at least 1.");
                host.Control.MaxPageSize = max;
            }
            if (Str(b, "mode") is { } mode)
            {
                try { host.Control.MaxPageSizeMode = EmulatorOptions.ParsePageSizeMode(mode); }
                catch (ArgumentException e) { throw new BadHttpRequestException(e.Message); }
            }
            return Ok(PageSize(host));
        });

        g.MapGet("/readonly", () => Ok(new JsonObject { ["readOnly"] = host.Control.ReadOnly }));
        g.MapPut("/readonly", async (HttpContext ctx) =>
        {
            var b = await Body(ctx);
            host.Control.ReadOnly = b["readOnly"]?.GetValueKind() == JsonValueKind.True;
            return Ok(new JsonObject { ["readOnly"] = host.Control.ReadOnly });
        });

        // Ground truth: what a correct client should end up with.
        g.MapGet("/truth/records", (HttpContext ctx) =>
        {
            var (from, to) = Range(ctx);
            static string? P(HttpContext c, string n) => c.Request.Query[n].Count == 0 ? null : c.Request.Query[n].ToString();
            var ids = host.Truth.Records(from, to, P(ctx, "participant"), P(ctx, "type"), P(ctx, "modality"));
            return Ok(new JsonObject { ["count"] = ids.Count, ["ids"] = Array(ids) });
        });
        g.MapGet("/truth/sessions/{id}", (string id) =>
        {
            if (host.Truth.Sessions(id) is not { } sessions) return Results.NotFound();
            var arr = new JsonArray();
            foreach (var s in sessions) arr.Add(new JsonObject { ["id"] = s.Id, ["segmentIds"] = Array(s.SegmentIds) });
            return Ok(new JsonObject { ["count"] = arr.Count, ["value"] = arr });
        });
        g.MapGet("/truth/participants/{id}", (string id) =>
        {
            if (host.Truth.Participants(id) is not { } ids) return Results.NotFound();
            return Ok(new JsonObject { ["count"] = ids.Count, ["ids"] = Array(ids), ["organizerId"] = host.Truth.OrganizerId(id) });
        });
        g.MapGet("/truth/streams/{id}", (string id, HttpContext ctx) =>
        {
            if (!host.Store.TryGet(id, out var e) || e.GeneratedIndex < 0) return Results.NotFound();
            var poorOnly = string.Equals(ctx.Request.Query["poor"], "true", StringComparison.OrdinalIgnoreCase);
            var arr = new JsonArray();
            foreach (var s in host.Data.Streams(e.GeneratedIndex))
            {
                if (poorOnly && !string.Equals(s.Quality, "Poor", StringComparison.OrdinalIgnoreCase)) continue;
                arr.Add(new JsonObject
                {
                    ["callRecordId"] = s.CallRecordId, ["sessionId"] = s.SessionId, ["segmentId"] = s.SegmentId, ["streamId"] = s.StreamId,
                    ["mediaLabel"] = s.MediaLabel, ["streamDirection"] = s.StreamDirection, ["kind"] = s.Kind, ["quality"] = s.Quality,
                    ["poorReason"] = s.PoorReason,
                });
            }
            return Ok(new JsonObject { ["count"] = arr.Count, ["value"] = arr });
        });
        g.MapGet("/truth/logs/{table}", (string table, HttpContext ctx) =>
        {
            var t = Table(host.Data, table);
            if (t is null) return Results.NotFound();
            var (from, to) = Range(ctx);
            // rows=true: the rows themselves too, as Graph sends them (beta shape for the beta-only tables), for the
            // tables whose rows have no id of their own.
            var withRows = string.Equals(ctx.Request.Query["rows"], "true", StringComparison.OrdinalIgnoreCase);
            var ids = new JsonArray();
            var rows = new JsonArray();
            for (var i = 0; i < t.Count; i++)
            {
                var ts = t.Timestamp(i);
                if ((from is null || ts >= from) && (to is null || ts < to))
                {
                    ids.Add(t.Id(i));
                    if (withRows) rows.Add(t.BuildRow(i));
                }
            }
            var result = new JsonObject { ["table"] = t.Name, ["count"] = ids.Count, ["ids"] = ids };
            if (withRows) result["rows"] = rows;
            return Ok(result);
        });
    }

    internal static LogTable? Table(EmulatorDataSet d, string name) => name.ToLowerInvariant() switch
    {
        "pstncalls" or "getpstncalls" => d.PstnCalls,
        "directroutingcalls" or "getdirectroutingcalls" => d.DirectRoutingCalls,
        "smslogs" or "smslog" or "getsmslog" => d.SmsLogs,
        "pstnblockedusers" or "pstnblockeduserslog" or "getpstnblockeduserslog" => d.PstnBlockedUsers,
        "pstnonlinemeetingdialoutreport" or "getpstnonlinemeetingdialoutreport" => d.PstnOnlineMeetingDialoutReport,
        _ => null,
    };

    private static (DateTimeOffset? From, DateTimeOffset? To) Range(HttpContext ctx)
    {
        static DateTimeOffset? P(string? s) => string.IsNullOrEmpty(s) ? null
            : TryParseControlBound(s, out var v) ? v : throw new BadHttpRequestException($"'{s}' is not a date or date-time.");
        return (P(ctx.Request.Query["from"]), P(ctx.Request.Query["to"]));
    }

    /// <summary>The control surface reads bounds leniently (a date, or a date-time, zone-less taken as UTC): it is a
    /// test aid, not Graph, so only the Graph routes refuse what Graph refuses.</summary>
    private static bool TryParseControlBound(string raw, out DateTimeOffset value)
    {
        var s = raw.Trim().Trim('\'');
        if (DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d))
        {
            value = new DateTimeOffset(d, TimeSpan.Zero);
            return true;
        }
        if (s.Contains('T') && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
        {
            value = value.ToUniversalTime();
            return true;
        }
        value = default;
        return false;
    }

    private static FaultKind ParseKind(string? s) => s?.ToLowerInvariant() switch
    {
        "429" or "toomanyrequests" => FaultKind.TooManyRequests,
        "503" or "serviceunavailable" => FaultKind.ServiceUnavailable,
        "504" or "gatewaytimeout" => FaultKind.GatewayTimeout,
        "reset" or "connectionreset" => FaultKind.ConnectionReset,
        "truncated" or "truncatedbody" => FaultKind.TruncatedBody,
        "slow" or "slowbody" => FaultKind.SlowBody,
        "429-no-retry-after" or "toomanyrequestsnoretryafter" => FaultKind.TooManyRequestsNoRetryAfter,
        "429-activity-limit" or "activitylimitreached" => FaultKind.ActivityLimitReached,
        "503-no-retry-after" or "serviceunavailablenoretryafter" => FaultKind.ServiceUnavailableNoRetryAfter,
        _ => throw new BadHttpRequestException($"Unknown fault kind '{s}'."),
    };

    private static JsonArray Array(IEnumerable<string> items) => new(items.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    private static JsonObject Headers(IReadOnlyDictionary<string, string> headers)
    {
        var o = new JsonObject();
        foreach (var (k, v) in headers.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase)) o[k] = v;
        return o;
    }

    private static JsonObject Hold(RequestHold? h) => h is null ? new JsonObject { ["route"] = null } : new JsonObject
    {
        ["route"] = h.Route, ["passFirst"] = h.PassFirst, ["releaseAt"] = h.ReleaseAt, ["timeoutSeconds"] = h.Timeout.TotalSeconds,
        ["arrived"] = h.Arrived, ["held"] = h.Held, ["maxHeld"] = h.MaxHeld, ["aborted"] = h.Aborted, ["reached"] = h.Reached,
        ["released"] = h.Released, ["timedOut"] = h.TimedOut, ["description"] = h.ToString(),
    };

    private static JsonObject Latency(EmulatorHost h) => new() { ["latencyMs"] = h.Control.LatencyMs, ["jitterMs"] = h.Control.LatencyJitterMs };

    private static JsonObject PageSize(EmulatorHost h) => new()
    {
        ["max"] = h.Control.MaxPageSize, ["mode"] = h.Control.MaxPageSizeMode == PageSizeMode.Refuse ? "refuse" : "cap",
    };

    private static JsonObject Throttles(EmulatorHost h)
    {
        var l = h.Control.ThrottleLimits;
        static JsonObject L(ThrottleLimit t) => new() { ["limit"] = t.Limit, ["windowSeconds"] = t.Window.TotalSeconds };
        return new JsonObject
        {
            ["enabled"] = h.Control.ThrottleEnabled, ["perAppPerTenant"] = L(l.PerAppPerTenant), ["list"] = L(l.List),
            ["perRecord"] = L(l.PerRecord), ["pstnType"] = L(l.PstnType), ["pstnPerFunction"] = L(l.PstnPerFunction),
        };
    }

    private static ThrottleLimit Limit(JsonObject b, string name, ThrottleLimit current)
    {
        if (b[name] is not JsonObject o) return current;
        var window = o["windowSeconds"]?.GetValue<double>();
        return new ThrottleLimit(Int(o, "limit") ?? current.Limit, window is { } w ? TimeSpan.FromSeconds(w) : current.Window);
    }

    private static JsonObject Faults(FaultSettings f)
    {
        var at = new JsonObject();
        foreach (var (n, k) in f.AtRequests.OrderBy(kv => kv.Key)) at[n.ToString(CultureInfo.InvariantCulture)] = k.ToString();
        return new JsonObject
        {
            ["rate"] = f.Rate, ["seed"] = f.Seed, ["kinds"] = new JsonArray(f.Kinds.Select(k => (JsonNode)k.ToString()).ToArray()), ["at"] = at,
            ["retryAfterSeconds"] = f.RetryAfterSeconds, ["slowBodyChunkDelayMs"] = f.SlowBodyChunkDelayMs, ["slowBodyChunks"] = f.SlowBodyChunks,
        };
    }

    private static async Task<JsonObject> Body(HttpContext ctx)
    {
        if (ctx.Request.ContentLength == 0) return new JsonObject();
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject ?? new JsonObject();
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The body is not valid JSON: " + e.Message);
        }
    }

    private static string? Str(JsonObject o, string name) => o[name]?.GetValueKind() == JsonValueKind.String ? o[name]!.GetValue<string>() : null;

    private static int? Int(JsonObject o, string name) => o[name]?.GetValueKind() == JsonValueKind.Number ? o[name]!.GetValue<int>() : null;

    private static IResult Ok(JsonObject o) => Results.Text(o.ToJsonString(), "application/json");
}
