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
                            "[--identity] [--https-port N] [--mi-port N] [--ca-out PATH]");
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
await host.WaitForShutdownAsync();
return 0;
