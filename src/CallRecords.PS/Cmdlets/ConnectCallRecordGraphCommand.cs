using System;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Completers;
using CallRecords.Connection;
using CallRecords.Loading;
using CallRecords.Parameters;
using CallRecords.Runtime;

namespace CallRecords.Cmdlets;

/// <summary>
/// Connect-CallRecordGraph: creates a connection (one Graph client, one token cache) and makes it the process-wide
/// default unless -NoDefault; -PassThru also returns it for -Connection. Each parameter set names one app-only
/// credential flow; the connection gets its first token here, so a wrong secret or tenant fails at connect.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "CallRecordGraph", DefaultParameterSetName = AccessTokenSet)]
[OutputType(typeof(CallRecordConnection))]
public sealed class ConnectCallRecordGraphCommand : PSCmdlet, IDisposable
{
    private const string AccessTokenSet = "AccessToken";
    private const string ClientSecretSet = "ClientSecret";
    private const string ClientSecretCredentialSet = "ClientSecretCredential";
    private const string CertificateThumbprintSet = "CertificateThumbprint";
    private const string CertificatePathSet = "CertificatePath";
    private const string CertificateSet = "Certificate";
    private const string ManagedIdentitySet = "ManagedIdentity";
    private const string FederatedTokenSet = "FederatedToken";
    private const string EnvironmentVariableSet = "EnvironmentVariable";

    private readonly CancellationTokenSource _stopping = new();

    /// <summary>An app-only access token for Microsoft Graph (the access_token value, without "Bearer ").</summary>
    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    public SecureString AccessToken { get; set; } = null!;

    /// <summary>Directory (tenant) ID or a verified domain of the tenant whose call records are read.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretCredentialSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = FederatedTokenSet)]
    [ValidateNotNullOrEmpty]
    public string TenantId { get; set; } = null!;

    /// <summary>Application (client) ID of the app registration; with -ManagedIdentity, a user-assigned identity's client id.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = FederatedTokenSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Alias("ApplicationId", "AppId")]
    [ValidateNotNullOrEmpty]
    public string? ClientId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [ValidateNotNull]
    public SecureString ClientSecret { get; set; } = null!;

    /// <summary>User name = client id, password = client secret (as Connect-MgGraph takes it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretCredentialSet)]
    [ValidateNotNull]
    [Credential]
    public PSCredential ClientSecretCredential { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public string CertificateThumbprint { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
    [ValidateNotNullOrEmpty]
    public string CertificatePath { get; set; } = null!;

    [Parameter(ParameterSetName = CertificatePathSet)]
    public SecureString? CertificatePassword { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [ValidateNotNull]
    public X509Certificate2 Certificate { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
    public SwitchParameter ManagedIdentity { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = FederatedTokenSet)]
    [ValidateNotNullOrEmpty]
    public string FederatedTokenFile { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = EnvironmentVariableSet)]
    public SwitchParameter EnvironmentVariable { get; set; }

    /// <summary>The Microsoft cloud: sets the Graph endpoint and the authority host together.</summary>
    [Parameter]
    [ValidateSet("Global", "USGov", "USGovDoD", "China", IgnoreCase = true)]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string Environment { get; set; } = "Global";

    /// <summary>Overrides the Graph endpoint of -Environment.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? GraphEndpoint { get; set; }

    /// <summary>Overrides the Entra authority host of -Environment.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? AuthorityHost { get; set; }

    [Parameter]
    [ValidateSet("v1.0", "beta")]
    public string ApiVersion { get; set; } = "v1.0";

    /// <summary>Retries after the first attempt of a request (0–10): throttling (429/503/504, honouring Retry-After),
    /// resets, timeouts and broken bodies. After the last one the command fails; it never returns a shorter result.</summary>
    [Parameter]
    [ValidateRange(0, ConnectionSettings.MaxRetryLimit)]
    public int? MaxRetry { get; set; }

    /// <summary>Per-attempt timeout: a TimeSpan or a number of seconds.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Base delay of the exponential backoff (with jitter) when Graph sends no Retry-After: a TimeSpan or seconds.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? RetryDelay { get; set; }

    /// <summary>Also write the connection to the pipeline, for -Connection.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Leave the process default connection as it is (use with -PassThru).</summary>
    [Parameter]
    public SwitchParameter NoDefault { get; set; }

    protected override void EndProcessing()
    {
        if (NoDefault && !PassThru)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-NoDefault needs -PassThru."), "NoDefaultWithoutPassThru", ErrorCategory.InvalidArgument, "-NoDefault")
            {
                ErrorDetails = new ErrorDetails("-NoDefault leaves the default connection as it is, so the new connection can only be used through -PassThru: add -PassThru and pass the result to -Connection."),
            });

        ConnectionSettings settings;
        try
        {
            settings = new ConnectionSettings(GraphEndpoint, ApiVersion, environment: CloudEnvironment.Parse(Environment), authorityHost: AuthorityHost,
                maxRetry: MaxRetry, requestTimeout: Timeout, retryDelay: RetryDelay);
        }
        catch (ArgumentException e)
        {
            var retrySetting = e.Message.StartsWith("-", StringComparison.Ordinal);
            var authority = e.Message.IndexOf("authority", StringComparison.OrdinalIgnoreCase) >= 0;
            FailSafe(new ErrorRecord(e, retrySetting ? "InvalidRetrySetting" : authority ? "InvalidAuthorityHost" : "InvalidGraphEndpoint", ErrorCategory.InvalidArgument,
                retrySetting ? (object?)Timeout ?? RetryDelay : authority ? AuthorityHost : GraphEndpoint) { ErrorDetails = new ErrorDetails(e.Message) });
            return;
        }
        catch (CallRecordsException e)
        {
            FailSafe(ErrorMapper.ToErrorRecord(e, GraphEndpoint ?? AuthorityHost));
            return;
        }

        CallRecordConnection connection;
        try
        {
            var provider = CreateProvider();
            WriteDebug($"Credential: {provider.AuthKind}; tenant {provider.TenantId ?? "(from the token)"}; client id {provider.ClientId ?? "(from the token)"}" +
                (provider is AppCredentialProvider { Detail: { } detail } ? "; " + detail : "") +
                (provider is AccessTokenCredentialProvider ? "" : $"; authority {settings.AuthorityHost}; instance discovery {(settings.DisableInstanceDiscovery ? "off" : "on")}") +
                $"; scope {string.Join(" ", settings.Scopes)}.");
            // The Graph SDK half of the module loads on the first connect, from this module's own bin folder.
            var moduleBase = MyInvocation.MyCommand.Module?.ModuleBase;
            var backend = ModuleLoader.GetBackend(moduleBase);
            WriteDebug("Graph SDK: " + ModuleLoader.Describe(moduleBase) + ".");
            WriteDebug("HTTP handlers: " + settings.Http + ".");
            // The first token is requested off the pipeline thread; Ctrl+C cancels it.
            var connecting = Task.Run(() => CallRecordConnection.ConnectAsync(settings, provider, _stopping.Token, backend));
            connection = connecting.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            FailSafe(ErrorMapper.ToErrorRecord(e, TenantId ?? (object?)ClientId ?? ParameterSetName));
            return;
        }

        if (!connection.Roles.Contains(AccessTokenCredentialProvider.CallRecordsRole, ignoreCase: true) && !connection.Roles.Contains("CallRecords.ReadWrite.All", ignoreCase: true))
            WriteWarning($"The token's application roles ({string.Join(", ", connection.Roles)}) do not include {AccessTokenCredentialProvider.CallRecordsRole}; Graph will refuse call-record requests. {ErrorMapper.PermissionAdvice}");
        if (!NoDefault) ConnectionRegistry.SetDefault(connection);
        WriteVerbose($"Connected{(NoDefault ? " (not the default connection)" : "")}: {connection}; client id {connection.ClientId ?? "(unknown)"}; token expires {connection.TokenExpiresOn?.ToString("u") ?? "(unknown)"}.");
        if (PassThru) WriteObject(connection);
    }

    /// <summary>
    /// Fail safe: a connect that fails leaves no default connection, so a script that goes on after the error gets
    /// NotConnected instead of the previous connection's tenant (with -NoDefault the default was never this command's
    /// to change, and stays). The error says so. Then the error ends the command.
    /// </summary>
    private void FailSafe(ErrorRecord error)
    {
        if (!NoDefault)
        {
            var reason = error.FullyQualifiedErrorId.Split(',')[0];
            var previous = ConnectionRegistry.ClearBecause($"The last Connect-CallRecordGraph failed ({reason}), so no connection is the default.");
            if (previous is not null)
            {
                var note = $" No connection is the default now: the previous one ({previous}) was set aside, so later commands fail with NotConnected instead of reading that tenant.";
                var details = error.ErrorDetails ?? new ErrorDetails(error.Exception.Message);
                error.ErrorDetails = new ErrorDetails(details.Message + note) { RecommendedAction = details.RecommendedAction };
            }
        }
        ThrowTerminatingError(error);
    }

    /// <summary>One branch per parameter set: each builds an <see cref="ICredentialProvider"/>.</summary>
    private ICredentialProvider CreateProvider()
    {
        switch (ParameterSetName)
        {
            case AccessTokenSet:
                return new AccessTokenCredentialProvider(AccessToken);
            case ClientSecretSet:
                return AppCredentialProvider.ClientSecret(TenantId, ClientId!, ClientSecret);
            case ClientSecretCredentialSet:
                return AppCredentialProvider.ClientSecret(TenantId, ClientSecretCredential.UserName, ClientSecretCredential.Password);
            case CertificateThumbprintSet:
                return AppCredentialProvider.ClientCertificateThumbprint(TenantId, ClientId!, CertificateThumbprint);
            case CertificatePathSet:
                return AppCredentialProvider.ClientCertificateFile(TenantId, ClientId!, SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertificatePath), CertificatePassword);
            case CertificateSet:
                return AppCredentialProvider.ClientCertificate(TenantId, ClientId!, Certificate);
            case ManagedIdentitySet:
                return AppCredentialProvider.ManagedIdentity(ClientId);
            case FederatedTokenSet:
                return AppCredentialProvider.FederatedToken(TenantId, ClientId!, SessionState.Path.GetUnresolvedProviderPathFromPSPath(FederatedTokenFile));
            case EnvironmentVariableSet:
                return AppCredentialProvider.FromEnvironment(System.Environment.GetEnvironmentVariable);
            default:
                throw new PSNotSupportedException($"Parameter set {ParameterSetName} is not supported.");
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
