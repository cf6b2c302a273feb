using System.Text.Json.Nodes;

namespace GraphEmulator.Data;

/// <summary>Row builders of the PSTN-type log tables. Each row draws from its own Random(seed, table, index).</summary>
internal sealed class LogRows
{
    internal const int PstnTag = 1, DirectRoutingTag = 2, SmsTag = 3, BlockedTag = 4, DialoutTag = 5;

    private static readonly (string Code, string Name, decimal Rate, string Prefix)[] Destinations =
    [
        ("US", "United States", 0.019m, "1"), ("US", "United States", 0.019m, "1"), ("US", "United States", 0.019m, "1"),
        ("GB", "United Kingdom", 0.045m, "44"), ("DE", "Germany", 0.052m, "49"), ("IN", "India", 0.108m, "91"),
        ("JP", "Japan", 0.14m, "81"), ("BR", "Brazil", 0.21m, "55"), ("MX", "Mexico", 0.087m, "52"),
    ];

    private static readonly string[] MediaLocations = ["USWE", "USEA", "EUNO", "EUWE", "APSE", "JPEA"];

    private static readonly (int Code, int SubReason, string Phrase)[] SipFailures =
    [
        (487, 540487, "Request Terminated"), (486, 540486, "Busy Here"), (404, 560404, "Not Found"),
        (503, 560503, "Service Unavailable"), (480, 510480, "Temporarily Unavailable"), (408, 560408, "Request Timeout"),
    ];

    private readonly EmulatorDataSet _set;
    private readonly int _seed;

    internal LogRows(EmulatorDataSet set)
    {
        _set = set;
        _seed = set.Options.Seed;
    }

    private Random Rng(int tag, int i) => Det.Rng(_seed, Det.LogBody, tag, i);

    private static JsonNode Money(decimal v) => JsonValue.Create(decimal.Round(v, 2) + 0.00m); // always two decimals: 0.00, 1.20

    private static string Mask(string number) => number[..^4] + "****";

    private static JsonArray AdminUnits(PoolMember m) =>
        m.AdministrativeUnitId is null ? new JsonArray() : new JsonArray(new JsonObject { ["id"] = m.AdministrativeUnitId });

    internal JsonObject Pstn(LogTable table, int i, bool beta)
    {
        var r = Rng(PstnTag, i);
        var user = _set.Pool.SkewedUser(r);
        var start = table.Timestamp(i);
        var u = r.NextDouble();
        var callType = u < 0.4 ? "user_in" : u < 0.75 ? "user_out" : u < 0.85 ? "conf_in" : u < 0.93 ? "conf_out"
            : u < 0.997 ? "ucap_in" : "emergency_call";
        var outbound = callType is "user_out" or "conf_out";
        var dest = outbound ? r.Pick(Destinations) : Destinations[0];
        var duration = r.Chance(0.03) ? 0 : (int)Math.Min(14_400, Math.Pow(r.NextDouble(), 2) * 3600) + 1;
        var external = "+" + dest.Prefix + Det.Digits(r, 10);
        var domestic = dest.Code == user.CountryCode;
        var charge = outbound ? Math.Ceiling(duration / 60m) * dest.Rate : 0m;
        var connection = outbound && !domestic && r.Chance(0.5) ? 0.12m : 0m;
        var conf = callType.StartsWith("conf", StringComparison.Ordinal);
        var operatorConnect = r.Chance(0.15);
        var row = new JsonObject
        {
            ["id"] = table.Id(i),
            ["callId"] = $"{r.Next(100_000_000, int.MaxValue)}_{r.Next(100_000_000, int.MaxValue)}@61.221.3.{r.Next(1, 255)}",
            ["userId"] = user.Id,
            ["userPrincipalName"] = user.UserPrincipalName,
            ["userDisplayName"] = user.DisplayName,
            ["startDateTime"] = Det.Time(start),
            ["endDateTime"] = Det.Time(start.AddSeconds(duration)),
            ["duration"] = duration,
            ["charge"] = Money(charge),
            ["callType"] = callType,
            ["currency"] = "USD",
            ["calleeNumber"] = outbound ? external : user.PhoneNumber,
            ["usageCountryCode"] = user.CountryCode,
            ["tenantCountryCode"] = "US",
            ["connectionCharge"] = Money(connection),
            ["callerNumber"] = outbound ? user.PhoneNumber : external,
            ["destinationContext"] = outbound ? (domestic ? "Domestic" : "International") : null,
            ["destinationName"] = dest.Name,
            ["conferenceId"] = conf ? Det.Digits(r, 9) : null,
            ["licenseCapability"] = conf ? "MCOMEETADV" : r.Chance(0.8) ? "MCOPSTNU" : "MCOPSTN1",
            ["inventoryType"] = conf ? "Service" : r.Chance(0.95) ? "Subscriber" : "Toll Free",
            ["operator"] = operatorConnect ? "Contoso Telecom" : "Microsoft",
            ["callDurationSource"] = operatorConnect ? "operator" : "microsoft",
        };
        if (beta)
        {
            row["administrativeUnitInfos"] = AdminUnits(user);
            row["otherPartyCountryCode"] = dest.Code;
            row["clientLocalIpV4Address"] = $"10.{r.Next(0, 256)}.{r.Next(0, 256)}.{r.Next(1, 255)}";
            row["clientLocalIpV6Address"] = null;
            row["clientPublicIpV4Address"] = $"{r.Next(20, 200)}.{r.Next(0, 256)}.{r.Next(0, 256)}.{r.Next(1, 255)}";
            row["clientPublicIpV6Address"] = null;
        }
        return row;
    }

    internal JsonObject DirectRouting(LogTable table, int i, bool beta)
    {
        var r = Rng(DirectRoutingTag, i);
        var user = _set.Pool.SkewedUser(r);
        var start = table.Timestamp(i);
        var success = r.Chance(0.85);
        var inbound = r.Chance(0.5);
        var external = "+1" + r.Pick(new[] { "206", "312", "646" }) + Det.Digits(r, 7);
        var failure = r.Pick(SipFailures);
        var duration = success ? (int)(Math.Pow(r.NextDouble(), 2) * 3600) + 1 : 0;
        var failedAt = start.AddMilliseconds(r.Next(200, 20_000));
        var end = success ? start.AddSeconds(duration) : failedAt;
        var unassigned = r.Chance(0.04); // calls to unassigned numbers carry no user
        var row = new JsonObject
        {
            ["id"] = table.Id(i),
            ["correlationId"] = Det.Guid(_seed, Det.LogBody, DirectRoutingTag * 1_000_000_000L + i),
            ["userId"] = unassigned ? null : user.Id,
            ["userPrincipalName"] = unassigned ? null : user.UserPrincipalName,
            ["userDisplayName"] = unassigned ? null : user.DisplayName,
            ["startDateTime"] = Det.Time(start),
            ["inviteDateTime"] = Det.Time(start.AddMilliseconds(-r.Next(500, 5000))),
            ["failureDateTime"] = success ? "0001-01-01T00:00:00Z" : Det.Time(failedAt),
            ["endDateTime"] = Det.Time(end),
            ["duration"] = duration,
            ["callType"] = inbound ? "ByotIn" : r.Chance(0.9) ? "ByotOut" : "ByotOutUserForwarding",
            ["successfulCall"] = success,
            ["callerNumber"] = Mask(inbound ? external : user.PhoneNumber),
            ["calleeNumber"] = Mask(inbound ? user.PhoneNumber : external),
            ["mediaPathLocation"] = r.Pick(MediaLocations),
            ["signalingLocation"] = r.Pick(MediaLocations),
            ["finalSipCode"] = success ? 0 : failure.Code,
            ["callEndSubReason"] = success ? 540000 : failure.SubReason,
            ["finalSipCodePhrase"] = success ? "BYE" : failure.Phrase,
            ["trunkFullyQualifiedDomainName"] = r.Chance(0.7) ? "sbc1.contoso.com" : "sbc2.eu.contoso.com",
            ["mediaBypassEnabled"] = r.Chance(0.3),
        };
        if (beta)
        {
            row["administrativeUnitInfos"] = AdminUnits(user);
            row["otherPartyCountryCode"] = "US";
            row["transferorCorrelationId"] = r.Chance(0.05) ? Det.Guid(_seed, Det.LogBody, -(DirectRoutingTag * 1_000_000_000L + i)) : null;
            row["userCountryCode"] = unassigned ? null : user.CountryCode;
        }
        return row;
    }

    internal JsonObject Sms(LogTable table, int i)
    {
        var r = Rng(SmsTag, i);
        var user = _set.Pool.SkewedUser(r);
        var outbound = r.Chance(0.7);
        var dest = outbound ? r.Pick(Destinations) : Destinations[0];
        var units = r.Chance(0.8) ? 1 : r.Next(2, 4);
        var other = "+" + dest.Prefix + Det.Digits(r, 10);
        return new JsonObject
        {
            ["id"] = table.Id(i),
            ["userId"] = user.Id,
            ["userPrincipalName"] = user.UserPrincipalName,
            ["userDisplayName"] = user.DisplayName,
            ["administrativeUnitInfos"] = AdminUnits(user),
            ["otherPartyCountryCode"] = dest.Code,
            ["sentDateTime"] = Det.Time(table.Timestamp(i)),
            ["smsId"] = Det.Guid(_seed, Det.LogBody, SmsTag * 1_000_000_000L + i),
            ["smsType"] = outbound ? "outbound" : "inbound",
            ["smsUnits"] = units,
            ["sourceNumber"] = outbound ? user.PhoneNumber : other,
            ["destinationNumber"] = outbound ? other : user.PhoneNumber,
            ["destinationContext"] = dest.Code == user.CountryCode ? "Domestic" : "International",
            ["destinationName"] = dest.Name,
            ["callCharge"] = Money(outbound ? units * 0.0075m * (dest.Code == "US" ? 1 : 4) : 0m),
            ["currency"] = "USD",
            ["licenseCapability"] = "MCOPSTNU",
            ["tenantCountryCode"] = "US",
            ["userCountryCode"] = user.CountryCode,
        };
    }

    internal JsonObject Blocked(LogTable table, int i)
    {
        var r = Rng(BlockedTag, i);
        var user = _set.Pool.SkewedUser(r);
        var blocked = r.Chance(0.7);
        return new JsonObject
        {
            ["blockDateTime"] = Det.Time(table.Timestamp(i)),
            ["blockReason"] = blocked ? r.Pick(new[] { "Suspicious international calling pattern", "Toll fraud risk", "Blocked by admin" }) : "Unblocked by admin",
            ["remediationId"] = Det.Guid(_seed, Det.LogBody, BlockedTag * 1_000_000_000L + i),
            ["userBlockMode"] = blocked ? "blocked" : "unblocked",
            ["userDisplayName"] = user.DisplayName,
            ["userId"] = user.Id,
            ["userPrincipalName"] = user.UserPrincipalName,
            ["userTelephoneNumber"] = user.PhoneNumber,
        };
    }

    /// <summary>The dial-out report aggregates per user and destination and carries no date of its own: each row is
    /// the aggregate of one UTC day, and <see cref="LogTable.Timestamp"/> is that day's midnight.</summary>
    internal JsonObject Dialout(LogTable table, int i)
    {
        var r = Rng(DialoutTag, i);
        var user = _set.Pool.SkewedUser(r);
        var dest = r.Pick(Destinations);
        var calls = 1 + (int)(Math.Pow(r.NextDouble(), 3) * 40);
        var seconds = calls * r.Next(30, 1800);
        return new JsonObject
        {
            ["userId"] = user.Id,
            ["userPrincipalName"] = user.UserPrincipalName,
            ["userDisplayName"] = user.DisplayName,
            ["usageLocation"] = user.CountryCode,
            ["currency"] = "USD",
            ["destinationContext"] = dest.Code == user.CountryCode ? "Domestic" : "International",
            ["totalCalls"] = calls,
            ["totalCallSeconds"] = seconds,
            ["totalCallCharge"] = Money(Math.Ceiling(seconds / 60m) * dest.Rate),
        };
    }
}
