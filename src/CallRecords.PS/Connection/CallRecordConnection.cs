using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Models;

namespace CallRecords.Connection;

/// <summary>
/// A connection to Microsoft Graph for call records: what Connect-CallRecordGraph -PassThru returns and what every
/// data cmdlet takes through -Connection. It describes the connection (cloud, endpoint, api version, how it
/// authenticates, tenant, app, token expiry) and never exposes a token or a secret. Immutable; one Graph client and
/// one token cache behind it, shared safely by every runspace that uses it.
/// </summary>
public sealed class CallRecordConnection
{
    private CallRecordConnection(GraphSession session, ICredentialProvider credential, AccessTokenInfo? token)
    {
        Session = session;
        AuthKind = credential.AuthKind;
        // The token's tid/appid are the exact ids (a tenant given as contoso.onmicrosoft.com shows as its GUID; a
        // managed identity's ids are known only from its token).
        TenantId = token?.TenantId ?? credential.TenantId;
        ClientId = token?.AppId ?? credential.ClientId;
        Roles = new ValueList(new List<string>(token?.Roles ?? Array.Empty<string>()));
        ConnectedOn = DateTimeOffset.UtcNow;
    }

    /// <summary>Open-CallRecordArchive: a connection whose requests the archive file answers.</summary>
    private CallRecordConnection(GraphSession session, string tenantId, string archivePath)
    {
        Session = session;
        AuthKind = "Archive";
        TenantId = tenantId;
        ArchivePath = archivePath;
        Roles = ValueList.Empty;
        ConnectedOn = DateTimeOffset.UtcNow;
    }

    internal static CallRecordConnection ForArchive(GraphSession session, string tenantId, string archivePath) => new(session, tenantId, archivePath);

    internal GraphSession Session { get; }

    /// <summary>The SQLite archive this connection reads (Open-CallRecordArchive); null for a Graph connection.</summary>
    public string? ArchivePath { get; }

    /// <summary>Global, USGov, USGovDoD or China (-Environment).</summary>
    public string Environment => Session.Settings.Environment.Name;
    public Uri GraphEndpoint => Session.Settings.GraphEndpoint;
    /// <summary>The Entra authority tokens come from (not used by -AccessToken connections).</summary>
    public Uri AuthorityHost => Session.Settings.AuthorityHost;
    public string ApiVersion => Session.Settings.ApiVersion;
    /// <summary>Retries after a request's first attempt (Connect-CallRecordGraph -MaxRetry).</summary>
    public int MaxRetry => Session.Settings.MaxRetry;
    /// <summary>Per-attempt timeout (Connect-CallRecordGraph -Timeout).</summary>
    public TimeSpan Timeout => Session.Settings.RequestTimeout;
    public string AuthKind { get; }
    public string? TenantId { get; }
    public string? ClientId { get; }
    /// <summary>Application roles the token carries, when the token could be read.</summary>
    public ValueList Roles { get; }
    /// <summary>Expiry of the connection's current token; it is refreshed ahead of this time (except -AccessToken).</summary>
    public DateTimeOffset? TokenExpiresOn => Session.LastTokenExpiresOn;
    public DateTimeOffset ConnectedOn { get; }
    public bool IsDefault => ReferenceEquals(ConnectionRegistry.Default, this);
    public bool IsClosed => Session.IsDisposed;

    /// <summary>Set when a token renewal failed for good (the credential is refused now, or a pasted token expired):
    /// the connection stops being the default and every later use says why.</summary>
    internal Exception? Failure => Volatile.Read(ref _failure);
    private Exception? _failure;

    /// <summary>Errors after which no later token request can succeed with the same credential.</summary>
    private static readonly HashSet<string> PermanentFailures = new(StringComparer.Ordinal)
    {
        "InvalidClientSecret", "TenantNotFound", "ApplicationNotFound", "CertificateRejected", "CertificateExpired",
        "FederatedTokenRejected", "FederatedTokenMalformed", "FederatedTokenFileNotFound", "AccessTokenExpired",
    };

    private void OnTokenFailure(Exception described)
    {
        if (described is not CallRecordsException { ErrorId: var id } || !PermanentFailures.Contains(id)) return; // transient: try again next time
        if (Interlocked.CompareExchange(ref _failure, described, null) is not null) return;
        ConnectionRegistry.ClearIfDefault(this, $"The default connection ({this}) was set aside because its token could not be renewed ({id}).");
    }

    /// <summary>
    /// Creates the session (one Graph client, one token cache) and gets its first token right away, so a wrong
    /// secret, tenant or certificate fails here rather than in the first data cmdlet, and the connection can show
    /// tenant, app, roles and expiry. A token Graph would refuse for call records (delegated, no application roles)
    /// is refused here with the permission explained.
    /// </summary>
    /// <param name="backend">The Graph SDK half; by default the one next to this assembly or, in a test process that
    /// references it, the one already loaded (Connect-CallRecordGraph passes the module's own).</param>
    /// <param name="settings">Endpoints, version, retry, timeouts and HTTP profile of the connection.</param>
    /// <param name="credential">How tokens are obtained (app secret or certificate, or an access token).</param>
    /// <param name="cancellationToken">Stops the first token request.</param>
    internal static async Task<CallRecordConnection> ConnectAsync(ConnectionSettings settings, ICredentialProvider credential, CancellationToken cancellationToken,
        IGraphBackend? backend = null)
    {
        GraphSession session;
        // Token failures after the connection exists (renewals) may retire it; the first token's failure fails the connect.
        CallRecordConnection? created = null;
        Exception Describe(Exception e)
        {
            var described = credential.DescribeFailure(e, settings);
            created?.OnTokenFailure(described);
            return described;
        }
        try
        {
            backend ??= Loading.ModuleLoader.GetBackend(null);
            var budget = new RequestBudget(RequestCeilings.Current());
            session = new GraphSession(settings, backend.Open(settings, credential.Credential, Describe, budget), budget);
        }
        catch (Exception e) when (e is not CallRecordsException)
        {
            throw credential.DescribeFailure(e, settings);
        }
        try
        {
            var text = await session.AcquireTokenAsync(cancellationToken).ConfigureAwait(false);
            var info = AccessTokenInfo.TryParse(text, out var parsed) ? parsed : null;
            if (info is not null && (info.Scopes is not null || info.Roles.Count == 0)) throw AccessTokenCredentialProvider.NoApplicationRoles(info);
            created = new CallRecordConnection(session, credential, info);
            return created;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public override string ToString() => ArchivePath is not null
        ? string.Format(CultureInfo.InvariantCulture, "Archive {0} tenant {1}", ArchivePath, TenantId)
        : string.Format(CultureInfo.InvariantCulture, "{0} {1}{2} tenant {3}", AuthKind, GraphEndpoint.AbsoluteUri, ApiVersion, TenantId ?? "(unknown)");
}
