using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fleet.Testing;

/// <summary>
/// Certificates the Api protects its data-protection key ring with in tests, as in production
/// (<c>Fleet:DataProtection:CertificatePath</c>): self-signed RSA, written as PFX files that are deleted when the
/// test process exits.
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<string> s_keyRing = new(() => Write("fleet-key-ring"));
    private static readonly List<string> s_written = [];

    /// <summary>
    /// The certificate of this test run: every in-process Api and every <see cref="ApiProcess"/> uses it unless told
    /// otherwise, so that replicas and restarts on one database read each other's key ring, as one deployment's do.
    /// </summary>
    public static string KeyRingPfx => s_keyRing.Value;

    /// <summary>A new certificate (PFX with its private key, protected by <paramref name="password"/> when given) in a temporary file.</summary>
    public static string Write(string name, string? password = null)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(Path.GetTempPath(), $"{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.pfx");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // As an operator would keep it: readable by its owner only.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(certificate.Export(X509ContentType.Pfx, password));
        }

        lock (s_written)
        {
            if (s_written.Count == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
            }

            s_written.Add(path);
        }

        return path;
    }

    /// <summary>A new certificate as PEM files, the certificate and its unencrypted private key (a Kubernetes TLS secret's tls.crt and tls.key).</summary>
    public static (string Certificate, string Key) WritePem(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var stem = Path.Combine(Path.GetTempPath(), $"{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var paths = (Certificate: stem + ".crt", Key: stem + ".key");
        File.WriteAllText(paths.Certificate, certificate.ExportCertificatePem());
        File.WriteAllText(paths.Key, rsa.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(paths.Key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        lock (s_written)
        {
            if (s_written.Count == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
            }

            s_written.Add(paths.Certificate);
            s_written.Add(paths.Key);
        }

        return paths;
    }

    private static void DeleteAll()
    {
        lock (s_written)
        {
            foreach (var path in s_written)
            {
                File.Delete(path);
            }
        }
    }
}
