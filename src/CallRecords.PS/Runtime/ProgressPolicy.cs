using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using CallRecords.Cmdlets;
using CallRecords.Parameters;

namespace CallRecords.Runtime;

/// <summary>
/// The one place that decides whether the module writes progress records; every progress writer (paging, PSTN-type
/// windows, per-record expansions) asks it through <see cref="CmdletOperation.ShowProgress"/>. Decided once per cmdlet
/// invocation, on the pipeline thread, in this order:
/// <list type="number">
/// <item>$ProgressPreference is SilentlyContinue or Ignore: off (PowerShell would drop the records anyway, and it
/// drops them itself for -ProgressAction SilentlyContinue, which no variable shows).</item>
/// <item>The environment variable CALLRECORDS_PROGRESS: on (also true, 1, yes) forces progress on, off (false, 0,
/// no) forces it off; auto, empty or anything else leaves it to the rules below.</item>
/// <item>Automatic: off when the session is non-interactive, that is when any of these holds:
///   <list type="bullet">
///   <item>Environment.UserInteractive is false: a Windows service, or a scheduled task set to run whether the user
///   is logged on or not (no visible window station). Always true on Linux and macOS.</item>
///   <item>$PSPrivateMetadata.JobId is set: an Azure Automation job (sandbox or Hybrid Runbook Worker), where
///   progress records are not shown and are only logged when progress logging is turned on for the runbook.</item>
///   <item>The host has no user interface: the host is "Default Host" (a runspace created without a host, e.g.
///   PowerShell.Create() in an application), or reading its raw UI fails with a HostException (the engine's wrapper
///   throws that for a host whose UI or RawUI is null, and a console host throws it without a console). Not probed
///   for "ServerRemoteHost" (remoting, Start-Job): there a raw UI read is a call to the client and can block a
///   background job; the client's own preferences decide.</item>
///   <item>The host is "ConsoleHost" (pwsh or powershell.exe) and its command line has -NonInteractive, parsed as
///   they parse it: a switch starts with -, --, / or a dash character, any prefix of NonInteractive from "noni" on
///   counts (-noni, -NonI, --noninteractive, /NonInteractive), a later -Interactive undoes it, and nothing after
///   -Command, -File or the script path counts (it belongs to the command or the script).</item>
///   </list></item>
/// </list>
/// </summary>
internal static class ProgressPolicy
{
    /// <summary>The administrator's override: on | off | auto.</summary>
    public const string OverrideVariable = "CALLRECORDS_PROGRESS";

    private static readonly Lazy<bool> ProcessNonInteractiveSwitch =
        new(() => HasNonInteractiveSwitch(Environment.GetCommandLineArgs().Skip(1).ToList()));

    /// <summary>Pipeline thread only (it reads the host). Explains a decision the user might not expect in -Debug.</summary>
    public static bool ShouldWrite(PSCmdlet cmdlet)
    {
        if (cmdlet.GetVariableValue("ProgressPreference") is ActionPreference p && p is ActionPreference.SilentlyContinue or ActionPreference.Ignore)
            return false;
        var value = Environment.GetEnvironmentVariable(OverrideVariable);
        switch (ParseOverride(value))
        {
            case true:
                return true;
            case false:
                cmdlet.WriteDebug($"Progress is off: {OverrideVariable} is '{value}'.");
                return false;
        }
        var reason = NonInteractiveReason(cmdlet);
        if (reason is null) return true;
        cmdlet.WriteDebug($"Progress is off: {reason}. Set the environment variable {OverrideVariable}=on to show it anyway.");
        return false;
    }

    /// <summary>true: forced on; false: forced off; null: decide automatically.</summary>
    internal static bool? ParseOverride(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "on" or "true" or "1" or "yes" => true,
        "off" or "false" or "0" or "no" => false,
        _ => null,
    };

    /// <summary>Why this session counts as non-interactive, or null when it is interactive.</summary>
    internal static string? NonInteractiveReason(PSCmdlet cmdlet)
    {
        if (!Environment.UserInteractive) return "the process has no interactive user session (a service, or a scheduled task that runs whether the user is logged on or not)";
        if (IsAzureAutomationJob(cmdlet.GetVariableValue("PSPrivateMetadata"))) return "this is an Azure Automation job";
        var host = cmdlet.Host;
        var name = host?.Name;
        if (host is null || string.Equals(name, "Default Host", StringComparison.Ordinal)) return "the PowerShell host has no user interface (Default Host)";
        if (string.Equals(name, "ConsoleHost", StringComparison.Ordinal) && ProcessNonInteractiveSwitch.Value)
            return "PowerShell was started with -NonInteractive";
        // Last: the only rule that calls into the host.
        if (!string.Equals(name, "ServerRemoteHost", StringComparison.Ordinal) && !HasRawUserInterface(host))
            return $"the PowerShell host '{name}' has no user interface";
        return null;
    }

    internal static bool IsAzureAutomationJob(object? privateMetadata)
    {
        var jobId = privateMetadata switch
        {
            null => null,
            IDictionary d => d.Contains("JobId") ? d["JobId"] : null,
            PSObject o => o.BaseObject is IDictionary d2 ? (d2.Contains("JobId") ? d2["JobId"] : null) : o.Properties["JobId"]?.Value,
            _ => null,
        };
        if (jobId is PSObject wrapped) jobId = wrapped.BaseObject;
        return jobId switch
        {
            null => false,
            Guid g => g != Guid.Empty,
            string s => !string.IsNullOrWhiteSpace(s),
            _ => true,
        };
    }

    /// <summary>A read of the raw UI: the engine's host wrapper always exists but throws HostException when the
    /// host behind it has no UI or RawUI; a console host throws it when there is no console.</summary>
    private static bool HasRawUserInterface(PSHost host)
    {
        try
        {
            var raw = host.UI?.RawUI;
            if (raw is null) return false;
            _ = raw.ForegroundColor;
            return true;
        }
        catch (HostException)
        {
            return false;
        }
        catch (Exception e) when (e is NotImplementedException or NotSupportedException or PSNotImplementedException or PSNotSupportedException)
        {
            // A UI that implements only part of the raw UI (some GUI hosts) still has a UI to show progress in.
            return true;
        }
    }

    private enum SwitchKind { Other, NonInteractive, Interactive, TakesValue, Version, RestIsCommand }

    /// <summary>pwsh's and powershell.exe's switches in the order they try them, with the shortest prefix each accepts;
    /// only what matters for finding -NonInteractive is told apart.</summary>
    private static readonly (string Name, string Shortest, SwitchKind Kind)[] Switches =
    {
        ("version", "v", SwitchKind.Version),
        ("help", "h", SwitchKind.Other),
        ("?", "?", SwitchKind.Other),
        ("login", "l", SwitchKind.Other),
        ("noexit", "noe", SwitchKind.Other),
        ("noprofile", "nop", SwitchKind.Other),
        ("nologo", "nol", SwitchKind.Other),
        ("noninteractive", "noni", SwitchKind.NonInteractive),
        ("socketservermode", "so", SwitchKind.Other),
        ("servermode", "s", SwitchKind.Other),
        ("namedpipeservermode", "nam", SwitchKind.Other),
        ("sshservermode", "sshs", SwitchKind.Other),
        ("interactive", "i", SwitchKind.Interactive),
        ("configurationname", "config", SwitchKind.TakesValue),
        ("custompipename", "cus", SwitchKind.TakesValue),
        ("command", "c", SwitchKind.RestIsCommand),
        ("windowstyle", "w", SwitchKind.TakesValue),
        ("file", "f", SwitchKind.RestIsCommand),
        ("outputformat", "o", SwitchKind.TakesValue),
        ("of", "o", SwitchKind.TakesValue),
        ("inputformat", "inp", SwitchKind.TakesValue),
        ("if", "if", SwitchKind.TakesValue),
        ("executionpolicy", "ex", SwitchKind.TakesValue),
        ("ep", "ep", SwitchKind.TakesValue),
        ("encodedcommand", "e", SwitchKind.TakesValue),
        ("ec", "e", SwitchKind.TakesValue),
        ("encodedarguments", "encodeda", SwitchKind.TakesValue),
        ("ea", "ea", SwitchKind.TakesValue),
        ("settingsfile", "settings", SwitchKind.TakesValue),
        ("sta", "sta", SwitchKind.Other),
        ("mta", "mta", SwitchKind.Other),
        ("workingdirectory", "wo", SwitchKind.TakesValue),
        ("wd", "wd", SwitchKind.TakesValue),
        ("psconsolefile", "psc", SwitchKind.TakesValue),
    };

    /// <summary>Whether a pwsh/powershell.exe command line (the arguments after the program) makes the session
    /// non-interactive.</summary>
    internal static bool HasNonInteractiveSwitch(IReadOnlyList<string> args)
    {
        var nonInteractive = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = (args[i] ?? string.Empty).Trim();
            if (arg.Length == 0) continue;
            // Anything else is the script file; what follows are its arguments.
            if (!IsDash(arg[0]) && arg[0] != '/') break;
            var key = arg.Substring(1);
            if (key.Length > 0 && IsDash(key[0])) key = key.Substring(1);
            var kind = Classify(key);
            switch (kind)
            {
                case SwitchKind.NonInteractive:
                    nonInteractive = true;
                    break;
                case SwitchKind.Interactive:
                    nonInteractive = false;
                    break;
                case SwitchKind.TakesValue:
                    i++;
                    break;
                case SwitchKind.Version:
                    // pwsh prints its version and exits; powershell.exe takes a version number and goes on.
                    if (i + 1 < args.Count && args[i + 1].Length > 0 && char.IsDigit(args[i + 1][0])) i++;
                    else return nonInteractive;
                    break;
                case SwitchKind.RestIsCommand:
                    return nonInteractive;
                case null:
                    // Not a switch either shell knows: pwsh takes it as the script file.
                    return nonInteractive;
            }
        }
        return nonInteractive;
    }

    private static SwitchKind? Classify(string key)
    {
        if (key.Length == 0) return null;
        foreach (var (name, shortest, kind) in Switches)
            if (key.Length >= shortest.Length && name.StartsWith(key, StringComparison.OrdinalIgnoreCase)) return kind;
        return null;
    }

    /// <summary>The dashes pwsh accepts before a switch: hyphen-minus, en dash, em dash, horizontal bar.</summary>
    private static bool IsDash(char c) => c is '-' or '\u2013' or '\u2014' or '\u2015';
}
