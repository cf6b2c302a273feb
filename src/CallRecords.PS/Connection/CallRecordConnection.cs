using System;
using System.Collections.Generic;
using System.Globalization;
using CallRecords.Models;

namespace CallRecords.Connection;

/// <summary>
/// A connection to Microsoft Graph for call records: what Connect-CallRecordGraph -PassThru returns and what every
/// data cmdlet takes through -Connection. It describes the connection (endpoint, api version, how it
/// authenticates, tenant, app, token expiry) and never exposes a token or a secret.
/// </summary>
public sealed class CallRecordConnection
{
    internal CallRecordConnection(GraphSession session, ICredentialProvider credential, IReadOnlyList<string>? roles, DateTimeOffset? knownExpiry)
    {
        Session = session;
        AuthKind = credential.AuthKind;
        TenantId = credential.TenantId;
        ClientId = credential.ClientId;
        Roles = new ValueList(new List<string>(roles ?? Array.Empty<string>()));
        _knownExpiry = knownExpiry;
        ConnectedOn = DateTimeOffset.UtcNow;
    }

    private readonly DateTimeOffset? _knownExpiry;

    internal GraphSession Session { get; }

    public Uri GraphEndpoint => Session.Settings.GraphEndpoint;
    public string ApiVersion => Session.Settings.ApiVersion;
    public string AuthKind { get; }
    public string? TenantId { get; }
    public string? ClientId { get; }
    /// <summary>Application roles the token carries, when the token could be read.</summary>
    public ValueList Roles { get; }
    /// <summary>Expiry of the current token: from the token itself, or from the last token the credential issued.</summary>
    public DateTimeOffset? TokenExpiresOn => Session.LastTokenExpiresOn ?? _knownExpiry;
    public DateTimeOffset ConnectedOn { get; }
    public bool IsDefault => ReferenceEquals(ConnectionRegistry.Default, this);
    public bool IsClosed => Session.IsDisposed;

    /// <summary>Creates the session (one Graph client) for a credential.</summary>
    internal static CallRecordConnection Create(ConnectionSettings settings, ICredentialProvider credential, IReadOnlyList<string>? roles = null, DateTimeOffset? knownExpiry = null) =>
        new(new GraphSession(settings, credential.CreateCredential(settings)), credential, roles, knownExpiry);

    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "{0} {1}{2} tenant {3}", AuthKind, GraphEndpoint.AbsoluteUri, ApiVersion, TenantId ?? "(unknown)");
}
