using System;
using System.Collections.Generic;

namespace CallRecords.Models.Mapping;

/// <summary>
/// Enum values arrive with unreliable casing; known members are normalised to the schema's spelling, unknown ones
/// (members Graph adds later) are kept exactly as sent so nothing fails and nothing is lost.
/// </summary>
internal static class GraphEnums
{
    private static readonly Dictionary<string, string> Known = Build(
        // callType, modality, failureStage, mediaStreamDirection, networkConnectionType, networkTransportProtocol,
        // productFamily, clientPlatform, serviceRole, userFeedbackRating, wifiBand, wifiRadioType, audioCodec,
        // videoCodec, endpointType (v1.0 CSDL)
        "unknown", "groupCall", "peerToPeer", "unknownFutureValue",
        "audio", "video", "videoBasedScreenSharing", "data", "screenSharing",
        "callSetup", "midcall", "callerToCallee", "calleeToCaller",
        "wired", "wifi", "mobile", "tunnel", "udp", "tcp",
        "teams", "skypeForBusiness", "lync", "teamsForBusiness", "azureCommunicationServices",
        "windows", "macOS", "iOS", "android", "web", "ipPhone", "roomSystem", "surfaceHub", "holoLens",
        "customBot", "skypeForBusinessMicrosoftTeamsGateway", "skypeForBusinessAudioVideoMcu",
        "skypeForBusinessApplicationSharingMcu", "skypeForBusinessCallQueues", "skypeForBusinessAutoAttendant",
        "mediationServer", "mediationServerCloudConnectorEdition", "exchangeUnifiedMessagingService", "mediaController",
        "conferencingAnnouncementService", "conferencingAttendant", "audioTeleconferencerController",
        "skypeForBusinessUnifiedCommunicationApplicationPlatform", "responseGroupServiceAnnouncementService",
        "gateway", "skypeTranslator", "skypeForBusinessAttendant", "responseGroupService", "voicemail",
        "notRated", "veryBad", "bad", "fair", "good", "excellent",
        "frequency24GHz", "frequency50GHz", "frequency60GHz",
        "wifi80211a", "wifi80211b", "wifi80211g", "wifi80211n", "wifi80211ac", "wifi80211ax",
        "invalid", "cn", "pcma", "pcmu", "amrWide", "g722", "g7221", "g7221c", "g729", "multiChannelAudio", "muchv2",
        "opus", "satin", "satinFullband", "rtAudio8", "rtAudio16", "silk", "silkNarrow", "silkWide", "siren",
        "xmsRta", "h264", "h263", "h261", "xrtvc1", "xrtvc2", "xH264uc", "av1", "rtVideo", "rtvc1",
        "default", "skypeForBusinessVoipPhone", "callee", "caller", "seconds");

    private static Dictionary<string, string> Build(params string[] names)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in names) d[n] = n;
        return d;
    }

    public static string? Normalize(string? value) =>
        value is null ? null : Known.TryGetValue(value, out var canonical) ? canonical : value;
}
