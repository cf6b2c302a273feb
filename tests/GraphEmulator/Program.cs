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
                            "[--max-page-size N] [--tenant GUID] [--accept-any-token] [--read-only]");
    return 2;
}

await using var host = await EmulatorHost.StartAsync(options);
Console.WriteLine($"Graph emulator listening on {host.BaseAddress} ({host.Data.Records.Count} call records, seed {options.Seed}). Ctrl+C stops it.");
await host.WaitForShutdownAsync();
return 0;
