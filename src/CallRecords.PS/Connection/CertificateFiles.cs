using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CallRecords.Connection;

/// <summary>Finds and reads client certificates (PFX/PEM files, the My store), turning every failure into an error
/// that names the file or thumbprint and what to do, never the password.</summary>
internal static class CertificateFiles
{
    internal sealed class Loaded
    {
        public X509Certificate2? Certificate { get; set; }
        /// <summary>A PEM file (certificate and private key) for Azure.Identity to read.</summary>
        public string? PemPath { get; set; }
    }

    public static Loaded Read(string path, SecureString? password)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new CallRecordsException("CertificatePathIsFolder", ErrorCategory.InvalidArgument, $"'{full}' is a folder, not a certificate file.",
                "Pass the path of a PFX (.pfx/.p12) or PEM (.pem, certificate and private key) file.", full);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var notFound = e is FileNotFoundException or DirectoryNotFoundException;
            throw new CallRecordsException(notFound ? "CertificateNotFound" : "CertificateUnreadable",
                notFound ? ErrorCategory.ObjectNotFound : ErrorCategory.ReadError,
                notFound ? $"The certificate file '{full}' does not exist." : $"The certificate file '{full}' cannot be read: {e.Message}",
                "Pass the path of a PFX (.pfx/.p12) or PEM (.pem, certificate and private key) file that the account running PowerShell can read.", full, e);
        }

        if (IsPem(bytes))
        {
            var text = Encoding.ASCII.GetString(bytes);
            if (text.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal) < 0 || text.IndexOf("PRIVATE KEY-----", StringComparison.Ordinal) < 0)
                throw Unreadable(full, "the PEM file must hold the certificate and its private key (BEGIN CERTIFICATE and BEGIN PRIVATE KEY blocks).", null);
            if (text.IndexOf("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal) >= 0 || password is not null)
                throw Unreadable(full, "password-protected PEM keys are not supported; use a PFX with -CertificatePassword, or a PEM with an unencrypted key kept where only this account can read it.", null);
            // Azure.Identity picks the PEM reader by the file's extension.
            if (!string.Equals(Path.GetExtension(full), ".pem", StringComparison.OrdinalIgnoreCase))
                throw Unreadable(full, "a PEM certificate file must have the .pem extension.", null);
            return new Loaded { PemPath = full };
        }

        try
        {
            // EphemeralKeySet (32; not in netstandard2.0's surface) keeps the key in memory only; Windows PowerShell's
            // CAPI keys need a key container, so there the key goes to the user's profile for the process's life.
            var flags = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? X509KeyStorageFlags.UserKeySet : (X509KeyStorageFlags)32;
            var certificate = password is null ? new X509Certificate2(bytes, (string?)null, flags) : new X509Certificate2(bytes, password, flags);
            return new Loaded { Certificate = certificate };
        }
        catch (CryptographicException e)
        {
            throw Unreadable(full, password is null
                ? "it is not a PFX or PEM certificate, or it is a PFX protected by a password (pass -CertificatePassword)."
                : "it is not a PFX certificate, or the password is wrong.", e);
        }
    }

    /// <summary>CurrentUser\My first, then LocalMachine\My (Windows; on Linux and macOS .NET has the CurrentUser\My store only).</summary>
    public static X509Certificate2 FromStore(string thumbprint)
    {
        var wanted = Normalize(thumbprint);
        // SHA-1 thumbprints are 40 hex digits (what the store and the Entra portal show); spaces, colons and the
        // invisible marks a copy from the certificate dialog adds are dropped, anything else is a typo.
        if (wanted is null)
            throw new CallRecordsException("CertificateThumbprintMalformed", ErrorCategory.InvalidArgument,
                $"'{thumbprint}' is not a certificate thumbprint: a thumbprint is 40 hexadecimal digits (0-9, A-F), such as 3F2A1B0C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A.",
                "Copy the thumbprint from the certificate (Get-ChildItem Cert:\\CurrentUser\\My | Format-List Subject, Thumbprint) or from the app registration's Certificates & secrets page.", thumbprint);
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            X509Certificate2Collection found;
            try
            {
                using var store = new X509Store(StoreName.My, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
            }
            catch (CryptographicException)
            {
                continue; // the store does not exist here (LocalMachine\My on Linux, or a never-used CurrentUser store)
            }
            foreach (var certificate in found)
                if (certificate.HasPrivateKey) return certificate;
            if (found.Count > 0)
                throw new CallRecordsException("CertificateHasNoPrivateKey", ErrorCategory.InvalidArgument,
                    $"The certificate {wanted} in {location}\\My has no private key.",
                    "Import the certificate with its private key (the PFX), or grant this account access to the key.", wanted);
        }
        throw new CallRecordsException("CertificateNotFound", ErrorCategory.ObjectNotFound,
            $"No certificate with thumbprint {wanted} was found in CurrentUser\\My or LocalMachine\\My.",
            "Import the certificate (with its private key) into the certificate store of the account that runs the task, or use -CertificatePath.", wanted);
    }

    /// <summary>The thumbprint's hex digits in upper case, or null when it holds anything but hex digits and
    /// separators or is not 40 digits long.</summary>
    private static string? Normalize(string thumbprint)
    {
        var sb = new StringBuilder(thumbprint.Length);
        foreach (var c in thumbprint)
        {
            if (Uri.IsHexDigit(c)) sb.Append(char.ToUpperInvariant(c));
            else if (!(char.IsWhiteSpace(c) || c == ':' || c == '-' || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)) return null;
        }
        return sb.Length == 40 ? sb.ToString() : null;
    }

    private static bool IsPem(byte[] bytes)
    {
        var head = Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 4096));
        return head.IndexOf("-----BEGIN ", StringComparison.Ordinal) >= 0;
    }

    private static CallRecordsException Unreadable(string path, string why, Exception? inner) =>
        new("CertificateUnreadable", ErrorCategory.InvalidData, $"The certificate file '{path}' cannot be used: {why}",
            "Export the certificate with its private key as a PFX (Export-PfxCertificate) or as a PEM file holding both, and pass -CertificatePassword for a protected PFX.", path, inner);
}
