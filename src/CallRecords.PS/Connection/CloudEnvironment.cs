using System;
using System.Collections.Generic;
using System.Linq;

namespace CallRecords.Connection;

/// <summary>
/// The Microsoft clouds Graph runs in: each has its own Graph endpoint and Entra authority (Graph's "national cloud
/// deployments" page). Tokens must come from the authority of the cloud whose Graph they are sent to.
/// </summary>
internal sealed class CloudEnvironment
{
    public static readonly CloudEnvironment Global = new("Global", "https://graph.microsoft.com/", "https://login.microsoftonline.com/");
    /// <summary>Microsoft Cloud for US Government L4 (GCC High).</summary>
    public static readonly CloudEnvironment USGov = new("USGov", "https://graph.microsoft.us/", "https://login.microsoftonline.us/");
    /// <summary>Microsoft Cloud for US Government L5 (DoD).</summary>
    public static readonly CloudEnvironment USGovDoD = new("USGovDoD", "https://dod-graph.microsoft.us/", "https://login.microsoftonline.us/");
    /// <summary>Microsoft 365 operated by 21Vianet.</summary>
    public static readonly CloudEnvironment China = new("China", "https://microsoftgraph.chinacloudapi.cn/", "https://login.chinacloudapi.cn/");

    public static readonly IReadOnlyList<CloudEnvironment> All = new[] { Global, USGov, USGovDoD, China };

    private CloudEnvironment(string name, string graphEndpoint, string authorityHost)
    {
        Name = name;
        GraphEndpoint = new Uri(graphEndpoint);
        AuthorityHost = new Uri(authorityHost);
    }

    public string Name { get; }
    public Uri GraphEndpoint { get; }
    public Uri AuthorityHost { get; }

    public static CloudEnvironment Parse(string? name) =>
        string.IsNullOrEmpty(name) ? Global :
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)) ??
        throw new ArgumentException($"Unknown environment '{name}'. Use Global, USGov, USGovDoD or China.");

    /// <summary>True for the Entra authorities of Microsoft's clouds. MSAL validates other authorities through instance
    /// discovery at login.microsoftonline.com, which an isolated or private authority cannot answer, so discovery is
    /// turned off for them.</summary>
    public static bool IsMicrosoftAuthority(Uri authorityHost) =>
        All.Any(e => string.Equals(e.AuthorityHost.Host, authorityHost.Host, StringComparison.OrdinalIgnoreCase));
}
