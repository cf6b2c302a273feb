using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Archive;
using CallRecords.Graph;
using Microsoft.Data.Sqlite;

namespace CallRecords.Sdk.Archive;

/// <summary>
/// The read side of the archive: answers the module's Graph requests (the same URLs, the same JSON shapes) from the
/// file, so every cmdlet works on an archive connection unchanged. What it answers: the call record list with
/// $filter on startDateTime (ge, gt, lt, le) and participants_v2/any(p:p/id eq '…') joined by "and", $select,
/// Prefer: odata.maxpagesize (≤ 999) and nextLinks; GET of a record with one $expand (sessions, sessions($expand=segments),
/// participants_v2, organizer_v2) like Graph; sessions, a session, segments, participants_v2, organizer_v2; and
/// getPstnCalls / getDirectRoutingCalls over a range. Unlike Graph it keeps records past 30 days. Anything else is
/// refused with 400 and what the archive can answer.
/// </summary>
internal sealed class ArchiveTransport : IGraphTransport
{
    private const int DefaultPageSize = 60;
    private const int MaxPageSize = 999;
    private const int LogPageSize = 1000;
    private static readonly Regex LogFunction = new(@"^communications/callRecords/(?<fn>get\w+)\(fromDateTime=(?<from>[^,]+),toDateTime=(?<to>[^)]+)\)$", RegexOptions.CultureInvariant);
    private static readonly Regex Clause = new(@"^startDateTime (?<op>ge|gt|lt|le) (?<t>\S+)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    private static readonly Regex ParticipantClause = new(@"^participants_v2/any\((?<v>\w+):\k<v>/id eq '(?<id>(?:[^']|'')*)'\)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private readonly SqliteArchiveStore _store;
    private readonly string _tenant;

    public ArchiveTransport(SqliteArchiveStore store, string tenant)
    {
        _store = store;
        _tenant = tenant;
    }

    public Task<Stream> SendAsync(GraphRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        try
        {
            if (!string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase))
                throw Refuse(request, 405, "MethodNotAllowed", $"The archive is read-only; {request.Method} is answered by Graph only (use a Graph connection).");
            var body = Answer(request);
            request.Observer?.OnRequest(new RequestTrace(request.Method, request.Uri, 200, clock.Elapsed, null, request.ClientRequestId, null));
            return Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(body), writable: false));
        }
        catch (GraphRequestException e)
        {
            request.Observer?.OnRequest(new RequestTrace(request.Method, request.Uri, e.StatusCode, clock.Elapsed, null, request.ClientRequestId, null));
            throw;
        }
        catch (SqliteException e)
        {
            request.Observer?.OnRequest(new RequestTrace(request.Method, request.Uri, null, clock.Elapsed, null, request.ClientRequestId, e.Message));
            throw new CallRecordsException("ArchiveReadFailed", System.Management.Automation.ErrorCategory.ReadError,
                $"The archive {_store.Path} could not be read: {e.Message}", "Check that the file is readable and not damaged (sqlite3 <file> 'PRAGMA integrity_check').", _store.Path, e);
        }
    }

    public void Dispose() { }

    private string Answer(GraphRequest request)
    {
        var uri = request.Uri;
        var segments = uri.AbsolutePath.TrimStart('/').Split('/');
        if (segments.Length < 2) throw Refuse(request, 400, "BadRequest", "The archive answers call record requests only.");
        var version = segments[0];
        var path = string.Join("/", segments.Skip(1).Select(Uri.UnescapeDataString));
        var query = ParseQuery(uri.Query);
        var m = LogFunction.Match(path);
        if (m.Success) return Logs(request, version, m.Groups["fn"].Value, m.Groups["from"].Value, m.Groups["to"].Value, query);
        var parts = path.Split('/');
        if (parts.Length < 2 || parts[0] != "communications" || parts[1] != "callRecords")
            throw Refuse(request, 400, "BadRequest", $"The archive answers communications/callRecords requests only, not {path}.");
        if (parts.Length == 2) return List(request, version, query);
        var id = parts[2];
        var record = Record(id) ?? throw Refuse(request, 404, "NotFound", $"The call record '{id}' is not in the archive {_store.Path}.");
        if (parts.Length == 3) return GetRecord(request, record, query);
        switch (parts[3])
        {
            case "sessions" when parts.Length == 4:
                return Page(Sessions(record.Id, Expand(query) == "segments"));
            case "sessions" when parts.Length >= 5:
                var session = Sessions(record.Id, parts.Length == 5 && Expand(query) == "segments", parts[4]).FirstOrDefault()
                    ?? throw Refuse(request, 404, "NotFound", $"The session '{parts[4]}' of call record '{record.Id}' is not in the archive.");
                if (parts.Length == 5) return session;
                if (parts.Length == 6 && parts[5] == "segments") return Page(Segments(record.Id, parts[4]));
                break;
            case "participants_v2" when parts.Length == 4:
                return Page(Participants(record.Id));
            case "organizer_v2" when parts.Length == 4:
                return record.OrganizerJson ?? throw Refuse(request, 404, "NotFound", $"The call record '{record.Id}' has no organizer_v2.");
        }
        throw Refuse(request, 400, "BadRequest", $"The archive does not answer {path}.");
    }

    // ---- call records ----

    private string List(GraphRequest request, string version, Dictionary<string, string> query)
    {
        string? filter;
        string? select;
        string? after = null;
        var size = PageSize(request, DefaultPageSize, MaxPageSize);
        if (query.TryGetValue("$skiptoken", out var token))
        {
            var state = Decode(request, token);
            state.TryGetValue("f", out filter);
            state.TryGetValue("s", out select);
            after = state["a"];
            if (!HasPrefer(request)) size = int.Parse(state["n"], CultureInfo.InvariantCulture);
        }
        else
        {
            query.TryGetValue("$filter", out filter);
            query.TryGetValue("$select", out select);
        }
        var sql = new StringBuilder("SELECT rowid, start_date_time, json FROM call_records r WHERE tenant_id = $t");
        using var c = _store.Connect();
        using var cmd = c.CreateCommand();
        cmd.Parameters.AddWithValue("$t", _tenant);
        AddFilter(request, filter, sql, cmd);
        if (after is not null)
        {
            var cut = after.IndexOf('|');
            sql.Append(" AND (COALESCE(start_date_time, '') > $as OR (COALESCE(start_date_time, '') = $as AND rowid > $ar))");
            cmd.Parameters.AddWithValue("$as", after.Substring(cut + 1));
            cmd.Parameters.AddWithValue("$ar", long.Parse(after.Substring(0, cut), CultureInfo.InvariantCulture));
        }
        sql.Append(" ORDER BY COALESCE(start_date_time, ''), rowid LIMIT $n");
        cmd.Parameters.AddWithValue("$n", size + 1);
        cmd.CommandText = sql.ToString();
        var fields = SelectList(select);
        var items = new List<string>(size);
        string? last = null;
        var more = false;
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                if (items.Count == size)
                {
                    more = true;
                    break;
                }
                last = r.GetInt64(0).ToString(CultureInfo.InvariantCulture) + "|" + (r.IsDBNull(1) ? "" : r.GetString(1));
                items.Add(Project(r.GetString(2), fields));
            }
        }
        string? next = null;
        if (more)
        {
            var state = new Dictionary<string, string> { ["a"] = last!, ["n"] = size.ToString(CultureInfo.InvariantCulture) };
            if (filter is not null) state["f"] = filter;
            if (select is not null) state["s"] = select;
            next = Base(request, version) + "communications/callRecords?$skiptoken=" + Encode(state);
        }
        return Page(items, next);
    }

    private void AddFilter(GraphRequest request, string? filter, StringBuilder sql, SqliteCommand cmd)
    {
        if (string.IsNullOrWhiteSpace(filter)) return;
        var n = 0;
        foreach (var raw in SplitAnd(filter!))
        {
            var clause = raw.Trim();
            while (clause.StartsWith("(", StringComparison.Ordinal) && clause.EndsWith(")", StringComparison.Ordinal) && Balanced(clause.Substring(1, clause.Length - 2)))
                clause = clause.Substring(1, clause.Length - 2).Trim();
            var name = "$f" + (n++).ToString(CultureInfo.InvariantCulture);
            var m = Clause.Match(clause);
            if (m.Success)
            {
                if (!DateTimeOffset.TryParse(m.Groups["t"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t) || !m.Groups["t"].Value.EndsWith("Z", StringComparison.OrdinalIgnoreCase))
                    throw Refuse(request, 400, "BadRequest", $"'{m.Groups["t"].Value}' is not a UTC date-time (yyyy-MM-ddTHH:mm:ssZ).");
                var op = m.Groups["op"].Value.ToLowerInvariant() switch { "ge" => ">=", "gt" => ">", "lt" => "<", _ => "<=" };
                sql.Append(" AND start_date_time ").Append(op).Append(' ').Append(name);
                cmd.Parameters.AddWithValue(name, ArchiveText.Time(t));
                continue;
            }
            var p = ParticipantClause.Match(clause);
            if (p.Success)
            {
                sql.Append(" AND EXISTS (SELECT 1 FROM participants p WHERE p.tenant_id = r.tenant_id AND p.call_record_id = r.id AND p.id = ")
                    .Append(name).Append(" COLLATE NOCASE)");
                cmd.Parameters.AddWithValue(name, p.Groups["id"].Value.Replace("''", "'"));
                continue;
            }
            throw Refuse(request, 400, "BadRequest",
                $"The archive cannot answer the filter clause '{clause}': it answers startDateTime ge|gt|lt|le <UTC time> and participants_v2/any(p:p/id eq '<id>'), joined by 'and'. " +
                "Use -Type and -Modality, or Where-Object, for the rest.");
        }
    }

    private static IEnumerable<string> SplitAnd(string filter)
    {
        var depth = 0;
        var inString = false;
        var start = 0;
        for (var i = 0; i < filter.Length; i++)
        {
            var ch = filter[i];
            if (ch == '\'') inString = !inString;
            else if (!inString && ch == '(') depth++;
            else if (!inString && ch == ')') depth--;
            else if (!inString && depth == 0 && string.Compare(filter, i, " and ", 0, 5, StringComparison.OrdinalIgnoreCase) == 0)
            {
                yield return filter.Substring(start, i - start);
                start = i + 5;
                i += 4;
            }
        }
        yield return filter.Substring(start);
    }

    private static bool Balanced(string s)
    {
        var depth = 0;
        var inString = false;
        foreach (var ch in s)
        {
            if (ch == '\'') inString = !inString;
            else if (!inString && ch == '(') depth++;
            else if (!inString && ch == ')' && --depth < 0) return false;
        }
        return depth == 0;
    }

    private string GetRecord(GraphRequest request, StoredRecord record, Dictionary<string, string> query)
    {
        var fields = SelectList(query.TryGetValue("$select", out var s) ? s : null);
        var json = Project(record.Json, fields);
        var expand = Expand(query);
        switch (expand)
        {
            case null:
                return json;
            case "sessions":
            case "sessions($expand=segments)":
                return With(json, "sessions", "[" + string.Join(",", Sessions(record.Id, expand != "sessions")) + "]");
            case "participants_v2":
                return With(json, "participants_v2", "[" + string.Join(",", Participants(record.Id)) + "]");
            case "organizer_v2":
                return With(json, "organizer_v2", record.OrganizerJson ?? "null");
            default:
                throw Refuse(request, 400, "BadRequest", expand.Contains(",")
                    ? "Only one relationship can be expanded in a single request."
                    : $"Could not find a property named '{expand.Split('(')[0]}' on type 'microsoft.graph.callRecords.callRecord'.");
        }
    }

    private StoredRecord? Record(string id)
    {
        using var c = _store.Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, json, organizer_json FROM call_records WHERE tenant_id = $t AND id = $id COLLATE NOCASE";
        cmd.Parameters.AddWithValue("$t", _tenant);
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? new StoredRecord(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)) : null;
    }

    private List<string> Sessions(string recordId, bool withSegments, string? sessionId = null)
    {
        using var c = _store.Connect();
        var segments = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (withSegments)
        {
            using var g = c.CreateCommand();
            g.CommandText = "SELECT session_id, json FROM segments WHERE tenant_id = $t AND call_record_id = $r" + (sessionId is null ? "" : " AND session_id = $s") + " ORDER BY session_id, ordinal";
            g.Parameters.AddWithValue("$t", _tenant);
            g.Parameters.AddWithValue("$r", recordId);
            if (sessionId is not null) g.Parameters.AddWithValue("$s", sessionId);
            using var gr = g.ExecuteReader();
            while (gr.Read())
            {
                if (!segments.TryGetValue(gr.GetString(0), out var list)) segments[gr.GetString(0)] = list = new List<string>();
                list.Add(gr.GetString(1));
            }
        }
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, json FROM sessions WHERE tenant_id = $t AND call_record_id = $r" + (sessionId is null ? "" : " AND id = $s") + " ORDER BY ordinal";
        cmd.Parameters.AddWithValue("$t", _tenant);
        cmd.Parameters.AddWithValue("$r", recordId);
        if (sessionId is not null) cmd.Parameters.AddWithValue("$s", sessionId);
        var result = new List<string>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var json = r.GetString(1);
            if (withSegments)
                json = With(json, "segments", "[" + string.Join(",", segments.TryGetValue(r.GetString(0), out var list) ? list : new List<string>()) + "]");
            result.Add(json);
        }
        return result;
    }

    private List<string> Segments(string recordId, string sessionId) =>
        Strings("SELECT json FROM segments WHERE tenant_id = $t AND call_record_id = $r AND session_id = $s ORDER BY ordinal", recordId, sessionId);

    private List<string> Participants(string recordId) =>
        Strings("SELECT json FROM participants WHERE tenant_id = $t AND call_record_id = $r ORDER BY ordinal", recordId, null);

    private List<string> Strings(string sql, string recordId, string? sessionId)
    {
        using var c = _store.Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$t", _tenant);
        cmd.Parameters.AddWithValue("$r", recordId);
        if (sessionId is not null) cmd.Parameters.AddWithValue("$s", sessionId);
        var result = new List<string>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) result.Add(r.GetString(0));
        return result;
    }

    // ---- log functions ----

    private string Logs(GraphRequest request, string version, string function, string fromText, string toText, Dictionary<string, string> query)
    {
        var table = function switch
        {
            "getPstnCalls" => "pstn_calls",
            "getDirectRoutingCalls" => "direct_routing_calls",
            _ => throw Refuse(request, 400, "NotArchived",
                $"The archive keeps getPstnCalls and getDirectRoutingCalls (Sync-CallRecord -Include Pstn, DirectRouting); {function} is answered by Graph only."),
        };
        if (ArchiveText.ParseTime(fromText) is not { } from || ArchiveText.ParseTime(toText) is not { } to)
            throw Refuse(request, 400, "BadRequest", "fromDateTime and toDateTime must be UTC date-times.");
        var after = query.TryGetValue("$skiptoken", out var token) ? Decode(request, token)["a"] : null;
        using var c = _store.Connect();
        using var cmd = c.CreateCommand();
        // toDateTime inclusive (as Graph documents for getPstnCalls); the module's reader makes any range half-open.
        cmd.CommandText = $"SELECT id, start_date_time, json FROM {table} WHERE tenant_id = $t AND start_date_time >= $from AND start_date_time <= $to" +
                          (after is null ? "" : " AND (start_date_time > $as OR (start_date_time = $as AND id > $ai))") +
                          " ORDER BY start_date_time, id LIMIT $n";
        cmd.Parameters.AddWithValue("$t", _tenant);
        cmd.Parameters.AddWithValue("$from", ArchiveText.Time(from));
        cmd.Parameters.AddWithValue("$to", ArchiveText.Time(to));
        cmd.Parameters.AddWithValue("$n", LogPageSize + 1);
        if (after is not null)
        {
            var cut = after.IndexOf('|');
            cmd.Parameters.AddWithValue("$as", after.Substring(0, cut));
            cmd.Parameters.AddWithValue("$ai", after.Substring(cut + 1));
        }
        var rows = new List<string>();
        string? last = null;
        var more = false;
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                if (rows.Count == LogPageSize)
                {
                    more = true;
                    break;
                }
                last = r.GetString(1) + "|" + r.GetString(0);
                rows.Add(r.GetString(2));
            }
        }
        string? next = null;
        if (more)
            next = Base(request, version) + $"communications/callRecords/{function}(fromDateTime={fromText},toDateTime={toText})?$skiptoken=" +
                   Encode(new Dictionary<string, string> { ["a"] = last! });
        return Page(rows, next, rows.Count);
    }

    // ---- JSON ----

    private static string Page(IReadOnlyList<string> items, string? nextLink = null, long? count = null)
    {
        var sb = new StringBuilder("{");
        if (count is { } n) sb.Append("\"@odata.count\":").Append(n.ToString(CultureInfo.InvariantCulture)).Append(',');
        sb.Append("\"value\":[").Append(string.Join(",", items)).Append(']');
        if (nextLink is not null) sb.Append(",\"@odata.nextLink\":").Append(Quote(nextLink));
        return sb.Append('}').ToString();
    }

    /// <summary>The object with one more property (the stored JSON is always an object written by Utf8JsonWriter).</summary>
    private static string With(string json, string name, string value)
    {
        var body = json.TrimEnd();
        var inner = body.Substring(0, body.Length - 1).TrimEnd();
        return inner + (inner.EndsWith("{", StringComparison.Ordinal) ? "" : ",") + Quote(name) + ":" + value + "}";
    }

    private static string[]? SelectList(string? select) =>
        string.IsNullOrWhiteSpace(select) ? null : select!.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();

    private static string Project(string json, string[]? fields)
    {
        if (fields is null) return json;
        using var doc = JsonDocument.Parse(json);
        var sb = new StringBuilder("{");
        var first = true;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (!fields.Contains(p.Name, StringComparer.OrdinalIgnoreCase)) continue;
            if (!first) sb.Append(',');
            first = false;
            sb.Append(Quote(p.Name)).Append(':').Append(p.Value.GetRawText());
        }
        return sb.Append('}').ToString();
    }

    private static string Quote(string s) => JsonSerializer.Serialize(s);

    private static string? Expand(Dictionary<string, string> query) =>
        query.TryGetValue("$expand", out var e) && !string.IsNullOrWhiteSpace(e) ? e.Replace(" ", "") : null;

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair.Substring(0, eq));
            result[key] = eq < 0 ? "" : Uri.UnescapeDataString(pair.Substring(eq + 1).Replace('+', ' '));
        }
        return result;
    }

    private static bool HasPrefer(GraphRequest request) => request.Headers.Any(h => string.Equals(h.Key, "Prefer", StringComparison.OrdinalIgnoreCase));

    private static int PageSize(GraphRequest request, int fallback, int max)
    {
        foreach (var h in request.Headers)
        {
            if (!string.Equals(h.Key, "Prefer", StringComparison.OrdinalIgnoreCase)) continue;
            var m = Regex.Match(h.Value, @"odata\.maxpagesize=(\d+)", RegexOptions.CultureInvariant);
            if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) return Math.Min(n, max);
        }
        return fallback;
    }

    private static string Base(GraphRequest request, string version) => request.Uri.GetLeftPart(UriPartial.Authority) + "/" + version + "/";

    private static string Encode(Dictionary<string, string> state) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(state))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Dictionary<string, string> Decode(GraphRequest request, string token)
    {
        try
        {
            var text = token.Replace('-', '+').Replace('_', '/');
            text += new string('=', (4 - text.Length % 4) % 4);
            return JsonSerializer.Deserialize<Dictionary<string, string>>(Encoding.UTF8.GetString(Convert.FromBase64String(text)))
                   ?? throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw Refuse(request, 400, "BadRequest", "The $skiptoken is not one the archive issued.");
        }
    }

    private static GraphRequestException Refuse(GraphRequest request, int status, string code, string message) =>
        GraphRequestException.FromResponse(status, code, message, null, request.ClientRequestId, request.Uri, null, request.Method);

    private sealed class StoredRecord
    {
        public StoredRecord(string id, string json, string? organizerJson)
        {
            Id = id;
            Json = json;
            OrganizerJson = organizerJson;
        }

        public string Id { get; }
        public string Json { get; }
        public string? OrganizerJson { get; }
    }
}
