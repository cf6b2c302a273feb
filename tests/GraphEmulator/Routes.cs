namespace GraphEmulator;

/// <summary>Route names used in the request log, counters and in-flight gauges.</summary>
public static class Routes
{
    public const string ListCallRecords = "listCallRecords";
    public const string GetCallRecord = "getCallRecord";
    public const string ListSessions = "listSessions";
    public const string GetSession = "getSession";
    public const string ListSegments = "listSegments";
    public const string ListParticipants = "listParticipants";
    public const string GetOrganizer = "getOrganizer";
    public const string GetPstnCalls = "getPstnCalls";
    public const string GetDirectRoutingCalls = "getDirectRoutingCalls";
    public const string GetSmsLog = "getSmsLog";
    public const string GetPstnBlockedUsersLog = "getPstnBlockedUsersLog";
    public const string GetPstnOnlineMeetingDialoutReport = "getPstnOnlineMeetingDialoutReport";
    public const string CreateCallRecord = "createCallRecord";
    public const string CreateSession = "createSession";
    public const string UpdateSession = "updateSession";
    public const string DeleteSession = "deleteSession";
    public const string CreateSegment = "createSegment";
    public const string Unknown = "unknown";

    public static bool IsPstnType(string route) => route is GetPstnCalls or GetDirectRoutingCalls or GetSmsLog
        or GetPstnBlockedUsersLog or GetPstnOnlineMeetingDialoutReport;
}
