using System;
using System.Collections.Generic;
using System.Text.Json;

namespace CallRecords.Models.Mapping;

/// <summary>
/// Graph payload → our output types. One method per type; every cmdlet and every nesting level goes through these,
/// so no mapping is written twice. Nested collections that arrive inline are mapped here; their continuation
/// nextLinks are followed by <see cref="CallRecords.Graph.CallRecordReader"/>, which appends to the same lists.
/// </summary>
internal static class CallRecordMapper
{
    // Which identitySet member names the party, when several are present (e.g. user plus device).
    private static readonly string[] IdentityPriority =
    {
        "user", "guest", "phone", "acsUser", "azureCommunicationServicesUser", "spoolUser", "applicationInstance",
        "application", "onPremises", "encrypted", "assertedIdentity", "device",
    };

    public static CallRecord MapCallRecord(JsonElement e)
    {
        var id = e.Str("id") ?? string.Empty;
        var start = e.Date("startDateTime");
        var end = e.Date("endDateTime");
        var record = new CallRecord
        {
            Id = id,
            Version = e.Int64("version") ?? 0,
            Type = e.Enum("type"),
            Modalities = e.EnumList("modalities"),
            StartDateTime = start,
            EndDateTime = end,
            Duration = Json.Span(start, end),
            LastModifiedDateTime = e.Date("lastModifiedDateTime"),
            JoinWebUrl = e.Str("joinWebUrl"),
        };
        if (e.Obj("organizer_v2") is { } organizer) record.Organizer = MapParticipant(organizer, id).Identity;
        if (e.Prop("sessions") is { ValueKind: JsonValueKind.Array })
            record.Sessions = e.List("sessions", s => MapSession(s, id));
        if (e.Prop("participants_v2") is { ValueKind: JsonValueKind.Array })
        {
            record.Participants = e.List("participants_v2", p => MapParticipant(p, id));
            record.ParticipantCount = record.Participants.Count;
        }
        return record;
    }

    public static CallRecordSession MapSession(JsonElement e, string callRecordId)
    {
        var id = e.Str("id") ?? string.Empty;
        var start = e.Date("startDateTime");
        var end = e.Date("endDateTime");
        var session = new CallRecordSession
        {
            CallRecordId = callRecordId,
            Id = id,
            Modalities = e.EnumList("modalities"),
            StartDateTime = start,
            EndDateTime = end,
            Duration = Json.Span(start, end),
            IsTest = e.Bool("isTest"),
            Caller = e.Obj("caller") is { } caller ? MapEndpoint(caller) : null,
            Callee = e.Obj("callee") is { } callee ? MapEndpoint(callee) : null,
            FailureInfo = e.Obj("failureInfo") is { } f ? MapFailureInfo(f) : null,
        };
        if (e.Prop("segments") is { ValueKind: JsonValueKind.Array })
            session.Segments = e.List("segments", s => MapSegment(s, callRecordId, id));
        return session;
    }

    public static CallRecordSegment MapSegment(JsonElement e, string callRecordId, string sessionId)
    {
        var start = e.Date("startDateTime");
        var end = e.Date("endDateTime");
        return new CallRecordSegment
        {
            CallRecordId = callRecordId,
            SessionId = sessionId,
            Id = e.Str("id") ?? string.Empty,
            StartDateTime = start,
            EndDateTime = end,
            Duration = Json.Span(start, end),
            Caller = e.Obj("caller") is { } caller ? MapEndpoint(caller) : null,
            Callee = e.Obj("callee") is { } callee ? MapEndpoint(callee) : null,
            FailureInfo = e.Obj("failureInfo") is { } f ? MapFailureInfo(f) : null,
            Media = e.List("media", MapMedia),
        };
    }

    public static CallRecordParticipant MapParticipant(JsonElement e, string callRecordId) => new()
    {
        CallRecordId = callRecordId,
        Id = e.Str("id"),
        Identity = e.Obj("identity") is { } identity ? MapIdentitySet(identity) : null,
        AdministrativeUnitIds = AdministrativeUnits(e),
    };

    /// <summary>administrativeUnitInfos → the ids (shared with the log-row mappers).</summary>
    internal static ValueList AdministrativeUnits(JsonElement e)
    {
        if (e.Prop("administrativeUnitInfos") is not { ValueKind: JsonValueKind.Array } a) return ValueList.Empty;
        var ids = new List<string>();
        foreach (var unit in a.EnumerateArray())
            if (unit.Str("id") is { } id) ids.Add(id);
        return new ValueList(ids);
    }

    /// <summary>An identitySet / communicationsIdentitySet: the most specific member that is present, with its
    /// key as Kind. Keys the schema does not declare (acsUser, spoolUser, …) are accepted like any other.</summary>
    public static CallRecordIdentity? MapIdentitySet(JsonElement set)
    {
        if (set.ValueKind != JsonValueKind.Object) return null;
        string? bestKind = null;
        JsonElement best = default;
        var bestRank = int.MaxValue;
        foreach (var p in set.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Object || p.Name.StartsWith("@", StringComparison.Ordinal)) continue;
            var rank = Array.IndexOf(IdentityPriority, p.Name);
            if (rank < 0) rank = IdentityPriority.Length; // an unknown kind still beats nothing
            if (rank < bestRank) { bestRank = rank; bestKind = p.Name; best = p.Value; }
        }
        var endpointType = set.Enum("endpointType");
        if (bestKind is null) return endpointType is null ? null : new CallRecordIdentity { EndpointType = endpointType };
        var identity = MapIdentity(best, bestKind);
        identity.EndpointType = endpointType;
        return identity;
    }

    public static CallRecordIdentity MapIdentity(JsonElement e, string? kind) => new()
    {
        Kind = kind,
        Id = e.Str("id"),
        DisplayName = e.Str("displayName"),
        UserPrincipalName = e.Str("userPrincipalName"),
        TenantId = e.Str("tenantId"),
        Email = e.Str("email"),
    };

    public static CallRecordEndpoint MapEndpoint(JsonElement e)
    {
        var identity = e.Obj("identity") is { } set ? MapIdentitySet(set) : null;
        var odataType = e.Str("@odata.type");
        var kind = odataType is null
            ? (identity is not null || e.Prop("feedback") is not null ? "participant" : null)
            : odataType.EndsWith("participantEndpoint", StringComparison.OrdinalIgnoreCase) ? "participant"
            : odataType.EndsWith("serviceEndpoint", StringComparison.OrdinalIgnoreCase) ? "service"
            : odataType.Substring(odataType.LastIndexOf('.') + 1);
        var agent = e.Obj("userAgent") is { } ua ? MapUserAgent(ua) : null;
        kind ??= agent?.Kind == "service" ? "service" : agent?.Kind == "client" ? "participant" : null;
        return new CallRecordEndpoint
        {
            Kind = kind,
            Name = e.Str("name"),
            Identity = identity,
            AssociatedIdentity = e.Obj("associatedIdentity") is { } associated ? MapIdentity(associated, null) : null,
            UserAgent = agent,
            Feedback = e.Obj("feedback") is { } fb ? MapFeedback(fb) : null,
            CpuName = e.Str("cpuName"),
            CpuCoresCount = e.Int32("cpuCoresCount"),
            CpuProcessorSpeedInMhz = e.Int32("cpuProcessorSpeedInMhz"),
        };
    }

    public static CallRecordUserAgent MapUserAgent(JsonElement e)
    {
        var odataType = e.Str("@odata.type");
        var kind = odataType is not null
            ? odataType.EndsWith("serviceUserAgent", StringComparison.OrdinalIgnoreCase) ? "service" : "client"
            : e.Prop("role") is not null ? "service"
            : e.Prop("platform") is not null || e.Prop("productFamily") is not null ? "client" : null;
        return new CallRecordUserAgent
        {
            Kind = kind,
            HeaderValue = e.Str("headerValue"),
            ApplicationVersion = e.Str("applicationVersion"),
            Platform = e.Enum("platform"),
            ProductFamily = e.Enum("productFamily"),
            AzureADAppId = e.Str("azureADAppId"),
            CommunicationServiceId = e.Str("communicationServiceId"),
            Role = e.Enum("role"),
        };
    }

    public static CallRecordFeedback MapFeedback(JsonElement e)
    {
        var tokens = new List<string>();
        if (e.Obj("tokens") is { } set)
            foreach (var p in set.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.True) tokens.Add(p.Name);
        return new CallRecordFeedback { Rating = e.Enum("rating"), Text = e.Str("text"), Tokens = new ValueList(tokens) };
    }

    public static CallRecordFailureInfo MapFailureInfo(JsonElement e) => new() { Stage = e.Enum("stage"), Reason = e.Str("reason") };

    public static CallRecordMedia MapMedia(JsonElement e) => new()
    {
        Label = e.Str("label"),
        CallerNetwork = e.Obj("callerNetwork") is { } cn ? MapNetwork(cn) : null,
        CalleeNetwork = e.Obj("calleeNetwork") is { } ce ? MapNetwork(ce) : null,
        CallerDevice = e.Obj("callerDevice") is { } cd ? MapDevice(cd) : null,
        CalleeDevice = e.Obj("calleeDevice") is { } dd ? MapDevice(dd) : null,
        Streams = e.List("streams", MapStream),
    };

    public static CallRecordMediaStream MapStream(JsonElement e)
    {
        var stream = new CallRecordMediaStream
        {
            StreamId = e.Str("streamId"),
            StreamDirection = e.Enum("streamDirection"),
            StartDateTime = e.Date("startDateTime"),
            EndDateTime = e.Date("endDateTime"),
        };
        StreamMetrics.Read(e, stream);
        return stream;
    }

    public static CallRecordNetwork MapNetwork(JsonElement e) => new()
    {
        ConnectionType = e.Enum("connectionType"),
        IpAddress = e.Str("ipAddress"),
        Subnet = e.Str("subnet"),
        Port = e.Int32("port"),
        ReflexiveIPAddress = e.Str("reflexiveIPAddress"),
        RelayIPAddress = e.Str("relayIPAddress"),
        RelayPort = e.Int32("relayPort"),
        MacAddress = e.Str("macAddress"),
        DnsSuffix = e.Str("dnsSuffix"),
        LinkSpeed = e.Int64("linkSpeed"),
        NetworkTransportProtocol = e.Enum("networkTransportProtocol"),
        BasicServiceSetIdentifier = e.Str("basicServiceSetIdentifier"),
        WifiBand = e.Enum("wifiBand"),
        WifiBatteryCharge = e.Int32("wifiBatteryCharge"),
        WifiChannel = e.Int32("wifiChannel"),
        WifiMicrosoftDriver = e.Str("wifiMicrosoftDriver"),
        WifiMicrosoftDriverVersion = e.Str("wifiMicrosoftDriverVersion"),
        WifiRadioType = e.Enum("wifiRadioType"),
        WifiSignalStrength = e.Int32("wifiSignalStrength"),
        WifiVendorDriver = e.Str("wifiVendorDriver"),
        WifiVendorDriverVersion = e.Str("wifiVendorDriverVersion"),
        BandwidthLowEventRatio = e.Single("bandwidthLowEventRatio"),
        DelayEventRatio = e.Single("delayEventRatio"),
        ReceivedQualityEventRatio = e.Single("receivedQualityEventRatio"),
        SentQualityEventRatio = e.Single("sentQualityEventRatio"),
        TraceRouteHops = e.List("traceRouteHops", h => new CallRecordTraceRouteHop
        {
            HopCount = h.Int32("hopCount"),
            IpAddress = h.Str("ipAddress"),
            RoundTripTime = h.Duration("roundTripTime"),
        }),
    };

    public static CallRecordDevice MapDevice(JsonElement e) => new()
    {
        CaptureDeviceName = e.Str("captureDeviceName"),
        CaptureDeviceDriver = e.Str("captureDeviceDriver"),
        RenderDeviceName = e.Str("renderDeviceName"),
        RenderDeviceDriver = e.Str("renderDeviceDriver"),
        CaptureNotFunctioningEventRatio = e.Single("captureNotFunctioningEventRatio"),
        CpuInsufficentEventRatio = e.Single("cpuInsufficentEventRatio"),
        DeviceClippingEventRatio = e.Single("deviceClippingEventRatio"),
        DeviceGlitchEventRatio = e.Single("deviceGlitchEventRatio"),
        HowlingEventCount = e.Int32("howlingEventCount"),
        InitialSignalLevelRootMeanSquare = e.Single("initialSignalLevelRootMeanSquare"),
        LowSpeechLevelEventRatio = e.Single("lowSpeechLevelEventRatio"),
        LowSpeechToNoiseEventRatio = e.Single("lowSpeechToNoiseEventRatio"),
        MicGlitchRate = e.Single("micGlitchRate"),
        ReceivedNoiseLevel = e.Int32("receivedNoiseLevel"),
        ReceivedSignalLevel = e.Int32("receivedSignalLevel"),
        RenderMuteEventRatio = e.Single("renderMuteEventRatio"),
        RenderNotFunctioningEventRatio = e.Single("renderNotFunctioningEventRatio"),
        RenderZeroVolumeEventRatio = e.Single("renderZeroVolumeEventRatio"),
        SentNoiseLevel = e.Int32("sentNoiseLevel"),
        SentSignalLevel = e.Int32("sentSignalLevel"),
        SpeakerGlitchRate = e.Single("speakerGlitchRate"),
    };

    /// <summary>organizer_v2 names the organizer by identity: marks the participant entries that carry the same one.</summary>
    public static void MarkOrganizer(IEnumerable<CallRecordParticipant> participants, CallRecordIdentity organizer)
    {
        foreach (var p in participants)
            if (p.Identity is { } i && string.Equals(i.Id, organizer.Id, StringComparison.OrdinalIgnoreCase) && string.Equals(i.Kind, organizer.Kind, StringComparison.OrdinalIgnoreCase))
                p.IsOrganizer = true;
    }
}
