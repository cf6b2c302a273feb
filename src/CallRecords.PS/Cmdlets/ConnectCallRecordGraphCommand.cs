using System;
using System.Management.Automation;
using System.Security;
using CallRecords.Connection;

namespace CallRecords.Cmdlets;

/// <summary>
/// Connect-CallRecordGraph: creates a connection (one Graph client) and makes it the process-wide default;
/// -PassThru also returns it for -Connection. Each parameter set names one credential flow.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "CallRecordGraph", DefaultParameterSetName = AccessTokenSet)]
[OutputType(typeof(CallRecordConnection))]
public sealed class ConnectCallRecordGraphCommand : PSCmdlet
{
    private const string AccessTokenSet = "AccessToken";

    /// <summary>An app-only access token for Microsoft Graph (the access_token value, without "Bearer ").</summary>
    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    public SecureString AccessToken { get; set; } = null!;

    /// <summary>The Graph endpoint; https://graph.microsoft.com by default.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? GraphEndpoint { get; set; }

    [Parameter]
    [ValidateSet("v1.0", "beta")]
    public string ApiVersion { get; set; } = "v1.0";

    /// <summary>Also write the connection to the pipeline, for -Connection.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        ConnectionSettings settings;
        try
        {
            settings = new ConnectionSettings(GraphEndpoint, ApiVersion);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "InvalidGraphEndpoint", ErrorCategory.InvalidArgument, GraphEndpoint) { ErrorDetails = new ErrorDetails(e.Message) });
            return;
        }

        CallRecordConnection connection;
        try
        {
            connection = Create(settings);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorMapper.ToErrorRecord(e, null));
            return;
        }
        ConnectionRegistry.SetDefault(connection);
        WriteVerbose($"Connected: {connection}; token expires {connection.TokenExpiresOn?.ToString("u") ?? "(unknown)"}.");
        if (PassThru) WriteObject(connection);
    }

    /// <summary>One branch per parameter set: each builds an <see cref="ICredentialProvider"/>.</summary>
    private CallRecordConnection Create(ConnectionSettings settings)
    {
        switch (ParameterSetName)
        {
            case AccessTokenSet:
                var provider = new AccessTokenCredentialProvider(AccessToken);
                if (!provider.HasCallRecordsRole)
                    WriteWarning($"The access token's application roles ({string.Join(", ", provider.Info.Roles)}) do not include {AccessTokenCredentialProvider.CallRecordsRole}; Graph will refuse call-record requests. {ErrorMapper.PermissionAdvice}");
                return CallRecordConnection.Create(settings, provider, provider.Info.Roles, provider.Info.ExpiresOn);
            default:
                throw new PSNotSupportedException($"Parameter set {ParameterSetName} is not supported.");
        }
    }
}
