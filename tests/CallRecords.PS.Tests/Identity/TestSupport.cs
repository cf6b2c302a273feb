using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GraphEmulator.Identity;
using Xunit;

namespace CallRecords.PS.Tests.Identity;

internal static class TokenAssert
{
    /// <summary>Checks that <paramref name="token"/> was signed by <paramref name="issuer"/> and carries the app-only claims.</summary>
    public static ParsedJwt AppToken(string token, JwtTokenIssuer issuer, string tenantId, string appId, string audience,
        params string[] roles)
    {
        Assert.True(Jwt.TryParse(token, out var jwt), "the access token is not a JWT");
        using var key = RSA.Create();
        key.ImportSubjectPublicKeyInfo(issuer.ExportPublicKey(), out _);
        Assert.True(jwt.VerifySignature(key), "the access token is not signed by the emulator's issuer");
        Assert.Equal(tenantId, jwt.Claim("tid"));
        Assert.Equal(appId, jwt.Claim("appid"));
        Assert.Equal(audience, Assert.Single(jwt.Audiences()));
        Assert.Equal(roles.Length == 0 ? [IdentityTestServer.CallRecordsRole] : roles, jwt.StringArrayClaim("roles"));
        Assert.Equal("app", jwt.Claim("idtyp"));
        return jwt;
    }
}

/// <summary>Client certificates for certificate credentials, written as PFX and PEM files in a private temp folder.</summary>
internal sealed class ClientCertificateFiles : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("identity-tests-").FullName;

    public ClientCertificateFiles(string subject = "CN=CallRecords.PS test client")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        PfxPath = Path.Combine(_dir, "client.pfx");
        File.WriteAllBytes(PfxPath, cert.Export(X509ContentType.Pkcs12));
        PemPath = Path.Combine(_dir, "client.pem");
        File.WriteAllText(PemPath, cert.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        WithPrivateKey = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
        PublicOnly = X509CertificateLoader.LoadCertificate(cert.RawData);
        PublicPem = cert.ExportCertificatePem();
    }

    public string PfxPath { get; }
    public string PemPath { get; }
    public X509Certificate2 WithPrivateKey { get; }
    public X509Certificate2 PublicOnly { get; }
    public string PublicPem { get; }

    public void Dispose()
    {
        WithPrivateKey.Dispose();
        PublicOnly.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

internal static class ExceptionText
{
    /// <summary>Messages of the whole exception chain. Azure.Identity 1.21's AuthenticationFailedException message is
    /// only "XCredential authentication failed: "; Entra's AADSTS text is in the inner MsalServiceException.</summary>
    public static string Of(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException) parts.Add(x.Message);
        return string.Join(" | ", parts);
    }
}

internal static class ErrorJson
{
    public static JsonElement Parse(string body) => JsonDocument.Parse(body).RootElement.Clone();
}

/// <summary>Tests that change process environment variables run one at a time, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}

/// <summary>Sets environment variables for the scope and restores the previous values afterwards.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _previous = [];

    public EnvironmentScope(params (string Name, string? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _previous.TryAdd(name, Environment.GetEnvironmentVariable(name));
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous) Environment.SetEnvironmentVariable(name, value);
    }
}
