using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace CallRecords.Models;

/// <summary>
/// A read-only list of strings (modalities, administrative unit ids …) whose text form is "audio;video", so
/// Export-Csv and string conversion show the values rather than a .NET type name.
/// </summary>
public sealed class ValueList : ReadOnlyCollection<string>
{
    public static readonly ValueList Empty = new(new List<string>());

    public ValueList(IList<string> values) : base(values) { }

    public bool Contains(string value, bool ignoreCase) =>
        ignoreCase ? this.Any(v => string.Equals(v, value, System.StringComparison.OrdinalIgnoreCase)) : Contains(value);

    public override string ToString() => string.Join(";", this);
}

/// <summary>
/// A read-only list of nested model objects (sessions, segments, participants …); its text form joins the items'
/// own text forms with ";" so a CSV cell never reads as a .NET type name.
/// </summary>
public sealed class ModelList<T> : ReadOnlyCollection<T>
{
    public static readonly ModelList<T> Empty = new(new List<T>());

    public ModelList(IList<T> items) : base(items) { }

    public override string ToString() => string.Join(";", this.Select(i => i?.ToString()));
}
