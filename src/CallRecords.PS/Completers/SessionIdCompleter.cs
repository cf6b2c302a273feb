using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace CallRecords.Completers;

/// <summary>-SessionId: the session ids this process has already seen (most recent first).</summary>
public sealed class SessionIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CallRecordIdHistory.Sessions.Find(CompletionText.Prefix(wordToComplete))
            .Select(e => CompletionText.Result(e.Id, e.Description))
            .ToList();
}
