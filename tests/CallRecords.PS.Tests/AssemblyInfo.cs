using Xunit;

// The module's default connection is process-wide (as in a PowerShell session), so test collections that connect,
// disconnect or rely on the default must not run side by side.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
