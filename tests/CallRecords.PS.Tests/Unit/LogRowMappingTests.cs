using System.Text.Json;
using CallRecords.Models;
using CallRecords.Models.Mapping;
using Xunit;

namespace CallRecords.PS.Tests.Unit;

/// <summary>Log-row mapping: Microsoft's getPstnCalls/getDirectRoutingCalls examples and the beta-only row shapes.</summary>
public sealed class LogRowMappingTests
{
    private static JsonElement FirstRow(string sample)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", sample)));
        return doc.RootElement.GetProperty("value")[0].Clone();
    }

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void PstnCallSample()
    {
        var r = PstnCallLogRowMapper.Map(FirstRow("beta-getpstncalls.json"))!;
        Assert.Equal("9c4984c7-6c3c-427d-a30c-bd0b2eacee90", r.Id);
        Assert.Equal("1835317186_112562680@61.221.3.176", r.CallId);
        Assert.Equal("richard.malk@contoso.com", r.UserPrincipalName);
        Assert.Equal(new DateTimeOffset(2019, 11, 1, 0, 0, 8, TimeSpan.Zero).AddTicks(2589935), r.StartDateTime);
        Assert.Equal(219L, r.DurationSeconds);
        Assert.Equal((r.EndDateTime - r.StartDateTime)!.Value.TotalSeconds, r.DurationSeconds!.Value, 0);
        Assert.Equal(0.00m, r.Charge);
        Assert.Equal(0.00m, r.ConnectionCharge);
        Assert.Equal("USD", r.Currency);
        Assert.Equal("user_in", r.CallType);
        Assert.Null(r.DestinationContext);
        Assert.Equal("United States", r.DestinationName);
        Assert.Equal("Microsoft", r.Operator);
        Assert.Equal("microsoft", r.CallDurationSource);
        Assert.Equal("Subscriber", r.InventoryType);
        Assert.Empty(r.AdministrativeUnitIds);
    }

    [Fact]
    public void DirectRoutingSampleSuccessfulCallHasNoFailureTime()
    {
        var r = DirectRoutingLogRowMapper.Map(FirstRow("beta-getdirectroutingcalls.json"))!;
        Assert.Equal("9e8bba57-dc14-533a-a7dd-f0da6575eed1", r.Id);
        Assert.True(r.SuccessfulCall);
        Assert.Null(r.FailureDateTime); // sent as 0001-01-01T00:00:00Z
        Assert.Equal(5L, r.DurationSeconds);
        Assert.Equal(new DateTimeOffset(2019, 11, 1, 0, 0, 21, 949, TimeSpan.Zero), r.InviteDateTime);
        Assert.Equal(0, r.FinalSipCode);
        Assert.Equal(540000, r.CallEndSubReason);
        Assert.Equal("BYE", r.FinalSipCodePhrase);
        Assert.False(r.MediaBypassEnabled);
        Assert.Equal("tll-audiocodes01.adatum.biz", r.TrunkFullyQualifiedDomainName);
    }

    [Fact]
    public void DirectRoutingFailedCallKeepsItsFailureTimeAndBetaExtras()
    {
        var r = DirectRoutingLogRowMapper.Map(Parse("""
            {"id":"x","successfulCall":false,"failureDateTime":"2026-01-02T03:04:05.123Z","duration":0,"finalSipCode":487,
             "administrativeUnitInfos":[{"id":"au-1"},{"id":"au-2"}],"userCountryCode":"US","transferorCorrelationId":null}
            """))!;
        Assert.False(r.SuccessfulCall);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 123, TimeSpan.Zero), r.FailureDateTime);
        Assert.Equal(0L, r.DurationSeconds);
        Assert.Equal(487, r.FinalSipCode);
        Assert.Equal("au-1;au-2", r.AdministrativeUnitIds.ToString());
        Assert.Equal("US", r.UserCountryCode);
        Assert.Null(r.TransferorCorrelationId);
    }

    [Fact]
    public void ChargesStayExactDecimals()
    {
        var r = PstnCallLogRowMapper.Map(Parse("""{"id":"y","charge":0.1,"connectionCharge":12345678.91,"duration":"61"}"""))!;
        Assert.Equal(0.1m, r.Charge);
        Assert.Equal(12345678.91m, r.ConnectionCharge);
        Assert.Equal(61L, r.DurationSeconds);
    }

    [Fact]
    public void BetaOnlyRows()
    {
        var sms = SmsLogRowMapper.Map(Parse("""
            {"id":"s","sentDateTime":"2026-02-03T04:05:06Z","smsUnits":2,"callCharge":0.03,"currency":"USD","smsType":"outbound",
             "administrativeUnitInfos":[{"id":"au"}]}
            """))!;
        Assert.Equal(("s", 2, 0.03m, "outbound", "au"), (sms.Id, sms.SmsUnits!.Value, sms.CallCharge!.Value, sms.SmsType, sms.AdministrativeUnitIds.ToString()));
        Assert.Equal(new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero), sms.SentDateTime);

        var blocked = PstnBlockedUsersLogRowMapper.Map(Parse("""
            {"blockDateTime":"2026-02-03T00:00:00Z","blockReason":"Toll fraud risk","remediationId":"r","userBlockMode":"blocked","userTelephoneNumber":"+1555"}
            """))!;
        Assert.Equal(("blocked", "r", "+1555"), (blocked.UserBlockMode, blocked.RemediationId, blocked.UserTelephoneNumber));

        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var dialout = PstnOnlineMeetingDialoutReportMapper.Map(Parse("""
            {"userPrincipalName":"a@b","totalCalls":3,"totalCallSeconds":125,"totalCallCharge":1.20,"destinationContext":"International"}
            """), start, start.AddDays(90))!;
        Assert.Equal(125, dialout.TotalCallSeconds);
        Assert.Equal(1.20m, dialout.TotalCallCharge);
        Assert.Equal((start, start.AddDays(90)), (dialout.ReportStartDateTime!.Value, dialout.ReportEndDateTime!.Value));
    }

    [Fact]
    public void NonObjectsAreSkipped()
    {
        Assert.Null(PstnCallLogRowMapper.Map(Parse("42")));
        Assert.Null(DirectRoutingLogRowMapper.Map(Parse("null")));
    }
}
