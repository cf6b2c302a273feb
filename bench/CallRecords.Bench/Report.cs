using System.Runtime.InteropServices;
using System.Text;

namespace CallRecords.Bench;

/// <summary>A scenario's result: a markdown section for the console and, when <paramref name="Persist"/>, for
/// docs/performance.md.</summary>
public sealed record ScenarioReport(string Scenario, string Markdown, bool Persist = true);

/// <summary>Writes each scenario's section into docs/performance.md between its own markers, so scenarios (and
/// other writers of the page) replace only their part.</summary>
public static class Report
{
    public static string Machine()
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} logical CPUs (nproc), {memory:0.#} GiB memory, {RuntimeInformation.OSDescription} " +
               $"({RuntimeInformation.OSArchitecture}), {RuntimeInformation.FrameworkDescription}";
    }

    public static void Write(string path, ScenarioReport report)
    {
        var start = $"<!-- bench:{report.Scenario}:start -->";
        var end = $"<!-- bench:{report.Scenario}:end -->";
        var section = start + "\n" + report.Markdown.TrimEnd() + "\n" + end;
        string text;
        if (File.Exists(path))
        {
            text = File.ReadAllText(path);
            var a = text.IndexOf(start, StringComparison.Ordinal);
            var b = text.IndexOf(end, StringComparison.Ordinal);
            text = a >= 0 && b > a ? text[..a] + section + text[(b + end.Length)..] : text.TrimEnd() + "\n\n" + section + "\n";
        }
        else
        {
            var sb = new StringBuilder();
            sb.AppendLine("# Performance");
            sb.AppendLine();
            sb.AppendLine("Measured by `dotnet run -c Release --project bench/CallRecords.Bench` (see its `--scenario` and `--quick`");
            sb.AppendLine("switches) against the in-process Graph emulator over loopback. Each section is rewritten by its scenario.");
            sb.AppendLine();
            sb.AppendLine(section);
            text = sb.ToString();
        }
        File.WriteAllText(path, text);
    }
}
