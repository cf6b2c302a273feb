using System.Runtime.CompilerServices;
using GraphEmulator.Identity;

namespace CallRecords.PS.Tests.Identity;

internal static class TrustBootstrap
{
    /// <summary>Writes this process's test CA into SSL_CERT_FILE when the test assembly loads, before any test can make
    /// a TLS handshake. .NET loads that file into its root store at the first chain build and afterwards re-reads it
    /// only when it changed and 5 s have passed; writing it first makes the trust independent of test order (e.g. a
    /// test that handshakes with an untrusted server before any trusted one starts).</summary>
#pragma warning disable CA2255 // A test assembly, not a library: the initializer is how the run's trust is prepared.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void WriteProcessCa()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SSL_CERT_FILE"))) return; // IdentityTestServer explains
        TestCertificateAuthority.ForProcess.WritePem(IdentityTestServer.TrustFile);
    }
}
