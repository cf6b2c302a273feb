using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GraphEmulator.Identity;

/// <summary>A throw-away self-signed CA that issues TLS server certificates for 127.0.0.1/localhost. Its private key
/// lives only in memory, so trusting its certificate (e.g. through SSL_CERT_FILE) trusts nothing once the process ends.</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Lazy<TestCertificateAuthority> s_process = new(() => Create());

    private readonly RSA _key;

    private TestCertificateAuthority(RSA key, X509Certificate2 certificate)
    {
        _key = key;
        Certificate = certificate;
    }

    /// <summary>One CA per process, generated at first use. Every IdentityServer uses it unless told otherwise: .NET on
    /// Linux reads its root store (SSL_CERT_FILE/SSL_CERT_DIR) once at the first chain build and re-reads it only after
    /// a few seconds, so a single CA written before the first handshake is what makes trust deterministic.</summary>
    public static TestCertificateAuthority ForProcess => s_process.Value;

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    public static TestCertificateAuthority Create(string commonName = "CallRecords.PS GraphEmulator Test CA")
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN={commonName} {Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}, O=CallRecords.PS tests"),
            key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var selfSigned = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
        var publicOnly = X509CertificateLoader.LoadCertificate(selfSigned.RawData);
        return new TestCertificateAuthority(key, publicOnly);
    }

    /// <summary>Writes the CA certificate as PEM; the write is atomic so a concurrent reader never sees half a file.</summary>
    public void WritePem(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (File.Exists(full) && File.ReadAllText(full) == CertificatePem) return; // unchanged: keep the mtime the root-store cache compares
        var temp = full + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, CertificatePem);
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>A server certificate (with private key) for 127.0.0.1, ::1 and localhost, valid for the given time.</summary>
    public X509Certificate2 IssueServerCertificate(TimeSpan? validity = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName("CN=localhost"), key, HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build(true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var generator = X509SignatureGenerator.CreateForRSA(_key, RSASignaturePadding.Pkcs1);
        using var issued = request.Create(Certificate.SubjectName, generator, now.AddMinutes(-5),
            now.Add(validity ?? TimeSpan.FromDays(2)), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // A PKCS#12 round trip gives a certificate whose key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }
}
