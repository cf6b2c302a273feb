using System;
using System.Collections.Generic;

namespace CallRecords.Graph;

/// <summary>One page of a Graph collection, already mapped.</summary>
internal sealed class GraphPage<T>
{
    public GraphPage(IReadOnlyList<T> items, Uri? nextLink, long? count, int number)
    {
        Items = items;
        NextLink = nextLink;
        Count = count;
        Number = number;
    }

    public IReadOnlyList<T> Items { get; }
    /// <summary>@odata.nextLink, exactly as Graph sent it.</summary>
    public Uri? NextLink { get; }
    /// <summary>@odata.count when Graph sent one.</summary>
    public long? Count { get; }
    /// <summary>1-based position of this page in its stream.</summary>
    public int Number { get; }
}
