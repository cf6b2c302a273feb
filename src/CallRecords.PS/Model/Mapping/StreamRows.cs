using System.Collections.Generic;
using CallRecords.Quality;

namespace CallRecords.Models.Mapping;

/// <summary>
/// Flattens mapped sessions/segments (never the JSON again) into <see cref="CallRecordStream"/> rows, one per media
/// stream per segment, in document order, each classified by <see cref="StreamClassifier"/>; the stream's metrics
/// are copied through the one table of them, <see cref="StreamMetrics"/>.
/// </summary>
internal static class StreamRows
{
    public static IEnumerable<CallRecordStream> FromSessions(IEnumerable<CallRecordSession> sessions)
    {
        foreach (var session in sessions)
            foreach (var row in FromSegments(session.Segments ?? ModelList<CallRecordSegment>.Empty))
                yield return row;
    }

    public static IEnumerable<CallRecordStream> FromSegments(IEnumerable<CallRecordSegment> segments)
    {
        foreach (var segment in segments)
            foreach (var media in segment.Media)
                foreach (var stream in media.Streams)
                    yield return Row(segment, media, stream);
    }

    public static CallRecordStream Row(CallRecordSegment segment, CallRecordMedia media, CallRecordMediaStream s)
    {
        var kind = StreamClassifier.KindOf(media.Label, s);
        var quality = StreamClassifier.Classify(kind, s);
        var start = s.StartDateTime ?? segment.StartDateTime;
        var end = s.EndDateTime ?? segment.EndDateTime;
        var callerName = segment.CallerName;
        var calleeName = segment.CalleeName;
        var fromCallee = string.Equals(s.StreamDirection, "calleeToCaller", System.StringComparison.OrdinalIgnoreCase);
        var row = new CallRecordStream
        {
            CallRecordId = segment.CallRecordId,
            SessionId = segment.SessionId,
            SegmentId = segment.Id,
            StartDateTime = start,
            EndDateTime = end,
            Duration = start is { } a && end is { } b && b >= a ? b - a : null,
            Quality = quality.Quality,
            PoorReasons = quality.PoorReasons,
            StreamKind = kind,
            MediaLabel = media.Label,
            StreamId = s.StreamId,
            StreamDirection = s.StreamDirection,
            SenderName = fromCallee ? calleeName : callerName,
            ReceiverName = fromCallee ? callerName : calleeName,
            CallerName = callerName,
            CalleeName = calleeName,
        };
        StreamMetrics.Copy(s, row);
        Endpoint(segment.Caller, out var ck, out var cid, out var cupn, out var cplat, out var cfam, out var cua);
        row.CallerKind = ck; row.CallerId = cid; row.CallerUserPrincipalName = cupn; row.CallerPlatform = cplat; row.CallerProductFamily = cfam; row.CallerUserAgent = cua;
        Endpoint(segment.Callee, out ck, out cid, out cupn, out cplat, out cfam, out cua);
        row.CalleeKind = ck; row.CalleeId = cid; row.CalleeUserPrincipalName = cupn; row.CalleePlatform = cplat; row.CalleeProductFamily = cfam; row.CalleeUserAgent = cua;
        if (media.CallerNetwork is { } cn)
        {
            row.CallerConnectionType = cn.ConnectionType; row.CallerWifiBand = cn.WifiBand; row.CallerWifiSignalStrength = cn.WifiSignalStrength;
            row.CallerIpAddress = cn.IpAddress; row.CallerSubnet = cn.Subnet; row.CallerReflexiveIPAddress = cn.ReflexiveIPAddress;
            row.CallerRelayIPAddress = cn.RelayIPAddress; row.CallerLinkSpeed = cn.LinkSpeed; row.CallerNetworkTransportProtocol = cn.NetworkTransportProtocol;
        }
        if (media.CalleeNetwork is { } en)
        {
            row.CalleeConnectionType = en.ConnectionType; row.CalleeWifiBand = en.WifiBand; row.CalleeWifiSignalStrength = en.WifiSignalStrength;
            row.CalleeIpAddress = en.IpAddress; row.CalleeSubnet = en.Subnet; row.CalleeReflexiveIPAddress = en.ReflexiveIPAddress;
            row.CalleeRelayIPAddress = en.RelayIPAddress; row.CalleeLinkSpeed = en.LinkSpeed; row.CalleeNetworkTransportProtocol = en.NetworkTransportProtocol;
        }
        row.CallerCaptureDeviceName = media.CallerDevice?.CaptureDeviceName;
        row.CallerRenderDeviceName = media.CallerDevice?.RenderDeviceName;
        row.CalleeCaptureDeviceName = media.CalleeDevice?.CaptureDeviceName;
        row.CalleeRenderDeviceName = media.CalleeDevice?.RenderDeviceName;
        return row;
    }

    private static void Endpoint(CallRecordEndpoint? e, out string? kind, out string? id, out string? upn, out string? platform, out string? family, out string? agent)
    {
        kind = e?.Identity?.Kind ?? (e?.Kind == "service" ? "service" : null);
        id = e?.Identity?.Id;
        upn = e?.Identity?.UserPrincipalName;
        platform = e?.UserAgent?.Platform;
        family = e?.UserAgent?.ProductFamily ?? e?.UserAgent?.Role;
        agent = e?.UserAgent?.HeaderValue;
    }
}
