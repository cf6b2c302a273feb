using System;
using System.Security.Authentication;
using CallRecords.Cmdlets;
using CallRecords.Loading;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Connection;

/// <summary>
/// How a connection's HTTP handlers are set up, decided once per connection. PowerShell 7 (.NET) keeps the Graph
/// SDK's own handler: it negotiates TLS with the OS defaults and has no per-host connection cap. Windows PowerShell
/// 5.1 (.NET Framework) gets the Desktop profile instead, for the connection's Graph handler and for its token
/// requests alike (CallRecords.Sdk's DesktopHttp):
/// <list type="bullet">
/// <item>TLS 1.2, and 1.3 where the OS has it, set on our handlers only: powershell.exe often offers just
/// <c>Ssl3, Tls</c> through ServicePointManager.SecurityProtocol (no SchUseStrongCrypto), which is left as it is
/// for every other module in the session.</item>
/// <item>A per-host connection limit of <see cref="ConnectionLimit"/> instead of .NET Framework's
/// DefaultConnectionLimit of 2, so a -ThrottleLimit 24 fan-out really has 24 requests on the wire.</item>
/// <item>The requests wait for one of those connections before their per-attempt timer starts, so a short
/// -Timeout measures Graph, not the queue.</item>
/// </list>
/// <see cref="SwitchVariable"/> turns the Desktop profile on in PowerShell 7 too (tests and diagnostics: the same code
/// paths on .NET, with .NET's HttpClientHandler in place of WinHTTP).
/// </summary>
internal sealed class HttpProfile
{
    /// <summary>1 (or on, true, yes) runs Windows PowerShell 5.1's HTTP code paths on PowerShell 7.</summary>
    public const string SwitchVariable = "CALLRECORDS_DESKTOP_PATHS";

    /// <summary>SslProtocols.Tls13, which .NET Framework 4.7.2's and netstandard2.0's enums do not name.</summary>
    internal const SslProtocols Tls13 = (SslProtocols)12288;

    public HttpProfile(bool desktop, int? connectionLimit = null, SslProtocols? tls = null)
    {
        var limit = connectionLimit ?? FanOut.MaxThrottleLimit;
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(connectionLimit), "The connection limit must be at least 1.");
        Desktop = desktop;
        ConnectionLimit = limit;
        TlsProtocols = tls ?? (OsHasTls13(Environment.OSVersion.Platform, Environment.OSVersion.Version) ? SslProtocols.Tls12 | Tls13 : SslProtocols.Tls12);
    }

    /// <summary>This process's profile: Desktop on .NET Framework, or when <see cref="SwitchVariable"/> asks for it.</summary>
    public static HttpProfile ForThisProcess() => new(ModuleLoader.IsNetFramework || SwitchOn(Environment.GetEnvironmentVariable(SwitchVariable)));

    public bool Desktop { get; }

    /// <summary>Connections to one host, and requests in flight on them (Desktop only): the highest -ThrottleLimit, so
    /// the handler never narrows a fan-out; each run's -ThrottleLimit and the request budget decide concurrency.</summary>
    public int ConnectionLimit { get; }

    /// <summary>What our handlers offer (Desktop only; .NET's default otherwise).</summary>
    public SslProtocols TlsProtocols { get; }

    internal static bool SwitchOn(string? value) => value?.Trim().ToLowerInvariant() is "1" or "on" or "true" or "yes";

    /// <summary>Windows has TLS 1.3 in Schannel from Windows Server 2022 and Windows 11 (build 20348 on); Windows 10 and
    /// Server 2016/2019 do not (offering it there fails the handshake setup). Other systems' TLS libraries have it.</summary>
    internal static bool OsHasTls13(PlatformID platform, Version version) =>
        platform != PlatformID.Win32NT || version >= new Version(10, 0, 20348);

    public override string ToString() => Desktop
        ? $"Desktop (TLS {TlsProtocols}, {ConnectionLimit} connections per host, per-attempt timer after a connection is free)"
        : "default";
}
