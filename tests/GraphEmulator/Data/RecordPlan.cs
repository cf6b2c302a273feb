namespace GraphEmulator.Data;

internal enum ParticipantKind { User, Guest, Phone, AcsUser, SpoolUser, ApplicationInstance, Application }

internal sealed record PlannedParticipant(ParticipantKind Kind, string Id, string? DisplayName, string? UserPrincipalName,
    string? TenantId, string? AdministrativeUnitId, string? Email);

/// <summary>Everything about one record that the index needs (times, type, who took part, how many sessions).
/// Computed from (seed, index) alone, so Generate and every Build* call agree without storing it.</summary>
internal sealed class RecordPlan
{
    internal required int Index { get; init; }
    internal required string Id { get; init; }
    internal required DateTimeOffset Start { get; init; }
    internal required DateTimeOffset End { get; init; }
    internal required DateTimeOffset LastModified { get; init; }
    internal required long Version { get; init; }
    internal required string Type { get; init; }
    internal required bool Large { get; init; }
    internal required IReadOnlyList<string> Modalities { get; init; }
    internal required PlannedParticipant[] Participants { get; init; }
    internal required int SessionCount { get; init; }
    internal required string? JoinWebUrl { get; init; }

    // Modalities in the order of the CSDL enum, which is how Graph lists them.
    internal static readonly string[] ModalityOrder = ["audio", "video", "videoBasedScreenSharing", "data", "screenSharing"];

    private static readonly string[] AppInstances = ["Contoso Main Auto Attendant", "Contoso Helpdesk Call Queue", "Contoso Reception"];
    private static readonly string[] Apps = ["Contoso Compliance Recorder", "Contoso Meeting Bot"];

    /// <summary>Share of (not large) records without audio.</summary>
    internal const double NoAudioShare = 0.06;

    internal static readonly TimeSpan ReadyDelay = TimeSpan.FromMinutes(15);
    internal static readonly TimeSpan MaxDuration = TimeSpan.FromHours(3);

    internal static RecordPlan Create(EmulatorDataSet set, int index)
    {
        var o = set.Options;
        var r = Det.Rng(o.Seed, Det.RecordPlan, index);
        var forcedLarge = set.IsForcedLarge(index);
        var type = forcedLarge ? "groupCall" : PickType(r);
        var large = forcedLarge || (type == "groupCall" && r.Chance(1.0 / 300));

        var start = set.RecordStart(index);
        double seconds;
        if (large) seconds = r.Range(45 * 60, 150 * 60);
        else if (type == "groupCall") seconds = r.Range(5 * 60, 120 * 60);
        else seconds = r.Chance(0.06) ? r.Range(2, 12) : r.Range(15, 45 * 60);
        var end = start + TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
        var latest = o.Now - ReadyDelay - TimeSpan.FromSeconds(1);
        if (end > latest) end = latest > start ? latest : start + TimeSpan.FromSeconds(1);

        // Re-issued records (late telemetry) carry a higher version and a later lastModifiedDateTime.
        var version = r.Chance(0.2) ? 2L + r.Next(3) : 1L;
        var lastModified = end + ReadyDelay + TimeSpan.FromSeconds(r.Range(0, 45 * 60));
        if (version > 1) lastModified += TimeSpan.FromMinutes(r.Range(30, 600));
        if (lastModified > o.Now) lastModified = o.Now;
        lastModified = new DateTimeOffset(lastModified.Ticks - lastModified.Ticks % 10, TimeSpan.Zero); // 6 digits, as the samples

        var modalities = new List<string> { "audio" };
        var group = type == "groupCall";
        if (r.Chance(group ? 0.45 : 0.2)) modalities.Add("video");
        if (r.Chance(group ? 0.3 : 0.08)) modalities.Add("videoBasedScreenSharing");
        if (group && r.Chance(0.05)) modalities.Add("data");
        if (r.Chance(0.04)) modalities.Add("screenSharing");
        // Some calls carry no audio at all (a screen share joined without a microphone), so a -Modality audio filter
        // has something to leave out. Drawn from its own hash, so every other draw of the record stays as it was.
        if (!large && Det.Unit(Det.Hash(o.Seed, Det.NoAudio, index)) < NoAudioShare)
        {
            modalities.Remove("audio");
            if (modalities.Count == 0) modalities.Add("videoBasedScreenSharing");
        }

        var participants = PlanParticipants(set, index, r, type, large);
        int sessions;
        if (large) sessions = 70 + r.Next(21);
        else if (group) sessions = participants.Length + r.Next(participants.Length / 3 + 1);
        else sessions = type == "peerToPeer" && r.Chance(0.15) ? 2 : 1;

        string? joinWebUrl = null;
        if (group || r.Chance(0.04))
        {
            var thread = Det.Guid(o.Seed, Det.RecordBody, index, 99).Replace("-", "", StringComparison.Ordinal);
            joinWebUrl = $"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{thread}%40thread.v2/0?context=%7b%22Tid%22%3a%22{o.TenantId}%22%2c%22Oid%22%3a%22{participants[0].Id}%22%7d";
        }

        return new RecordPlan
        {
            Index = index,
            Id = Det.Guid(o.Seed, Det.RecordId, index),
            Start = start,
            End = end,
            LastModified = lastModified,
            Version = version,
            Type = type,
            Large = large,
            Modalities = ModalityOrder.Where(modalities.Contains).ToArray(),
            Participants = participants,
            SessionCount = sessions,
            JoinWebUrl = joinWebUrl,
        };
    }

    private static string PickType(Random r)
    {
        var u = r.NextDouble();
        return u < 0.015 ? "unknown" : u < 0.55 ? "peerToPeer" : "groupCall";
    }

    private static PlannedParticipant[] PlanParticipants(EmulatorDataSet set, int index, Random r, string type, bool large)
    {
        var pool = set.Pool;
        var seed = set.Options.Seed;
        var tenant = set.Options.TenantId;
        int count;
        if (large) count = 140 + r.Next(61);
        else if (type == "groupCall") count = 3 + (int)(Math.Pow(r.NextDouble(), 2) * 22);
        else count = 2;

        var list = new List<PlannedParticipant>(count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var freeUsers = pool.TenantUsers.Count;

        PlannedParticipant User()
        {
            var m = pool.SkewedUser(r);
            for (var attempt = 0; attempt < 8 && ids.Contains(m.Id); attempt++) m = pool.SkewedUser(r);
            // Skewed picks collide often in large calls: then walk the pool for the next free user.
            if (ids.Contains(m.Id)) m = pool.TenantUsers.First(u => !ids.Contains(u.Id));
            freeUsers--;
            return new PlannedParticipant(ParticipantKind.User, m.Id, m.DisplayName, m.UserPrincipalName, tenant,
                m.AdministrativeUnitId, null);
        }

        bool Exhausted() => freeUsers <= 0;

        PlannedParticipant Other(ParticipantKind kind, int slot)
        {
            switch (kind)
            {
                case ParticipantKind.Guest:
                    if (r.Chance(0.5))
                    {
                        var g = r.Pick(pool.Guests);
                        if (!ids.Contains(g.Id)) return new(kind, g.Id, g.DisplayName, null, null, null, null);
                    }
                    return new(kind, Det.Guid(seed, Det.Guest, index, slot), r.Chance(0.3) ? "Guest user" : $"Visitor {slot}", null, null, null,
                        $"visitor{slot}.{index}@fabrikam.com");
                case ParticipantKind.Phone:
                    if (r.Chance(0.5))
                    {
                        var p = r.Pick(pool.Phones);
                        if (!ids.Contains(p.Id)) return new(kind, p.Id, null, null, null, null, null);
                    }
                    return new(kind, "+1" + r.Pick(new[] { "206", "312", "646", "415" }) + Det.Digits(r, 7), null, null, null, null, null);
                case ParticipantKind.AcsUser:
                    // The ACS communication identifier shape: 8:acs:{resource id}_{user id}.
                    return new(kind, $"8:acs:{Det.Guid(seed, Det.Acs, 0)}_{Det.Guid(seed, Det.Acs, index, slot + 1)}",
                        $"Web visitor {slot}", null, tenant, null, null);
                case ParticipantKind.SpoolUser:
                    return new(kind, $"8:spool:{Det.Guid(seed, Det.Spool, index, slot)}", $"Contact center agent {slot}", null, tenant, null, null);
                case ParticipantKind.ApplicationInstance:
                    var ai = r.Next(AppInstances.Length);
                    return new(kind, Det.Guid(seed, Det.App, ai), AppInstances[ai], null, tenant, null, null);
                default:
                    var ap = r.Next(Apps.Length);
                    return new(kind, Det.Guid(seed, Det.App, 100 + ap), Apps[ap], null, tenant, null, null);
            }
        }

        void Add(PlannedParticipant p)
        {
            if (ids.Add(p.Id)) list.Add(p);
        }

        if (type == "unknown")
        {
            Add(r.Chance(0.5) ? Other(ParticipantKind.Phone, 0) : User());
            if (r.Chance(0.7)) Add(Other(ParticipantKind.ApplicationInstance, 1));
            return list.ToArray();
        }

        Add(User()); // the organizer: always a tenant user
        var slot = 1;
        var guard = 0;
        while (list.Count < count && guard++ < count * 10)
        {
            var u = r.NextDouble();
            ParticipantKind kind;
            if (type == "peerToPeer")
                kind = u < 0.85 ? ParticipantKind.User : u < 0.93 ? ParticipantKind.Phone : u < 0.97 ? ParticipantKind.Guest
                    : u < 0.99 ? ParticipantKind.AcsUser : ParticipantKind.SpoolUser;
            else
                kind = u < 0.82 ? ParticipantKind.User : u < 0.87 ? ParticipantKind.Guest : u < 0.93 ? ParticipantKind.Phone
                    : u < 0.96 ? ParticipantKind.AcsUser : u < 0.98 ? ParticipantKind.SpoolUser
                    : u < 0.99 ? ParticipantKind.ApplicationInstance : ParticipantKind.Application;
            if (kind == ParticipantKind.User && Exhausted()) kind = ParticipantKind.Guest;
            Add(kind == ParticipantKind.User ? User() : Other(kind, slot));
            slot++;
        }
        return list.ToArray();
    }
}
