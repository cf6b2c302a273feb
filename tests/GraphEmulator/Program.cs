using GraphEmulator;

EmulatorOptions options;
try
{
    options = EmulatorOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("Usage: GraphEmulator [--urls URL] [--seed N] [--records N] [--days N] [--now ISO8601] [--log-rows N] [--log-days N] " +
                            "[--latency-ms N] [--latency-jitter-ms N] [--throttle graph|off] [--fault-rate 0..1] [--fault-seed N] " +
                            "[--max-page-size N] [--tenant GUID] [--accept-any-token] [--read-only] " +
                            "[--identity] [--https-port N] [--mi-port N] [--ca-out PATH] [--parent-pid N]");
    return 2;
}

await using var host = await EmulatorHost.StartAsync(options);
Console.WriteLine($"Graph emulator listening on {host.BaseAddress} ({host.Data.Records.Count} call records, seed {options.Seed}). Ctrl+C stops it.");
if (host.Identity is { } identity)
{
    // What a client needs to point Azure.Identity at the identity face; the CA file is what it must trust.
    Console.WriteLine($"Identity face: authority host {identity.AuthorityHost} (register apps: POST {identity.AuthorityHost}_emulator/apps)");
    Console.WriteLine($"  test CA written to {identity.CaCertificatePath} (trust it, e.g. SSL_CERT_FILE on Linux/macOS)");
    Console.WriteLine($"  managed identity: IDENTITY_ENDPOINT={identity.ManagedIdentityEndpoint} IDENTITY_HEADER={identity.ManagedIdentityHeader}");
}
using var parentGone = new CancellationTokenSource();
if (options.ParentProcessId is { } parentId) _ = WatchParentAsync(parentId, parentGone);
try { await host.WaitForShutdownAsync(parentGone.Token); }
catch (OperationCanceledException) when (parentGone.IsCancellationRequested)
{
    Console.WriteLine($"The process that started the emulator ({options.ParentProcessId}) is gone; stopping.");
}
return 0;

// --parent-pid: poll the starter (a Pester file, build.ps1 -Task Demo) and stop when it has exited, so a killed or
// interrupted test run cannot leave an emulator listening. A pid that was reused is not told apart: polling every
// half second makes that window small, and the worst case is an emulator that outlives its starter as before.
static async Task WatchParentAsync(int parentId, CancellationTokenSource parentGone)
{
    while (true)
    {
        try
        {
            using var parent = System.Diagnostics.Process.GetProcessById(parentId);
            if (parent.HasExited) break;
        }
        catch (ArgumentException) { break; } // no such process
        await Task.Delay(500).ConfigureAwait(false);
    }
    parentGone.Cancel();
}
