using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using Azure.Core;
using Azure.Identity;
using Microsoft.Identity.Client;
using Microsoft.Kiota.Abstractions;

namespace OtherModule;

/// <summary>
/// Get-OtherModuleToken: uses this module's own (older) Azure.Identity, MSAL and Kiota.Abstractions for real: a
/// client-secret token through Azure.Identity, the same through MSAL directly, and a URL expanded by Kiota's
/// RequestInformation. Reports the versions that did the work and never the tokens.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OtherModuleToken")]
public sealed class GetOtherModuleTokenCommand : PSCmdlet
{
    [Parameter(Mandatory = true)] public Uri AuthorityHost { get; set; } = null!;
    [Parameter(Mandatory = true)] public string TenantId { get; set; } = null!;
    [Parameter(Mandatory = true)] public string ClientId { get; set; } = null!;
    [Parameter(Mandatory = true)] public string ClientSecret { get; set; } = null!;
    [Parameter(Mandatory = true)] public Uri GraphEndpoint { get; set; } = null!;

    protected override void EndProcessing()
    {
        var scopes = new[] { "https://graph.microsoft.com/.default" };
        var credential = new ClientSecretCredential(TenantId, ClientId, ClientSecret,
            new ClientSecretCredentialOptions { AuthorityHost = AuthorityHost, DisableInstanceDiscovery = true });
        var viaAzureIdentity = credential.GetToken(new TokenRequestContext(scopes), CancellationToken.None);

        var msal = ConfidentialClientApplicationBuilder.Create(ClientId)
            .WithClientSecret(ClientSecret)
            .WithAuthority(new Uri(AuthorityHost, TenantId).AbsoluteUri, validateAuthority: false)
            .WithInstanceDiscovery(false)
            .Build();
        var viaMsal = msal.AcquireTokenForClient(scopes).ExecuteAsync().GetAwaiter().GetResult();

        var request = new RequestInformation
        {
            HttpMethod = Method.GET,
            UrlTemplate = "{+baseurl}/communications/callRecords/{id}",
            PathParameters = new Dictionary<string, object> { ["baseurl"] = GraphEndpoint.AbsoluteUri.TrimEnd('/') + "/v1.0", ["id"] = "abc" },
        };

        var result = new PSObject();
        result.Properties.Add(new PSNoteProperty("AzureIdentityVersion", typeof(ClientSecretCredential).Assembly.GetName().Version!.ToString()));
        result.Properties.Add(new PSNoteProperty("AzureCoreVersion", typeof(TokenCredential).Assembly.GetName().Version!.ToString()));
        result.Properties.Add(new PSNoteProperty("MsalVersion", typeof(ConfidentialClientApplicationBuilder).Assembly.GetName().Version!.ToString()));
        result.Properties.Add(new PSNoteProperty("KiotaVersion", typeof(RequestInformation).Assembly.GetName().Version!.ToString()));
        result.Properties.Add(new PSNoteProperty("AzureIdentityTokenLength", viaAzureIdentity.Token.Length));
        result.Properties.Add(new PSNoteProperty("MsalTokenLength", viaMsal.AccessToken.Length));
        result.Properties.Add(new PSNoteProperty("KiotaUrl", request.URI.AbsoluteUri));
        WriteObject(result);
    }
}
