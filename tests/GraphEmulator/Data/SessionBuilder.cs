using System.Text.Json.Nodes;

namespace GraphEmulator.Data;

/// <summary>Builds the sessions → segments → media → streams tree of one record. Every stream's quality class is
/// decided first and the metrics are then drawn to match it, so the classes are ground truth, not a re-derivation.</summary>
internal sealed class SessionBuilder
{
    // Poor values sit far past the CQD thresholds and Good values far inside them, so float rounding on the way
    // through JSON can never move a stream across a line.
    private static readonly string[] AudioReasons =
    [
        PoorReasons.AverageAudioDegradation, PoorReasons.AverageRoundTripTime, PoorReasons.AveragePacketLossRate,
        PoorReasons.AverageJitter, PoorReasons.AverageRatioOfConcealedSamples,
    ];

    private static readonly string[] VideoReasons =
    [
        PoorReasons.AverageVideoFrameLossPercentage, PoorReasons.AverageVideoFrameRate,
        PoorReasons.PostForwardErrorCorrectionPacketLossRate,
    ];

    private static readonly string[] AudioClassifying =
        ["averageAudioDegradation", "averageJitter", "averagePacketLossRate", "averageRoundTripTime", "averageRatioOfConcealedSamples"];

    private static readonly string[] VideoClassifying =
        ["averageVideoFrameLossPercentage", "averageReceivedFrameRate", "averageVideoFrameRate", "postForwardErrorCorrectionPacketLossRate"];

    private static readonly (string Platform, string Family, string Header, string Version)[] Clients =
    [
        ("windows", "teams", "CallSignalingAgent (49/24041223820//;release_ring3_6;Windows)", "49/24041223820"),
        ("windows", "teams", "CallSignalingAgent (49/24091214813//;release_ring3_6;Windows)", "49/24091214813"),
        ("macOS", "teams", "CallSignalingAgent (49/24070119710//;release_ring3_6;macOS)", "49/24070119710"),
        ("web", "teams", "CallSignalingAgent (49/24041223820//;release_webclient;Chrome 124)", "49/24041223820"),
        ("iOS", "teams", "CallSignalingAgent (1415/6.9.0//;release;iPhone 15)", "1415/6.9.0"),
        ("android", "teams", "CallSignalingAgent (1415/1416/1.0.0.2024082101//;release;SM-S918B Android 14)", "1416/1.0.0.2024082101"),
        ("roomSystem", "teams", "CallSignalingAgent (1425/1.0.0//;release;Teams Rooms on Windows)", "1425/1.0.0"),
        ("ipPhone", "teams", "CallSignalingAgent (1420/1449/1.6.0.1//;release;Yealink MP56)", "1449/1.6.0.1"),
        ("surfaceHub", "teams", "CallSignalingAgent (1425/1.0.0//;release;Surface Hub 2S)", "1425/1.0.0"),
        ("android", "skypeForBusiness", "RTCC/7.0.0.0 UCWA/7.0.0.0 AndroidLync/6.25.0.27 (SM-G930U Android 8.0.0)", "6.25.0.27"),
        ("windows", "skypeForBusiness", "UCCAPI/16.0.12527.20122 OC/16.0.12527.20194 (Skype for Business)", "16.0.12527.20194"),
    ];

    private static readonly string[] Cpus =
    [
        "Intel(R) Core(TM) i7-1185G7 @ 3.00GHz", "Intel(R) Core(TM) i5-10310U CPU @ 1.70GHz", "Apple M2",
        "AMD Ryzen 7 PRO 5850U with Radeon Graphics", "Qualcomm Snapdragon 8 Gen 2",
    ];

    private static readonly (string Capture, string Render, string? Driver)[] Devices =
    [
        ("Default input device", "Default output device", null),
        ("Microphone (Microsoft Virtual Audio Device (Simple) (WDM))", "Speakers (Microsoft Virtual Audio Device (Simple) (WDM))", "Microsoft: 5.0.8638.1100"),
        ("Headset Microphone (Jabra Evolve2 65)", "Headset Earphone (Jabra Evolve2 65)", "Microsoft: 10.0.22621.1"),
        ("Microphone Array (Realtek(R) Audio)", "Speakers (Realtek(R) Audio)", "Realtek Semiconductor Corp.: 6.0.9239.1"),
        ("MacBook Pro Microphone", "MacBook Pro Speakers", null),
        ("Echo Cancelling Speakerphone (Poly Sync 20)", "Echo Cancelling Speakerphone (Poly Sync 20)", "Microsoft: 10.0.22621.1"),
    ];

    private static readonly (string Stage, string Reason)[] Failures =
    [
        ("callSetup", "UserDeclined"), ("callSetup", "MediaConnectivityFailure"), ("midcall", "NetworkDisconnect"),
        ("midcall", "Unexpected"), ("callSetup", "Unknown"),
    ];

    private readonly EmulatorDataSet _set;
    private readonly RecordPlan _plan;
    private readonly List<StreamTruth>? _truths;
    private readonly int _seed;

    internal SessionBuilder(EmulatorDataSet set, RecordPlan plan, List<StreamTruth>? truths)
    {
        _set = set;
        _plan = plan;
        _truths = truths;
        _seed = set.Options.Seed;
    }

    internal JsonArray Build()
    {
        var sessions = new JsonArray();
        for (var s = 0; s < _plan.SessionCount; s++) sessions.Add(BuildSession(s));
        return sessions;
    }

    private JsonObject BuildSession(int s)
    {
        var p = _plan;
        var r = Det.Rng(_seed, Det.SessionBody, p.Index, s);
        var n = p.Participants.Length;
        var callerSlot = p.Type == "groupCall" ? s % n : p.Type == "peerToPeer" && s == 1 && n > 1 ? 1 : 0;
        int? calleeSlot = p.Type == "groupCall" || n < 2 ? null : callerSlot == 0 ? 1 : 0;

        var duration = p.End - p.Start;
        DateTimeOffset start, end;
        if (p.Type == "groupCall")
        {
            start = p.Start + duration * r.Range(0, 0.25);
            end = p.End - duration * r.Range(0, 0.25);
        }
        else if (s == 1)
        {
            start = p.Start + duration * r.Range(0.3, 0.6);
            end = p.End;
        }
        else
        {
            start = p.Start;
            end = p.End;
        }
        if (s == 0) start = p.Start; // the first session opens the call

        var modalities = s == 0
            ? p.Modalities
            : p.Modalities.Where(m => m == "audio" || r.Chance(0.5)).ToArray();
        if (modalities.Count == 0) modalities = [p.Modalities[0]]; // a call without audio: a session has at least one
        var sessionId = s == 0 && p.Type == "peerToPeer" ? p.Id : Det.Guid(_seed, Det.SessionId, p.Index, s);
        (string Stage, string Reason)? failure = r.Chance(0.03) ? r.Pick(Failures) : null;

        var session = new JsonObject
        {
            ["id"] = sessionId,
            ["modalities"] = new JsonArray(modalities.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["startDateTime"] = Det.Time(start),
            ["endDateTime"] = Det.Time(end),
            ["isTest"] = r.Chance(0.005),
            ["caller"] = Endpoint(callerSlot, typedIdentity: true, withFeedback: r.Chance(0.06), r),
            ["callee"] = calleeSlot is { } cs ? Endpoint(cs, typedIdentity: false, withFeedback: false, r) : ServiceEndpoint(p.Type, r),
        };
        if (failure is { } f) session["failureInfo"] = new JsonObject { ["stage"] = f.Stage, ["reason"] = f.Reason };

        var segments = new JsonArray();
        var segmentCount = !p.Large && p.Type == "peerToPeer" && r.Chance(0.2) ? 2 : 1;
        var cut = start + (end - start) * r.Range(0.3, 0.7);
        for (var g = 0; g < segmentCount; g++)
        {
            var segStart = g == 0 ? start : cut;
            var segEnd = segmentCount == 1 || g == 1 ? end : cut;
            var segmentId = s == 0 && g == 0 && p.Type == "peerToPeer" ? p.Id : Det.Guid(_seed, Det.SegmentId, p.Index, s * 16L + g);
            var segment = new JsonObject
            {
                ["startDateTime"] = Det.Time(segStart),
                ["endDateTime"] = Det.Time(segEnd),
                ["id"] = segmentId,
                ["caller"] = Endpoint(callerSlot, typedIdentity: false, withFeedback: false, r),
                ["callee"] = calleeSlot is { } cs2 ? Endpoint(cs2, typedIdentity: false, withFeedback: false, r) : ServiceEndpoint(p.Type, r),
            };
            if (failure is { } sf && g == segmentCount - 1)
                segment["failureInfo"] = new JsonObject { ["stage"] = sf.Stage, ["reason"] = sf.Reason };
            var media = new JsonArray();
            // Very short calls send no QoE report: every stream is Unclassified.
            var tooShort = segEnd - segStart < TimeSpan.FromSeconds(15);
            foreach (var modality in modalities)
            {
                var (label, kind) = modality switch
                {
                    "audio" => ("main-audio", StreamKinds.Audio),
                    "video" => ("main-video", StreamKinds.Video),
                    "videoBasedScreenSharing" => ("applicationsharing-video", StreamKinds.VideoBasedScreenSharing),
                    "data" => ("data", StreamKinds.Other),
                    _ => (null, null),
                };
                if (label is null || kind is null) continue; // RDP-based screenSharing carries no media entry
                media.Add(Media(r, label, kind, calleeSlot is not null, sessionId, segmentId, segStart, segEnd, tooShort));
            }
            segment["media"] = media;
            segments.Add(segment);
        }
        session["segments"] = segments;
        return session;
    }

    private JsonObject Endpoint(int slot, bool typedIdentity, bool withFeedback, Random r)
    {
        var participant = _plan.Participants[slot];
        // The device profile depends on (record, participant) only, so a participant looks the same in every
        // session and segment of the call.
        var pr = Det.Rng(_seed, Det.RecordBody, _plan.Index, slot);
        var client = pr.Pick(Clients);
        var family = client.Family;
        string? communicationServiceId = null;
        if (participant.Kind == ParticipantKind.AcsUser)
        {
            client = ("web", "azureCommunicationServices", "azure-communication-services/1.24.1 (Chrome 124)", "1.24.1");
            family = "azureCommunicationServices";
            communicationServiceId = Det.Guid(_seed, Det.Acs, 0);
        }
        else if (participant.Kind == ParticipantKind.Phone)
        {
            client = ("unknown", "unknown", "Microsoft.PSTNHub.SIPProxy v.2024.9.12.1", "2024.9.12.1");
            family = "unknown";
        }
        var endpoint = new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.callRecords.participantEndpoint",
            ["userAgent"] = new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.callRecords.clientUserAgent",
                ["headerValue"] = client.Header,
                ["applicationVersion"] = client.Version,
                ["platform"] = client.Platform,
                ["productFamily"] = family,
                ["azureADAppId"] = family == "teams" ? "1fec8e78-bce4-4aaf-ab1b-5451cc387264" : null,
                ["communicationServiceId"] = communicationServiceId,
            },
            ["identity"] = IdentityJson.EndpointSet(participant, typedIdentity),
            ["name"] = participant.Kind == ParticipantKind.Phone ? null : $"{client.Platform}-{slot:D3}",
            ["cpuName"] = participant.Kind == ParticipantKind.Phone ? null : pr.Pick(Cpus),
            ["cpuCoresCount"] = participant.Kind == ParticipantKind.Phone ? null : (JsonNode)(2 << pr.Next(4)),
            ["cpuProcessorSpeedInMhz"] = participant.Kind == ParticipantKind.Phone ? null : (JsonNode)(1700 + 100 * pr.Next(20)),
        };
        if (withFeedback)
        {
            var noisy = r.Chance(0.5);
            endpoint["feedback"] = new JsonObject
            {
                ["rating"] = r.Pick(new[] { "excellent", "good", "fair", "poor", "bad" }),
                ["text"] = null,
                ["tokens"] = new JsonObject
                {
                    ["NoSound"] = false, ["OtherNoSound"] = false, ["Echo"] = r.Chance(0.2), ["Noisy"] = noisy,
                    ["LowVolume"] = false, ["Stopped"] = false, ["DistortedSound"] = !noisy && r.Chance(0.3), ["Interruptions"] = r.Chance(0.2),
                },
            };
        }
        return endpoint;
    }

    private static JsonObject ServiceEndpoint(string callType, Random r)
    {
        // The CSDL serviceRole enum has no "conferencingServer"; meetings go through the audio/video MCU.
        var (role, header) = callType == "groupCall"
            ? ("skypeForBusinessAudioVideoMcu", "av-mcu")
            : r.Chance(0.5) ? ("voicemail", "Microsoft.Skype.Voicemail") : ("skypeForBusinessAutoAttendant", "Microsoft.Skype.AutoAttendant");
        return new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.callRecords.serviceEndpoint",
            ["userAgent"] = new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph.callRecords.serviceUserAgent",
                ["headerValue"] = header,
                ["applicationVersion"] = "2024.9.1.3",
                ["role"] = role,
            },
        };
    }

    private JsonObject Media(Random r, string label, string kind, bool peer, string sessionId, string segmentId,
        DateTimeOffset start, DateTimeOffset end, bool tooShort)
    {
        var media = new JsonObject
        {
            ["label"] = label,
            ["callerNetwork"] = Network(r, server: false),
            ["calleeNetwork"] = Network(r, server: !peer),
            ["callerDevice"] = kind == StreamKinds.Audio ? Device(r) : null,
            ["calleeDevice"] = kind == StreamKinds.Audio && peer ? Device(r) : null,
        };
        var streams = new JsonArray();
        foreach (var direction in new[] { "callerToCallee", "calleeToCaller" })
        {
            string quality;
            string? reason = null;
            var u = r.NextDouble();
            if (tooShort || kind == StreamKinds.Other || u < 0.07) quality = StreamQualities.Unclassified;
            else if (u < 0.25)
            {
                quality = StreamQualities.Poor;
                reason = r.Pick(kind == StreamKinds.Audio ? AudioReasons : VideoReasons);
            }
            else quality = StreamQualities.Good;
            var streamId = r.Next(100_000_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
            streams.Add(Stream(r, streamId, direction, kind, quality, reason, start, end));
            _truths?.Add(new StreamTruth(_plan.Id, sessionId, segmentId, streamId, label, direction, kind, quality, reason));
        }
        media["streams"] = streams;
        return media;
    }

    private static JsonObject Stream(Random r, string streamId, string direction, string kind, string quality,
        string? reason, DateTimeOffset start, DateTimeOffset end)
    {
        var audio = kind == StreamKinds.Audio;
        var video = kind is StreamKinds.Video or StreamKinds.VideoBasedScreenSharing;
        bool Is(string name) => reason == name;

        // Network metrics every media type reports; they only classify audio, so they stay benign on video.
        var jitterMs = audio && Is(PoorReasons.AverageJitter) ? r.Next(45, 141) : r.Next(2, 19);
        var rttMs = audio && Is(PoorReasons.AverageRoundTripTime) ? r.Next(700, 1601) : r.Next(20, 251);
        var loss = audio && Is(PoorReasons.AveragePacketLossRate) ? r.Range(0.16, 0.45) : r.Range(0, 0.03);
        var degradation = Is(PoorReasons.AverageAudioDegradation) ? r.Range(1.6, 3.8) : r.Range(0.05, 0.7);
        var concealed = Is(PoorReasons.AverageRatioOfConcealedSamples) ? r.Range(0.11, 0.35) : r.Range(0, 0.03);

        var screen = kind == StreamKinds.VideoBasedScreenSharing;
        var frameLoss = Is(PoorReasons.AverageVideoFrameLossPercentage) ? r.Range(58, 92) : r.Range(0, 12);
        var fps = Is(PoorReasons.AverageVideoFrameRate)
            ? (screen ? r.Range(0.1, 1.2) : r.Range(0.5, 5))
            : (screen ? r.Range(4, 15) : r.Range(18, 30));
        var postFec = Is(PoorReasons.PostForwardErrorCorrectionPacketLossRate) ? r.Range(0.2, 0.45) : r.Range(0, 0.04);
        // CQD decides video and VBSS by the first available metric (frame loss, frame rate, post-FEC loss): a stream
        // designed Poor by its frame rate reports no frame loss, one designed Poor by post-FEC loss reports neither
        // frame loss nor a frame rate. Some Good streams carry a post-FEC loss past its line that CQD never reaches
        // (their frame loss decides), taken from draws already made so every other value stays as it was.
        var byFrameRate = Is(PoorReasons.AverageVideoFrameRate);
        var byPostFec = Is(PoorReasons.PostForwardErrorCorrectionPacketLossRate);
        if (video && quality == StreamQualities.Good && frameLoss < 1.0) postFec = 0.2 + frameLoss * 0.1;

        var bandwidth = video ? r.NextInt64(800_000, 6_000_000_000) : r.NextInt64(60_000, 20_000_000);
        var s = new JsonObject
        {
            ["streamId"] = streamId,
            ["streamDirection"] = direction,
            // Graph leaves averageAudioDegradation null on some healthy audio streams (see the v1.0 sample).
            ["averageAudioDegradation"] = audio && (reason is not null || r.Chance(0.85)) ? Det.Single(degradation) : null,
            ["averageJitter"] = Det.Duration(jitterMs),
            ["maxJitter"] = Det.Duration(jitterMs + r.Next(1, 20)),
            ["averagePacketLossRate"] = Det.Single(loss, 8),
            ["maxPacketLossRate"] = Det.Single(Math.Min(1, loss + r.Range(0, 0.05)), 8),
            ["averageRatioOfConcealedSamples"] = audio ? Det.Single(concealed, 8) : null,
            ["maxRatioOfConcealedSamples"] = audio ? Det.Single(Math.Min(1, concealed + r.Range(0, 0.04)), 8) : null,
            ["averageRoundTripTime"] = Det.Duration(rttMs),
            ["maxRoundTripTime"] = Det.Duration(rttMs + r.Next(5, 120)),
            ["packetUtilization"] = r.NextInt64(20, 200_000),
            ["averageBandwidthEstimate"] = bandwidth,
            ["wasMediaBypassed"] = false,
            ["averageAudioNetworkJitter"] = audio ? Det.Duration(r.Next(10, 60)) : null,
            ["maxAudioNetworkJitter"] = audio ? Det.Duration(r.Next(60, 480)) : null,
            ["audioCodec"] = audio ? r.Pick(new[] { "satin", "opus", "silkWide", "g722", "satinFullband" }) : null,
            ["isAudioForwardErrorCorrectionUsed"] = audio ? r.Chance(0.3) : null,
            ["averageVideoFrameLossPercentage"] = video && !byFrameRate && !byPostFec ? Det.Single(frameLoss, 4) : null,
            ["averageReceivedFrameRate"] = video && !byPostFec ? Det.Single(fps, 4) : null,
            // Graph documents both as received frame rates; they agree here so either field classifies the same.
            // (The factor is drawn for every video stream, so the draws that follow stay in place.)
            ["averageVideoFrameRate"] = video ? Keep(!byPostFec, Det.Single(fps * r.Range(0.97, 1.0), 4)) : null,
            ["lowFrameRateRatio"] = video ? Det.Single(Is(PoorReasons.AverageVideoFrameRate) ? r.Range(0.5, 1) : r.Range(0, 0.1)) : null,
            ["averageVideoPacketLossRate"] = video ? Det.Single(r.Range(0, 0.03), 8) : null,
            ["lowVideoProcessingCapabilityRatio"] = video ? Det.Single(r.Range(0, 0.1)) : null,
            ["postForwardErrorCorrectionPacketLossRate"] = video ? Det.Single(postFec, 8) : null,
            ["averageFreezeDuration"] = video ? Det.Duration(r.Next(0, 400)) : null,
            ["rmsFreezeDuration"] = video ? Det.Duration(r.Next(0, 600)) : null,
            ["videoCodec"] = video ? r.Pick(new[] { "h264", "h264s", "av1", "xrtvc1", "h264uc" }) : null,
            ["startDateTime"] = Det.Time(start),
            ["endDateTime"] = Det.Time(end),
        };

        if (kind == StreamKinds.Other)
        {
            foreach (var k in AudioClassifying.Concat(VideoClassifying)) s[k] = null;
        }
        else if (quality == StreamQualities.Unclassified)
        {
            // No QoE report: the classifying metrics are missing — sometimes as nulls, sometimes as absent keys.
            var remove = r.Chance(0.5);
            foreach (var k in audio ? AudioClassifying : VideoClassifying)
            {
                if (remove) s.Remove(k);
                else s[k] = null;
            }
        }
        return s;
    }

    private static double? Keep(bool keep, double value) => keep ? value : null;

    private static readonly long[] WiredSpeeds = [100_000_000, 1_000_000_000, 4_294_967_295, 10_000_000_000];
    private static readonly long[] WifiSpeeds = [54_000_000, 144_400_000, 300_000_000, 866_700_000, 2_402_000_000];

    private static JsonObject Network(Random r, bool server)
    {
        var u = r.NextDouble();
        var type = server ? "wired" : u < 0.45 ? "wired" : u < 0.85 ? "wifi" : u < 0.93 ? "mobile" : u < 0.97 ? "tunnel" : "unknown";
        var wifi = type == "wifi";
        long? speed = type switch
        {
            "wired" => r.Pick(WiredSpeeds),
            "wifi" => r.Pick(WifiSpeeds),
            "mobile" => 50_000_000,
            _ => null,
        };
        var privateIp = server ? $"52.114.{r.Next(0, 256)}.{r.Next(1, 255)}" : $"10.{r.Next(0, 256)}.{r.Next(0, 256)}.{r.Next(1, 255)}";
        var hops = new JsonArray();
        if (!server && r.Chance(0.1))
        {
            var hopCount = r.Next(2, 6);
            for (var h = 1; h <= hopCount; h++)
                hops.Add(new JsonObject { ["hopCount"] = h, ["ipAddress"] = $"10.{h}.0.1", ["roundTripTime"] = Det.Duration(h * r.Next(1, 15)) });
        }
        return new JsonObject
        {
            ["ipAddress"] = privateIp,
            ["subnet"] = server ? null : privateIp[..privateIp.LastIndexOf('.')] + ".0",
            ["linkSpeed"] = speed,
            ["connectionType"] = type,
            ["port"] = r.Next(1024, 65536),
            ["reflexiveIPAddress"] = server ? null : $"{r.Next(20, 200)}.{r.Next(0, 256)}.{r.Next(0, 256)}.{r.Next(1, 255)}",
            ["relayIPAddress"] = server ? null : $"52.114.188.{r.Next(1, 255)}",
            ["relayPort"] = server ? null : r.Next(3478, 53900),
            ["macAddress"] = server ? null : "00-00-00-00-00-00",
            ["dnsSuffix"] = null,
            ["sentQualityEventRatio"] = Det.Single(r.Chance(0.8) ? 0 : r.Range(0, 0.4), 2),
            ["receivedQualityEventRatio"] = Det.Single(r.Chance(0.8) ? 0 : r.Range(0, 0.4), 2),
            ["delayEventRatio"] = Det.Single(r.Chance(0.9) ? 0 : r.Range(0, 0.2), 2),
            ["bandwidthLowEventRatio"] = Det.Single(r.Chance(0.9) ? 0 : r.Range(0, 0.2), 2),
            ["basicServiceSetIdentifier"] = wifi ? "00-00-00-00-00-00" : null,
            ["networkTransportProtocol"] = r.Chance(0.93) ? "udp" : "tcp",
            ["wifiBand"] = wifi ? r.Pick(new[] { "frequency24GHz", "frequency50GHz", "frequency60GHz" }) : "unknown",
            ["wifiChannel"] = wifi ? r.Pick(new[] { 1, 6, 11, 36, 44, 149 }) : null,
            ["wifiRadioType"] = wifi ? r.Pick(new[] { "wifi80211n", "wifi80211ac", "wifi80211ax" }) : "unknown",
            ["wifiSignalStrength"] = wifi ? r.Next(30, 100) : null,
            ["wifiBatteryCharge"] = wifi ? r.Next(5, 101) : null,
            ["wifiMicrosoftDriver"] = wifi ? "Microsoft" : null,
            ["wifiMicrosoftDriverVersion"] = wifi ? "10.0.22621.1" : null,
            ["wifiVendorDriver"] = wifi ? "Intel(R) Wi-Fi 6E AX211 160MHz" : null,
            ["wifiVendorDriverVersion"] = wifi ? "22.250.1.2" : null,
            ["traceRouteHops"] = hops,
        };
    }

    private static JsonObject Device(Random r)
    {
        var d = r.Pick(Devices);
        return new JsonObject
        {
            ["captureDeviceName"] = d.Capture,
            ["captureDeviceDriver"] = d.Driver,
            ["renderDeviceName"] = d.Render,
            ["renderDeviceDriver"] = d.Driver,
            ["receivedSignalLevel"] = -r.Next(5, 30),
            ["receivedNoiseLevel"] = -r.Next(60, 95),
            ["sentSignalLevel"] = -r.Next(5, 30),
            ["sentNoiseLevel"] = -r.Next(60, 95),
            ["initialSignalLevelRootMeanSquare"] = Det.Single(r.Range(20, 200), 4),
            ["renderZeroVolumeEventRatio"] = Det.Single(r.Chance(0.95) ? 0 : 1, 2),
            ["renderMuteEventRatio"] = Det.Single(r.Chance(0.95) ? 0 : 1, 2),
            ["micGlitchRate"] = Det.Single(r.Range(0, 200), 0),
            ["speakerGlitchRate"] = Det.Single(r.Range(0, 4000), 0),
            ["captureNotFunctioningEventRatio"] = 0.0,
            ["renderNotFunctioningEventRatio"] = 0.0,
            ["cpuInsufficentEventRatio"] = Det.Single(r.Chance(0.9) ? 0 : r.Range(0, 0.3), 2),
            ["deviceClippingEventRatio"] = Det.Single(r.Chance(0.9) ? 0 : r.Range(0, 0.2), 2),
            ["deviceGlitchEventRatio"] = Det.Single(r.Chance(0.9) ? 0 : r.Range(0, 0.2), 2),
            ["howlingEventCount"] = r.Chance(0.97) ? 0 : r.Next(1, 5),
            ["lowSpeechLevelEventRatio"] = Det.Single(r.Chance(0.9) ? 0 : r.Range(0, 0.3), 2),
            ["lowSpeechToNoiseEventRatio"] = Det.Single(r.Chance(0.9) ? 0 : r.Range(0, 0.3), 2),
        };
    }
}
