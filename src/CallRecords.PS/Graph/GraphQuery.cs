using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace CallRecords.Graph;

/// <summary>
/// An immutable description of one Graph GET: a path under the api version (or an absolute URL such as a nextLink,
/// used verbatim), $filter, $select, $expand, the page-size preference and extra headers. Cmdlets build these;
/// the page streamer sends them.
/// </summary>
internal sealed class GraphQuery
{
    private GraphQuery(string? path, Uri? absoluteUri)
    {
        Path = path;
        AbsoluteUri = absoluteUri;
    }

    /// <summary>Relative to {GraphEndpoint}/{ApiVersion}/, e.g. "communications/callRecords".</summary>
    public string? Path { get; private set; }
    /// <summary>A complete URL (a nextLink) sent exactly as Graph returned it.</summary>
    public Uri? AbsoluteUri { get; private set; }
    public string? Filter { get; private set; }
    public IReadOnlyList<string> Select { get; private set; } = Array.Empty<string>();
    public string? Expand { get; private set; }
    /// <summary>Sent as "Prefer: odata.maxpagesize=N" (Graph's only page-size control for call records).</summary>
    public int? MaxPageSize { get; private set; }
    /// <summary>The page size is the module's own default (not the user's -PageSize): a service that refuses it may
    /// be asked again with its default (see CallRecordReader.ListAsync).</summary>
    public bool PageSizeIsDefault { get; private set; }
    /// <summary>Overrides the connection's api version (the beta-only logs use "beta").</summary>
    public string? ApiVersion { get; private set; }
    public IReadOnlyDictionary<string, string> Headers { get; private set; } = new Dictionary<string, string>();

    public static GraphQuery ForPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("A Graph path is required.", nameof(path));
        return new GraphQuery(path.TrimStart('/'), null);
    }

    public static GraphQuery ForUrl(Uri absoluteUri)
    {
        if (absoluteUri is null || !absoluteUri.IsAbsoluteUri) throw new ArgumentException("An absolute URL is required.", nameof(absoluteUri));
        return new GraphQuery(null, absoluteUri);
    }

    /// <summary>One path segment (an id) for use in ForPath: checked by <see cref="GraphId"/> (so '.', '..', '/' and the
    /// like never reach a URL, whatever a caller checked before) and escaped.</summary>
    public static string Segment(string value, GraphIdKind kind = GraphIdKind.CallRecord) => Uri.EscapeDataString(GraphId.Require(value, kind));

    public GraphQuery WithFilter(string? filter) => Copy(q => q.Filter = string.IsNullOrWhiteSpace(filter) ? null : filter);
    public GraphQuery WithSelect(IEnumerable<string>? properties) =>
        Copy(q => q.Select = properties?.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray() ?? Array.Empty<string>());
    public GraphQuery WithExpand(string? expand) => Copy(q => q.Expand = string.IsNullOrWhiteSpace(expand) ? null : expand);
    public GraphQuery WithMaxPageSize(int? size) => Copy(q => { q.MaxPageSize = size; q.PageSizeIsDefault = false; });
    /// <summary>A page size the module chose itself (large pages by default).</summary>
    public GraphQuery WithDefaultMaxPageSize(int size) => Copy(q => { q.MaxPageSize = size; q.PageSizeIsDefault = true; });
    public GraphQuery WithApiVersion(string? version) => Copy(q => q.ApiVersion = version);
    public GraphQuery WithHeader(string name, string value) =>
        Copy(q => q.Headers = new Dictionary<string, string>(q.Headers.ToDictionary(h => h.Key, h => h.Value)) { [name] = value });

    /// <summary>The query for a nextLink of this one: same headers and page-size preference, URL as given.</summary>
    public GraphQuery ForNextLink(Uri nextLink) => new GraphQuery(null, nextLink)
    {
        MaxPageSize = MaxPageSize,
        PageSizeIsDefault = PageSizeIsDefault,
        ApiVersion = ApiVersion,
        Headers = Headers,
    };

    public Uri ToUri(Uri graphEndpoint, string connectionApiVersion)
    {
        if (AbsoluteUri is not null) return AbsoluteUri;
        var baseText = graphEndpoint.AbsoluteUri.TrimEnd('/');
        var sb = new StringBuilder(baseText).Append('/').Append(ApiVersion ?? connectionApiVersion).Append('/').Append(Path);
        var separator = Path!.Contains("?") ? '&' : '?';
        void Add(string name, string value)
        {
            sb.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        if (Filter is not null) Add("$filter", Filter);
        if (Select.Count > 0) Add("$select", string.Join(",", Select));
        if (Expand is not null) Add("$expand", Expand);
        return new Uri(sb.ToString());
    }

    /// <summary>Sent on every read: Graph then returns members of evolvable enums that were added after
    /// unknownFutureValue (productFamily azureCommunicationServices, …) instead of unknownFutureValue.</summary>
    public const string IncludeUnknownEnumMembers = "include-unknown-enum-members";

    /// <summary>Headers to send: one Prefer header with the page size (when set) and include-unknown-enum-members.</summary>
    public IEnumerable<KeyValuePair<string, string>> AllHeaders()
    {
        foreach (var h in Headers) yield return h;
        var prefer = MaxPageSize is { } size
            ? "odata.maxpagesize=" + size.ToString(System.Globalization.CultureInfo.InvariantCulture) + ", " + IncludeUnknownEnumMembers
            : IncludeUnknownEnumMembers;
        yield return new KeyValuePair<string, string>("Prefer", prefer);
    }

    private GraphQuery Copy(Action<GraphQuery> change)
    {
        var q = new GraphQuery(Path, AbsoluteUri)
        {
            Filter = Filter,
            Select = Select,
            Expand = Expand,
            MaxPageSize = MaxPageSize,
            PageSizeIsDefault = PageSizeIsDefault,
            ApiVersion = ApiVersion,
            Headers = Headers,
        };
        change(q);
        return q;
    }
}
