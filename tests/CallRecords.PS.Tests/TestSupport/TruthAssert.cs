using System.Text;
using Xunit.Sdk;

namespace CallRecords.PS.Tests.TestSupport;

/// <summary>
/// "Equals ground truth": the one comparison of a result with the emulator's truth, exact as a multiset (every id as
/// often as the truth has it, so a duplicate or a dropped id fails) and, unless <c>ordered: false</c> is asked for
/// deliberately, in the same order. The failure says what is missing, extra and duplicated, and where the order first
/// differs. The Pester suite's Assert-TestTruth (tests/Acceptance/TestHelpers/CallRecordsTestHelpers.psm1) has the same
/// semantics and message; Help/AcceptanceSuiteTests runs both on the same inputs.
/// </summary>
public static class TruthAssert
{
    private const int Shown = 10;

    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/> (ids compared ordinally).</summary>
    /// <param name="what">What the ids are, for the message ("call records", "sessions of …").</param>
    /// <param name="ordered">false: the order is not promised, compare as multisets.</param>
    public static void Equal(IEnumerable<string> expected, IEnumerable<string> actual, string what, bool ordered = true)
    {
        if (Difference(expected, actual, what, ordered) is { } message) throw new XunitException(message);
    }

    /// <summary>The failure message, or null when the result equals the truth.</summary>
    public static string? Difference(IEnumerable<string> expected, IEnumerable<string> actual, string what, bool ordered = true)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        var want = Counts(e);
        var got = Counts(a);
        var missing = new List<string>();
        var extra = new List<string>();
        var duplicated = new List<string>();
        foreach (var id in e.Distinct(StringComparer.Ordinal))
            for (var k = got.GetValueOrDefault(id); k < want[id]; k++) missing.Add(id);
        foreach (var id in a.Distinct(StringComparer.Ordinal))
        {
            var n = got[id] - want.GetValueOrDefault(id);
            for (var k = 0; k < n; k++) (want.ContainsKey(id) ? duplicated : extra).Add(id);
        }
        var firstDifference = -1;
        if (ordered)
            for (var i = 0; i < Math.Max(e.Count, a.Count); i++)
                if (i >= e.Count || i >= a.Count || !string.Equals(e[i], a[i], StringComparison.Ordinal)) { firstDifference = i; break; }
        if (missing.Count == 0 && extra.Count == 0 && duplicated.Count == 0 && firstDifference < 0) return null;

        var text = new StringBuilder();
        text.Append(what).Append(" differ from the ground truth: expected ").Append(e.Count).Append(ordered ? " in order" : " in any order")
            .Append(", got ").Append(a.Count).Append('.');
        Line(text, "missing", missing);
        Line(text, "extra", extra);
        Line(text, "duplicated", duplicated);
        if (firstDifference >= 0)
        {
            text.Append("\n  first difference at index ").Append(firstDifference).Append(": expected ")
                .Append(firstDifference < e.Count ? "'" + e[firstDifference] + "'" : "nothing").Append(", got ")
                .Append(firstDifference < a.Count ? "'" + a[firstDifference] + "'" : "nothing");
        }
        return text.ToString();
    }

    private static Dictionary<string, int> Counts(List<string> ids)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in ids) counts[id] = counts.GetValueOrDefault(id) + 1;
        return counts;
    }

    private static void Line(StringBuilder text, string label, List<string> ids)
    {
        if (ids.Count == 0) return;
        text.Append("\n  ").Append(label).Append(" (").Append(ids.Count).Append("): ").Append(string.Join(", ", ids.Take(Shown)));
        if (ids.Count > Shown) text.Append(", …");
    }
}
