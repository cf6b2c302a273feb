using System.Net;
using System.Net.Http;
using Azure.Core.Pipeline;
using CallRecords.Connection;

namespace CallRecords.Sdk;

/// <summary>
/// The innermost handler of a Desktop-profile connection (<see cref="HttpProfile"/>), for the Graph pipeline and
/// for the credential's token requests. On .NET Framework (the net472 build, Windows PowerShell 5.1) it is
/// WinHttpHandler, the handler Kiota's and Graph.Core's own Framework builds use: TLS protocols and the per-host
/// connection limit are properties of the handler, so ServicePointManager (process-wide, shared with every other
/// module) is never touched. In the netstandard2.0 build (PowerShell 7 with CALLRECORDS_DESKTOP_PATHS=1, for tests)
/// it is .NET's HttpClientHandler with the same settings. Either way redirects, decompression and cookies are off
/// (the SDK's handlers do the first two, Graph uses no cookies) and the handler has no timeouts of its own (the
/// per-attempt timer and the page-body timeout are ours).
/// </summary>
internal static class DesktopHttp
{
    /// <summary>The credential's transport for a Desktop-profile connection (token requests over our handler, not
    /// Azure.Core's HttpWebRequest transport, which takes ServicePointManager's process-wide protocols); null keeps
    /// Azure.Core's default.</summary>
    public static HttpPipelineTransport? TokenTransport(HttpProfile profile) => profile.Desktop ? new HttpClientTransport(CreateHandler(profile)) : null;

    public static HttpMessageHandler CreateHandler(HttpProfile profile)
    {
#if NETFRAMEWORK
        return new WinHttpHandler
        {
            SslProtocols = profile.TlsProtocols,
            MaxConnectionsPerServer = profile.ConnectionLimit,
            // What powershell.exe's own web cmdlets use: the user's Internet Options (WinINet) proxy settings.
            WindowsProxyUsePolicy = WindowsProxyUsePolicy.UseWinInetProxy,
            AutomaticDecompression = DecompressionMethods.None,
            AutomaticRedirection = false,
            CookieUsePolicy = CookieUsePolicy.IgnoreCookies,
            SendTimeout = System.Threading.Timeout.InfiniteTimeSpan,
            ReceiveHeadersTimeout = System.Threading.Timeout.InfiniteTimeSpan,
            ReceiveDataTimeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
#else
        return new HttpClientHandler
        {
            SslProtocols = profile.TlsProtocols,
            MaxConnectionsPerServer = profile.ConnectionLimit,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
        };
#endif
    }
}
