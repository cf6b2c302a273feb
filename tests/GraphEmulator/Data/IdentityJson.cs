using System.Text.Json.Nodes;

namespace GraphEmulator.Data;

/// <summary>Identity sets in the shapes Graph actually sends, including keys the schema does not declare
/// (acsUser, spoolUser, acsApplicationInstance, spoolApplicationInstance; tenantId/userPrincipalName on identities).</summary>
internal static class IdentityJson
{
    private static readonly string[] SetKeys =
    [
        "acsUser", "spoolUser", "phone", "guest", "encrypted", "onPremises", "acsApplicationInstance",
        "spoolApplicationInstance", "applicationInstance", "application", "device", "user",
    ];

    internal static string KeyOf(ParticipantKind kind) => kind switch
    {
        ParticipantKind.User => "user",
        ParticipantKind.Guest => "guest",
        ParticipantKind.Phone => "phone",
        ParticipantKind.AcsUser => "acsUser",
        ParticipantKind.SpoolUser => "spoolUser",
        ParticipantKind.ApplicationInstance => "applicationInstance",
        _ => "application",
    };

    internal static JsonObject Identity(PlannedParticipant p, bool participantsV2)
    {
        var o = new JsonObject();
        if (p.Kind == ParticipantKind.User && participantsV2) o["@odata.type"] = "#microsoft.graph.callRecords.userIdentity";
        o["id"] = p.Id;
        o["displayName"] = p.DisplayName;
        o["tenantId"] = p.TenantId;
        switch (p.Kind)
        {
            case ParticipantKind.User when participantsV2:
                o["userPrincipalName"] = p.UserPrincipalName;
                break;
            case ParticipantKind.Guest:
                o["email"] = p.Email;
                break;
            case ParticipantKind.ApplicationInstance:
                o["hidden"] = false;
                break;
        }
        return o;
    }

    /// <summary>communicationsIdentitySet of participants_v2 / organizer_v2: every key present, unused ones null,
    /// as in Graph's list-participants example.</summary>
    internal static JsonObject FullSet(PlannedParticipant p)
    {
        var set = new JsonObject();
        var key = KeyOf(p.Kind);
        foreach (var k in SetKeys) set[k] = k == key ? Identity(p, participantsV2: true) : null;
        return set;
    }

    /// <summary>identitySet on a session/segment endpoint: only the populated key (the samples' shape).</summary>
    internal static JsonObject EndpointSet(PlannedParticipant p, bool typed)
    {
        var set = new JsonObject();
        if (typed) set["@odata.type"] = "#microsoft.graph.identitySet";
        set[KeyOf(p.Kind)] = Identity(p, participantsV2: false);
        return set;
    }

    internal static JsonObject Participant(PlannedParticipant p)
    {
        var o = new JsonObject { ["id"] = p.Id, ["identity"] = FullSet(p) };
        if (p.AdministrativeUnitId is not null)
            o["administrativeUnitInfos"] = new JsonArray(new JsonObject { ["id"] = p.AdministrativeUnitId });
        return o;
    }
}
