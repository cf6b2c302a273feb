using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace CallRecords.Completers;

/// <summary>Shared pieces of the module's argument completers: reading the typed word and quoting a result.</summary>
internal static class CompletionText
{
    /// <summary>The word being completed without the quote the user may have opened.</summary>
    public static string Prefix(string? wordToComplete) => (wordToComplete ?? string.Empty).Trim().Trim('\'', '"');

    public static bool Matches(string candidate, string prefix) =>
        candidate.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>A result that can be pasted into a command line as is: quoted when it holds anything but plain
    /// identifier characters (a completion inserting a space or a comma would split the argument).</summary>
    public static CompletionResult Result(string value, string toolTip)
    {
        var plain = value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || c is '-' || c is '_' || c is '.');
        var text = plain ? value : "'" + value.Replace("'", "''") + "'";
        return new CompletionResult(text, value, CompletionResultType.ParameterValue, string.IsNullOrEmpty(toolTip) ? value : toolTip);
    }

    /// <summary>Fixed values (name, tooltip) whose name starts with the typed word, in the given order.</summary>
    public static IEnumerable<CompletionResult> FromValues(IEnumerable<KeyValuePair<string, string>> values, string? wordToComplete)
    {
        var prefix = Prefix(wordToComplete);
        return values.Where(v => Matches(v.Key, prefix)).Select(v => Result(v.Key, v.Value)).ToList();
    }
}
