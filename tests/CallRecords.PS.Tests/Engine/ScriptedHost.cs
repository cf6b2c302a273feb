using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace CallRecords.PS.Tests.Engine;

/// <summary>
/// A PowerShell host whose user answers every ShouldProcess prompt with one fixed choice ("Yes" or "No") and
/// remembers the prompts, so -Confirm and ConfirmImpact can be tested in the hosted engine. Any other kind of
/// input request fails the test.
/// </summary>
public sealed class ScriptedHost(string answer) : PSHost
{
    private readonly ScriptedUI _ui = new(answer);

    public IReadOnlyList<string> Prompts => _ui.Prompts;
    public override string Name => "CallRecordsTestHost";
    public override Version Version => new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    private sealed class ScriptedUI(string answer) : PSHostUserInterface
    {
        private readonly List<string> _prompts = new();
        public IReadOnlyList<string> Prompts { get { lock (_prompts) return _prompts.ToList(); } }
        public override PSHostRawUserInterface? RawUI => null;

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            lock (_prompts) _prompts.Add(message);
            for (var i = 0; i < choices.Count; i++)
                if (string.Equals(choices[i].Label.Replace("&", "", StringComparison.Ordinal), answer, StringComparison.OrdinalIgnoreCase)) return i;
            throw new InvalidOperationException($"No choice '{answer}' among {string.Join(", ", choices.Select(c => c.Label))}.");
        }

        public override string ReadLine() => throw new NotSupportedException("The test host reads no input.");
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("The test host reads no input.");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException("The test host reads no input.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
        public override void Write(string value) { }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
        public override void WriteLine(string value) { }
        public override void WriteErrorLine(string value) { }
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
    }
}
