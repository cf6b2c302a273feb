using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace CallRecords.PS.Tests.Engine;

/// <summary>
/// The tests' PowerShell host. <see cref="Answering"/>: a user who answers every ShouldProcess prompt with one fixed
/// choice ("Yes" or "No") and whose prompts are remembered, so -Confirm and ConfirmImpact can be tested.
/// <see cref="Interactive"/>: a host with a user interface like a console's, which the module counts as interactive
/// (the engine's own "Default Host" of PowerShell.Create has none); with <c>rawUI: false</c> it has a UI but no raw
/// UI, which the module counts as non-interactive. Any other input request fails the test; output is dropped.
/// </summary>
public sealed class TestHost : PSHost
{
    private readonly TestUI _ui;
    private readonly string _name;

    private TestHost(string name, string? answer, bool rawUI)
    {
        _name = name;
        _ui = new TestUI(answer, rawUI ? new TestRawUI() : null);
    }

    public static TestHost Answering(string answer) => new("CallRecordsTestHost", answer, rawUI: false);

    public static TestHost Interactive(bool rawUI = true) => new("CallRecordsInteractiveTestHost", null, rawUI);

    public IReadOnlyList<string> Prompts => _ui.Prompts;
    public override string Name => _name;
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

    private sealed class TestUI(string? answer, PSHostRawUserInterface? raw) : PSHostUserInterface
    {
        private readonly List<string> _prompts = new();
        public IReadOnlyList<string> Prompts { get { lock (_prompts) return _prompts.ToList(); } }
        public override PSHostRawUserInterface? RawUI => raw;

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            if (answer is null) throw new NotSupportedException("The test host reads no input.");
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

    /// <summary>A fixed 120×50 window that draws nothing.</summary>
    private sealed class TestRawUI : PSHostRawUserInterface
    {
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override Coordinates CursorPosition { get; set; }
        public override Coordinates WindowPosition { get; set; }
        public override int CursorSize { get; set; } = 25;
        public override Size BufferSize { get; set; } = new(120, 3000);
        public override Size WindowSize { get; set; } = new(120, 50);
        public override Size MaxWindowSize => new(120, 50);
        public override Size MaxPhysicalWindowSize => new(120, 50);
        public override bool KeyAvailable => false;
        public override string WindowTitle { get; set; } = "test";
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("The test host reads no input.");
        public override void FlushInputBuffer() { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    }
}
