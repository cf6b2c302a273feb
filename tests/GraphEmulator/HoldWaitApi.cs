using System.Globalization;
using System.Text.Json.Nodes;

namespace GraphEmulator;

/// <summary>GET /_emulator/hold/wait?held=N[&amp;arrived=M][&amp;timeoutSeconds=T]: answers once the hold in force holds
/// at least N requests (and has seen at least M arrive), or after T seconds (default 30) with "met": false, so a
/// Pester test that must act while a client (say a child pwsh about to be killed) is stuck on a held request waits for
/// that moment instead of sleeping.</summary>
internal static class HoldWaitApi
{
    public static void Map(WebApplication app, EmulatorHost host)
    {
        app.MapGet("/_emulator/hold/wait", async (HttpContext ctx) =>
        {
            static int Q(HttpContext c, string name, int fallback) =>
                int.TryParse(c.Request.Query[name], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : fallback;
            var held = Q(ctx, "held", 1);
            var arrived = Q(ctx, "arrived", 0);
            var timeout = TimeSpan.FromSeconds(Q(ctx, "timeoutSeconds", 30));
            if (host.Control.CurrentHold is not { } hold) return Results.Text(new JsonObject { ["met"] = false, ["description"] = "no hold in force" }.ToJsonString(), "application/json");
            var met = await hold.WaitUntilAsync(h => h.Held >= held && h.Arrived >= arrived, timeout);
            return Results.Text(new JsonObject
            {
                ["met"] = met, ["arrived"] = hold.Arrived, ["held"] = hold.Held, ["description"] = hold.ToString(),
            }.ToJsonString(), "application/json");
        });
    }
}
