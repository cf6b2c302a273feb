using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphEmulator.Data;

namespace GraphEmulator;

internal sealed partial class GraphApi
{
    private Task<Reply> ListCallRecords(HttpContext ctx, string version)
    {
        QueryOptions.Allow(ctx.Request.Query, "$filter", "$select", "$skiptoken");
        var preferred = MaxPageSize(ctx);
        string? filterText, selectText;
        long afterTicks = long.MinValue;
        string? afterId = null;
        int pageSize;
        var skiptoken = Q(ctx, "$skiptoken");
        if (skiptoken is not null)
        {
            // The token carries the whole query, so the nextLink needs nothing else.
            var st = host.SkipTokens.Decode(skiptoken, "list");
            st.TryGetValue("f", out filterText);
            st.TryGetValue("s", out selectText);
            afterTicks = long.Parse(st["t"], CultureInfo.InvariantCulture);
            afterId = st["i"];
            pageSize = preferred ?? int.Parse(st["n"], CultureInfo.InvariantCulture);
        }
        else
        {
            filterText = Q(ctx, "$filter");
            selectText = Q(ctx, "$select");
            pageSize = preferred ?? DefaultPageSize;
        }
        var max = Math.Max(1, host.Control.MaxPageSize);
        if (preferred > max && host.Control.MaxPageSizeMode == PageSizeMode.Refuse)
            throw new GraphRequestException(400, "BadRequest",
                $"The requested page size {preferred} (Prefer: odata.maxpagesize) exceeds the maximum page size {max} of this collection.");
        pageSize = Math.Clamp(pageSize, 1, max);
        var filter = ListFilter.Parse(filterText);
        var select = QueryOptions.Select(selectText, QueryOptions.CallRecordProperties, "microsoft.graph.callRecords.callRecord");

        var retentionStart = Now - Retention;
        var all = host.Store.Snapshot;
        int i;
        if (afterId is not null)
        {
            i = LowerBound(all, e => CallRecordStore.Entry.Compare(e, afterTicks, afterId) > 0);
        }
        else
        {
            var from = filter.Lower is { } l && l > retentionStart ? l : retentionStart;
            i = LowerBound(all, e => e.Start >= from);
        }

        var page = new List<CallRecordStore.Entry>(pageSize);
        var more = false;
        for (; i < all.Length; i++)
        {
            var e = all[i];
            if (filter.Upper is { } u && (filter.UpperInclusive ? e.Start > u : e.Start >= u)) break;
            if (e.Start < retentionStart || !filter.Matches(e.Start)) continue;
            if (filter.ParticipantId is { } pid && !e.ParticipantIds.Contains(pid, StringComparer.OrdinalIgnoreCase)) continue;
            if (page.Count == pageSize) { more = true; break; }
            page.Add(e);
        }

        var store = host.Store;
        var body = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", MetadataBase(ctx, version) + "communications/callRecords" + (select is null ? "" : "(" + string.Join(',', select) + ")"));
            w.WriteStartArray("value");
            foreach (var e in page)
            {
                w.WriteStartObject();
                WriteSelected(w, store.ListItem(e), select);
                if (select is null) WriteInlineOrganizer(w, e, MetadataBase(ctx, version));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (more)
            {
                var last = page[^1];
                var state = new Dictionary<string, string>
                {
                    ["k"] = "list", ["t"] = last.Start.UtcTicks.ToString(CultureInfo.InvariantCulture), ["i"] = last.Id,
                    ["n"] = pageSize.ToString(CultureInfo.InvariantCulture),
                };
                if (filterText is not null) state["f"] = filterText;
                if (selectText is not null) state["s"] = selectText;
                w.WriteString("@odata.nextLink", BaseUrl(ctx, version) + "/communications/callRecords?$skiptoken=" + host.SkipTokens.Encode(state));
            }
            w.WriteEndObject();
        });
        var headers = preferred is null ? null : new[] { new KeyValuePair<string, string>("Preference-Applied", "odata.maxpagesize=" + pageSize.ToString(CultureInfo.InvariantCulture)) };
        return Task.FromResult(new Reply(200, body, headers));
    }

    private static int LowerBound(CallRecordStore.Entry[] a, Func<CallRecordStore.Entry, bool> atOrAfter)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (atOrAfter(a[mid])) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private enum Expand { None, Sessions, SessionsWithSegments, Participants, Organizer }

    private static Expand ParseRecordExpand(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return Expand.None;
        var x = raw.Replace(" ", "", StringComparison.Ordinal);
        return x switch
        {
            "sessions" => Expand.Sessions,
            "sessions($expand=segments)" => Expand.SessionsWithSegments,
            "participants_v2" => Expand.Participants,
            "organizer_v2" => Expand.Organizer,
            // Graph's get callRecord documents $expand of a single relationship.
            _ when x.Contains("),", StringComparison.Ordinal) || (x.Contains(',') && !x.Contains('(')) =>
                throw new GraphRequestException(400, "BadRequest", "Only one relationship can be expanded in a single request."),
            _ => throw new GraphRequestException(400, "BadRequest", $"Could not find a property named '{x.Split('(')[0]}' on type 'microsoft.graph.callRecords.callRecord'."),
        };
    }

    private Reply GetCallRecord(HttpContext ctx, string version, string id)
    {
        var unknownMembers = IncludeUnknownEnumMembers(ctx);
        QueryOptions.Allow(ctx.Request.Query, "$select", "$expand");
        var select = QueryOptions.Select(Q(ctx, "$select"), QueryOptions.CallRecordProperties, "microsoft.graph.callRecords.callRecord");
        var expand = ParseRecordExpand(Q(ctx, "$expand"));
        var e = FindRecord(id);
        var store = host.Store;
        var record = store.ListItem(e);
        var meta = MetadataBase(ctx, version);
        var recordPath = "communications/callRecords(" + Quote(e.Id) + ")";
        var body = Json(w =>
        {
            w.WriteStartObject();
            var shape = expand switch
            {
                Expand.Sessions => "(sessions())",
                Expand.SessionsWithSegments => "(sessions(segments()))",
                Expand.Participants => "(participants_v2())",
                Expand.Organizer => "(organizer_v2())",
                _ => select is null ? "" : "(" + string.Join(',', select) + ")",
            };
            w.WriteString("@odata.context", meta + "communications/callRecords" + shape + "/$entity");
            WriteSelected(w, record, select);
            switch (expand)
            {
                case Expand.Sessions or Expand.SessionsWithSegments:
                    var segs = expand == Expand.SessionsWithSegments;
                    var sessions = store.Sessions(e);
                    w.WriteString("sessions@odata.context", meta + recordPath + "/sessions" + (segs ? "(segments())" : ""));
                    w.WriteStartArray("sessions");
                    for (var k = 0; k < Math.Min(SessionPageSize, sessions.Count); k++) WriteSession(w, (JsonObject)sessions[k]!, segs, null, meta, recordPath, unknownMembers);
                    w.WriteEndArray();
                    if (sessions.Count > SessionPageSize)
                        w.WriteString("sessions@odata.nextLink", SessionsLink(ctx, version, e.Id, SessionPageSize, segs, null));
                    break;
                case Expand.Participants:
                    var participants = store.Participants(e);
                    w.WriteString("participants_v2@odata.context", meta + recordPath + "/participants_v2");
                    w.WriteStartArray("participants_v2");
                    for (var k = 0; k < Math.Min(ParticipantPageSize, participants.Count); k++) WriteNode(w, participants[k]);
                    w.WriteEndArray();
                    if (participants.Count > ParticipantPageSize)
                        w.WriteString("participants_v2@odata.nextLink", ParticipantsLink(ctx, version, e.Id, ParticipantPageSize, null));
                    break;
                case Expand.Organizer:
                    WriteInlineOrganizer(w, e, meta);
                    break;
            }
            // organizer_v2 is expanded by default (Graph's list and get examples carry it inline); a $select that
            // names properties leaves it out (Graph's docs don't show that case; leaving it out is the stricter).
            if (expand != Expand.Organizer && select is null) WriteInlineOrganizer(w, e, meta);
            w.WriteEndObject();
        });
        return new Reply(200, body);
    }

    /// <summary>organizer_v2@odata.context and organizer_v2 (null for a record without one), as Graph's examples
    /// show them inside a list item or a GET.</summary>
    private void WriteInlineOrganizer(Utf8JsonWriter w, CallRecordStore.Entry e, string meta)
    {
        w.WriteString("organizer_v2@odata.context", meta + "communications/callRecords(" + Quote(e.Id) + ")/organizer_v2/$entity");
        w.WritePropertyName("organizer_v2");
        WriteNode(w, host.Store.Organizer(e));
    }

    private void WriteSession(Utf8JsonWriter w, JsonObject session, bool withSegments, string[]? select, string meta, string recordPath, bool unknownMembers)
    {
        w.WriteStartObject();
        foreach (var (k, v) in session)
        {
            if (k == "segments") continue;
            if (select is not null && Array.IndexOf(select, k) < 0) continue;
            w.WritePropertyName(k);
            WriteEvolvable(w, v, unknownMembers);
        }
        if (withSegments)
        {
            var sid = session["id"]?.GetValue<string>() ?? "";
            w.WriteString("segments@odata.context", meta + recordPath + "/sessions(" + Quote(sid) + ")/segments");
            w.WritePropertyName("segments");
            WriteEvolvable(w, session["segments"] ?? new JsonArray(), unknownMembers);
        }
        w.WriteEndObject();
    }

    private string SessionsLink(HttpContext ctx, string version, string id, int offset, bool segments, string? select)
    {
        var st = new Dictionary<string, string> { ["k"] = "sessions", ["r"] = id, ["o"] = offset.ToString(CultureInfo.InvariantCulture) };
        if (select is not null) st["s"] = select;
        return BaseUrl(ctx, version) + "/communications/callRecords/" + Esc(id) + "/sessions?" + (segments ? "$expand=segments&" : "") +
               "$skiptoken=" + host.SkipTokens.Encode(st);
    }

    private string ParticipantsLink(HttpContext ctx, string version, string id, int offset, string? select)
    {
        var st = new Dictionary<string, string> { ["k"] = "participants", ["r"] = id, ["o"] = offset.ToString(CultureInfo.InvariantCulture) };
        if (select is not null) st["s"] = select;
        return BaseUrl(ctx, version) + "/communications/callRecords/" + Esc(id) + "/participants_v2?$skiptoken=" + host.SkipTokens.Encode(st);
    }

    private (int Offset, string? Select) PageState(HttpContext ctx, string kind, string id, string? select)
    {
        var token = Q(ctx, "$skiptoken");
        if (token is null) return (0, select);
        var st = host.SkipTokens.Decode(token, kind);
        if (!string.Equals(st["r"], id, StringComparison.OrdinalIgnoreCase))
            throw new GraphRequestException(400, "BadRequest", "The $skiptoken is invalid or expired.");
        return (int.Parse(st["o"], CultureInfo.InvariantCulture), st.TryGetValue("s", out var s) ? s : select);
    }

    private Reply ListSessions(HttpContext ctx, string version, string id)
    {
        var unknownMembers = IncludeUnknownEnumMembers(ctx);
        QueryOptions.Allow(ctx.Request.Query, "$select", "$expand", "$skiptoken");
        var segs = ParseSegmentsExpand(Q(ctx, "$expand"));
        var e = FindRecord(id);
        var (offset, selectText) = PageState(ctx, "sessions", e.Id, Q(ctx, "$select"));
        var select = QueryOptions.Select(selectText, QueryOptions.SessionProperties, "microsoft.graph.callRecords.session");
        var size = Math.Clamp(MaxPageSize(ctx) ?? SessionPageSize, 1, SessionPageSize);
        var sessions = host.Store.Sessions(e);
        var meta = MetadataBase(ctx, version);
        var recordPath = "communications/callRecords(" + Quote(e.Id) + ")";
        var body = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", meta + recordPath + "/sessions" + (segs ? "(segments())" : ""));
            w.WriteStartArray("value");
            var end = Math.Min(sessions.Count, offset + size);
            for (var k = offset; k < end; k++) WriteSession(w, (JsonObject)sessions[k]!, segs, select, meta, recordPath, unknownMembers);
            w.WriteEndArray();
            if (end < sessions.Count) w.WriteString("@odata.nextLink", SessionsLink(ctx, version, e.Id, end, segs, selectText));
            w.WriteEndObject();
        });
        return new Reply(200, body);
    }

    private static bool ParseSegmentsExpand(string? raw) => string.IsNullOrWhiteSpace(raw)
        ? false
        : raw.Trim() == "segments" ? true
        : throw new GraphRequestException(400, "BadRequest", $"Could not find a property named '{raw.Trim()}' on type 'microsoft.graph.callRecords.session'.");

    private JsonObject FindSession(CallRecordStore.Entry e, string sid) =>
        host.Store.Sessions(e).OfType<JsonObject>().FirstOrDefault(s => string.Equals(s["id"]?.GetValue<string>(), sid, StringComparison.OrdinalIgnoreCase))
        ?? throw new GraphRequestException(404, "NotFound", "Could not find the requested session.");

    private Reply GetSession(HttpContext ctx, string version, string id, string sid)
    {
        var unknownMembers = IncludeUnknownEnumMembers(ctx);
        QueryOptions.Allow(ctx.Request.Query, "$select", "$expand");
        var segs = ParseSegmentsExpand(Q(ctx, "$expand"));
        var select = QueryOptions.Select(Q(ctx, "$select"), QueryOptions.SessionProperties, "microsoft.graph.callRecords.session");
        var e = FindRecord(id);
        var session = FindSession(e, sid);
        var meta = MetadataBase(ctx, version);
        var recordPath = "communications/callRecords(" + Quote(e.Id) + ")";
        var body = Json(w =>
        {
            // The context goes first, so write the session's properties by hand rather than through WriteSession.
            w.WriteStartObject();
            w.WriteString("@odata.context", meta + recordPath + "/sessions" + (segs ? "(segments())" : "") + "/$entity");
            foreach (var (k, v) in session)
            {
                if (k == "segments" || (select is not null && Array.IndexOf(select, k) < 0)) continue;
                w.WritePropertyName(k);
                WriteEvolvable(w, v, unknownMembers);
            }
            if (segs)
            {
                w.WriteString("segments@odata.context", meta + recordPath + "/sessions(" + Quote(sid) + ")/segments");
                w.WritePropertyName("segments");
                WriteEvolvable(w, session["segments"] ?? new JsonArray(), unknownMembers);
            }
            w.WriteEndObject();
        });
        return new Reply(200, body);
    }

    private Reply ListSegments(HttpContext ctx, string version, string id, string sid)
    {
        var unknownMembers = IncludeUnknownEnumMembers(ctx);
        QueryOptions.Allow(ctx.Request.Query);
        var e = FindRecord(id);
        var session = FindSession(e, sid);
        var body = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", MetadataBase(ctx, version) + "communications/callRecords(" + Quote(e.Id) + ")/sessions(" + Quote(sid) + ")/segments");
            w.WritePropertyName("value");
            WriteEvolvable(w, session["segments"] ?? new JsonArray(), unknownMembers);
            w.WriteEndObject();
        });
        return new Reply(200, body);
    }

    private Reply ListParticipants(HttpContext ctx, string version, string id)
    {
        QueryOptions.Allow(ctx.Request.Query, "$select", "$skiptoken");
        var e = FindRecord(id);
        var (offset, selectText) = PageState(ctx, "participants", e.Id, Q(ctx, "$select"));
        var select = QueryOptions.Select(selectText, QueryOptions.ParticipantProperties, "microsoft.graph.callRecords.participant");
        var size = Math.Clamp(MaxPageSize(ctx) ?? ParticipantPageSize, 1, ParticipantPageSize);
        var participants = host.Store.Participants(e);
        var body = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", MetadataBase(ctx, version) + "communications/callRecords(" + Quote(e.Id) + ")/participants_v2");
            w.WriteStartArray("value");
            var end = Math.Min(participants.Count, offset + size);
            for (var k = offset; k < end; k++)
            {
                w.WriteStartObject();
                WriteSelected(w, (JsonObject)participants[k]!, select);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (end < participants.Count) w.WriteString("@odata.nextLink", ParticipantsLink(ctx, version, e.Id, end, selectText));
            w.WriteEndObject();
        });
        return new Reply(200, body);
    }

    private Reply GetOrganizer(HttpContext ctx, string version, string id)
    {
        QueryOptions.Allow(ctx.Request.Query, "$select");
        var e = FindRecord(id);
        var organizer = host.Store.Organizer(e)
            ?? throw new GraphRequestException(404, "NotFound", "The call record has no organizer.");
        var select = QueryOptions.Select(Q(ctx, "$select"), QueryOptions.ParticipantProperties, "microsoft.graph.callRecords.organizer");
        var body = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", MetadataBase(ctx, version) + "communications/callRecords(" + Quote(e.Id) + ")/organizer_v2/$entity");
            WriteSelected(w, organizer, select);
            w.WriteEndObject();
        });
        return new Reply(200, body);
    }

    // ---- PSTN-type log functions ----

    internal readonly record struct LogFunctionInfo(string Name, string Route, string RowType, bool ToInclusive, Func<EmulatorDataSet, LogTable> Table);

    // Graph's docs call toDateTime inclusive for getPstnCalls and exclusive for getDirectRoutingCalls; the beta logs
    // don't say, so they follow getPstnCalls.
    private static readonly LogFunctionInfo[] LogFunctions =
    {
        new("getPstnCalls", Routes.GetPstnCalls, "pstnCallLogRow", true, d => d.PstnCalls),
        new("getDirectRoutingCalls", Routes.GetDirectRoutingCalls, "directRoutingLogRow", false, d => d.DirectRoutingCalls),
        new("getSmsLog", Routes.GetSmsLog, "smsLogRow", true, d => d.SmsLogs),
        new("getPstnBlockedUsersLog", Routes.GetPstnBlockedUsersLog, "pstnBlockedUsersLogRow", true, d => d.PstnBlockedUsers),
        new("getPstnOnlineMeetingDialoutReport", Routes.GetPstnOnlineMeetingDialoutReport, "pstnOnlineMeetingDialoutReport", true, d => d.PstnOnlineMeetingDialoutReport),
    };

    private static LogFunctionInfo? LogFunction(string name, string version)
    {
        foreach (var f in LogFunctions)
        {
            if (!f.Name.Equals(name, StringComparison.Ordinal)) continue;
            // Only the first two exist in v1.0; the others are beta functions.
            if (version == "v1.0" && f.Route is not (Routes.GetPstnCalls or Routes.GetDirectRoutingCalls)) return null;
            return f;
        }
        return null;
    }

    // An Edm.DateTimeOffset literal as Graph's OData URI parser reads it: a zone (Z or ±hh:mm) is required, seconds
    // and up to seven fractional digits are optional, and the value is not quoted.
    private static readonly System.Text.RegularExpressions.Regex DateTimeOffsetLiteral = new(
        @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex DateLiteral = new(@"^\d{4}-\d{2}-\d{2}$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>A date (2026-01-01, midnight UTC) or a date-time with its zone (2026-01-01T00:00:00Z,
    /// 2026-01-01T00:00:00.1234567Z, 2026-01-01T02:00:00+02:00). A date-time without a zone or a quoted value is
    /// refused, as Graph's OData parser refuses it (400).</summary>
    internal static bool TryParseLogBound(string raw, out DateTimeOffset value)
    {
        value = default;
        var s = raw.Trim();
        if (DateLiteral.IsMatch(s))
        {
            if (!DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d))
                return false;
            value = new DateTimeOffset(d, TimeSpan.Zero);
            return true;
        }
        if (!DateTimeOffsetLiteral.IsMatch(s) || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
            return false;
        value = value.ToUniversalTime();
        return true;
    }

    private Reply LogRows(HttpContext ctx, string version, LogFunctionInfo f, string args)
    {
        // Graph ignores $filter on these functions (reported in microsoftgraph/microsoft-graph-docs#12668).
        QueryOptions.Allow(ctx.Request.Query, "$skip", "$filter");
        string? fromRaw = null, toRaw = null;
        foreach (var part in args.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new GraphRequestException(400, "BadRequest", $"The function parameter '{part}' is not valid.");
            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            // The docs' own nextLink names them from/to; accept both spellings.
            if (name is "fromDateTime" or "from") fromRaw = value;
            else if (name is "toDateTime" or "to") toRaw = value;
            else throw new GraphRequestException(400, "BadRequest", $"The parameter '{name}' is not in scope of function '{f.Name}'.");
        }
        if (fromRaw is null || toRaw is null)
            throw new GraphRequestException(400, "BadRequest", $"The function '{f.Name}' requires the parameters fromDateTime and toDateTime.");
        DateTimeOffset Bound(string name, string raw) => TryParseLogBound(raw, out var v) ? v
            // The wording of Graph's OData parser for a literal it cannot read as the parameter's type.
            : throw new GraphRequestException(400, "BadRequest",
                $"The parameter '{name}' in the request URI is not valid. Unrecognized 'Edm.DateTimeOffset' literal '{raw}' at '0' in '{raw}'.");
        var from = Bound("fromDateTime", fromRaw);
        var to = Bound("toDateTime", toRaw);
        if (to < from)
            throw new GraphRequestException(400, "BadRequest", "fromDateTime must be earlier than toDateTime.");
        // Graph refuses ranges over 90 days with 406 Not Acceptable (microsoftgraph/microsoft-graph-docs#10883).
        if (to - from > MaxLogRange)
            throw new GraphRequestException(406, "NotAcceptable", "The date range between fromDateTime and toDateTime cannot exceed 90 days.");
        var skipRaw = Q(ctx, "$skip");
        var skip = 0;
        if (skipRaw is not null && (!int.TryParse(skipRaw, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip < 0))
            throw new GraphRequestException(400, "BadRequest", $"Invalid value '{skipRaw}' for $skip query option found.");

        var table = f.Table(host.Data);
        var lo = LowerBoundLog(table, from, strict: false);
        var hi = LowerBoundLog(table, to, strict: f.ToInclusive);
        var total = Math.Max(0, hi - lo);
        var start = lo + Math.Min(skip, total);
        var end = Math.Min(hi, start + LogPageSize);
        var body = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", MetadataBase(ctx, version) + "Collection(microsoft.graph.callRecords." + f.RowType + ")");
            // "The number of records in this response" (Graph's docs): the rows of this page, not the range total.
            w.WriteNumber("@odata.count", end - start);
            w.WriteStartArray("value");
            // Under /beta the rows have beta's shape (its callLogRow base type and beta-only properties).
            var beta = version == "beta";
            for (var k = start; k < end; k++) table.BuildRow(k, beta).WriteTo(w);
            w.WriteEndArray();
            if (end < hi)
                // Shaped like the docs' example link, including its from=/to= parameter names.
                w.WriteString("@odata.nextLink", BaseUrl(ctx, version) + "/communications/callRecords/" + f.Name + "(from=" + fromRaw + ",to=" + toRaw + ")?$skip=" +
                                                 (end - lo).ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        });
        return new Reply(200, body);
    }

    /// <summary>First row at or after <paramref name="t"/> (strict: first row after it).</summary>
    private static int LowerBoundLog(LogTable table, DateTimeOffset t, bool strict)
    {
        int lo = 0, hi = table.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var ts = table.Timestamp(mid);
            if (strict ? ts > t : ts >= t) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}
