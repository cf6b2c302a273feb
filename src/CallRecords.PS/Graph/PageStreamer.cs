using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace CallRecords.Graph;

/// <summary>
/// The one paging loop of the module: every Graph collection (call records, sessions, participants, and the log
/// functions) is read through <see cref="StreamAsync{T}"/>. It requests a page only when the consumer asks for it
/// (MoveNextAsync), so the consumer decides how far ahead to read (the cmdlet bridge keeps exactly one page in
/// flight while the pipeline works; -First stops asking). nextLinks are followed opaquely. Each page is fetched
/// with page-level retry; a page that still fails throws — never a shorter result.
/// </summary>
internal sealed class PageStreamer
{
    private readonly IGraphTransport _transport;
    private readonly Uri _graphEndpoint;
    private readonly string _apiVersion;
    private readonly IRequestObserver? _observer;

    public PageStreamer(IGraphTransport transport, Uri graphEndpoint, string apiVersion, PageRetryPolicy retry, IRequestObserver? observer,
        ListPageSizeState? listPaging = null)
    {
        _transport = transport;
        _graphEndpoint = graphEndpoint;
        _apiVersion = apiVersion;
        Retry = retry;
        _observer = observer;
        ListPaging = listPaging ?? new ListPageSizeState();
    }

    public PageRetryPolicy Retry { get; }

    /// <summary>What the connection learned about large list pages (shared by every streamer of the connection).</summary>
    public ListPageSizeState ListPaging { get; }

    /// <summary>Raised (on the producer's thread) for something the user should hear of with -Verbose, such as the
    /// fallback to Graph's default page size.</summary>
    public event Action<string>? Notice;

    internal void Notify(string text) => Notice?.Invoke(text);

    /// <summary>Raised (on the producer's thread) before a page-level retry: what failed and the attempt that follows.</summary>
    public event Action<string>? Retrying;

    /// <summary>Pages of a collection, each item mapped by <paramref name="map"/> (null results are dropped).</summary>
    public async IAsyncEnumerable<GraphPage<T>> StreamAsync<T>(GraphQuery query, Func<JsonElement, T?> map,
        [EnumeratorCancellation] CancellationToken cancellationToken = default) where T : class
    {
        GraphQuery? next = query;
        Uri? previous = null;
        var number = 0;
        while (next is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var uri = next.ToUri(_graphEndpoint, _apiVersion);
            if (previous is not null && Uri.Compare(previous, uri, UriComponents.AbsoluteUri, UriFormat.UriEscaped, StringComparison.Ordinal) == 0)
                throw new GraphRequestException($"Graph returned a nextLink that points to the page just read; stopping to avoid a loop. GET {uri.AbsoluteUri}", 0, null, null, null, null, uri);
            var pageNumber = ++number;
            var page = await FetchAsync(next, root => ReadPage(root, map, pageNumber), cancellationToken).ConfigureAwait(false);
            yield return page;
            previous = uri;
            next = page.NextLink is { } link ? query.ForNextLink(link) : null;
        }
    }

    /// <summary>A single entity (GET by id), mapped; same retry rules as a page.</summary>
    public Task<T> GetAsync<T>(GraphQuery query, Func<JsonElement, T> map, CancellationToken cancellationToken = default) =>
        FetchAsync(query, root =>
        {
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("Graph returned a body that is not a JSON object.");
            return map(root);
        }, cancellationToken);

    private static GraphPage<T> ReadPage<T>(JsonElement root, Func<JsonElement, T?> map, int number) where T : class
    {
        // A body without the value array is as broken as a truncated one: JsonException makes it retryable.
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
            throw new JsonException("Graph returned a page without a 'value' array.");
        var items = new List<T>(value.GetArrayLength());
        foreach (var element in value.EnumerateArray())
            if (map(element) is { } item) items.Add(item);
        Uri? next = null;
        if (root.TryGetProperty("@odata.nextLink", out var link) && link.ValueKind == JsonValueKind.String)
        {
            if (!Uri.TryCreate(link.GetString(), UriKind.Absolute, out next)) throw new JsonException("Graph returned a nextLink that is not an absolute URL.");
        }
        long? count = root.TryGetProperty("@odata.count", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var n) ? n : null;
        return new GraphPage<T>(items, next, count, number);
    }

    /// <summary>Sends the query and reads the JSON body with <paramref name="read"/>, retrying transient failures.</summary>
    private async Task<TResult> FetchAsync<TResult>(GraphQuery query, Func<JsonElement, TResult> read, CancellationToken cancellationToken)
    {
        var uri = query.ToUri(_graphEndpoint, _apiVersion);
        for (var attempt = 1; ; attempt++)
        {
            var clientRequestId = Guid.NewGuid().ToString();
            try
            {
                using var body = await _transport.SendAsync(new GraphRequest(uri, query.AllHeaders(), clientRequestId, _observer), cancellationToken).ConfigureAwait(false);
                // The pipeline times the wait for headers; a body that stalls is timed here, per attempt.
                using var bodyTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bodyTimer.CancelAfter(Retry.AttemptTimeout);
                using var document = await JsonDocument.ParseAsync(body, default, bodyTimer.Token).ConfigureAwait(false);
                return read(document.RootElement);
            }
            catch (System.Net.Http.HttpRequestException ex) when (!cancellationToken.IsCancellationRequested && PageRetryPolicy.IsUnreachable(ex))
            {
                throw GraphRequestException.Transport(Describe(ex), clientRequestId, uri, attempt, ex);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Retry.IsTransient(ex))
            {
                if (attempt >= Retry.MaxAttempts)
                {
                    if (ex is GraphRequestException) throw;
                    throw GraphRequestException.Transport(Describe(ex), clientRequestId, uri, attempt, ex);
                }
                var delay = Retry.Delay(attempt, ex);
                Retrying?.Invoke($"{Describe(ex)} (GET {uri.AbsoluteUri}); retrying in {delay.TotalSeconds:0.###} s, attempt {attempt + 1} of {Retry.MaxAttempts}.");
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        GraphRequestException g => $"Graph returned {g.StatusCode}",
        JsonException => "The response body was not complete, valid JSON",
        OperationCanceledException or TimeoutException => "The request timed out",
        _ => "The connection to Graph failed",
    };
}
