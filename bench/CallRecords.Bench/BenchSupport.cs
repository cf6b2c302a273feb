using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;

namespace CallRecords.Bench;

public static class BenchSupport
{
    public static SecureString Secure(string s)
    {
        var token = new SecureString();
        foreach (var ch in s) token.AppendChar(ch);
        token.MakeReadOnly();
        return token;
    }

    /// <summary>A runspace with the module imported and a connection in $c (Connect-CallRecordGraph -PassThru).</summary>
    public static Runspace ConnectedRunspace(Uri endpoint, string token)
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(new[] { EngineHost.ModuleManifest });
        var rs = RunspaceFactory.CreateRunspace(state);
        rs.Open();
        rs.SessionStateProxy.SetVariable("token", Secure(token));
        rs.SessionStateProxy.SetVariable("endpoint", endpoint);
        using var ps = PowerShell.Create();
        ps.Runspace = rs;
        ps.AddScript("$c = Connect-CallRecordGraph -AccessToken $token -GraphEndpoint $endpoint -PassThru -NoDefault").Invoke();
        ThrowOnErrors(ps);
        return rs;
    }

    /// <summary>Streams the script's output into a <see cref="CountingSink"/>; returns the count and seconds.</summary>
    public static (int Count, double Seconds) Stream(Runspace rs, string script, IDictionary<string, object?> variables)
    {
        foreach (var (k, v) in variables) rs.SessionStateProxy.SetVariable(k, v);
        using var ps = PowerShell.Create();
        ps.Runspace = rs;
        ps.AddScript(script);
        // Drain the output every few milliseconds and keep nothing (the C# equivalent of `| Out-Null`), so throughput
        // and memory measure the module, not a growing collection of results.
        using var output = new PSDataCollection<PSObject>();
        var count = 0;
        var watch = Stopwatch.StartNew();
        var run = ps.BeginInvoke<PSObject, PSObject>(null, output);
        while (!run.IsCompleted)
        {
            count += output.ReadAll().Count;
            run.AsyncWaitHandle.WaitOne(5);
        }
        ps.EndInvoke(run);
        count += output.ReadAll().Count;
        watch.Stop();
        ThrowOnErrors(ps);
        return (count, watch.Elapsed.TotalSeconds);
    }

    public static void ThrowOnErrors(PowerShell ps)
    {
        if (ps.Streams.Error.Count > 0)
            throw new InvalidOperationException("The script wrote errors: " + string.Join(" | ", ps.Streams.Error.Select(e => e.ToString())));
    }

    public static DateTimeOffset MinuteNow()
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }

    /// <summary>Re-runs this bench executable with <paramref name="args"/> and the environment given (the token goes by
    /// environment, never on a command line); returns the child's "RESULT key=value …" line as a dictionary.</summary>
    public static Dictionary<string, double> RunChild(IEnumerable<string> args, IDictionary<string, string> environment)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under `dotnet CallRecords.Bench.dll` the process is dotnet itself: pass the entry assembly first.
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(typeof(BenchSupport).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Cannot start the child bench.");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"Child bench failed ({p.ExitCode}): {stderr.Result}\n{stdout}");
        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException("Child bench printed no RESULT line: " + stdout);
        return line[7..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('='))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));
    }

    public static void PrintResult(IEnumerable<(string Key, double Value)> values) =>
        Console.WriteLine("RESULT " + string.Join(' ', values.Select(v => v.Key + "=" + v.Value.ToString("R", CultureInfo.InvariantCulture))));

    public const string TokenVariable = "CALLRECORDS_BENCH_TOKEN";
    public const string EndpointVariable = "CALLRECORDS_BENCH_ENDPOINT";
    public const string FromVariable = "CALLRECORDS_BENCH_FROM";
}
