using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fleet.Testing;

/// <summary>
/// Certificates the Api protects its data-protection key ring with in tests, as in production
/// (<c>Fleet:DataProtection:CertificatePath</c>): self-signed RSA, written to temporary files that are deleted when the
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

    /// <summary>A new certificate (PKCS#12 with its private key, protected by <paramref name="password"/> when given), mode 0600.</summary>
    public static string Write(string name, string? password = null)
    {
        using var rsa = RSA.Create(2048);
        using var certificate = SelfSigned(name, rsa);
        var path = NewPath(name) + ".pfx";
        WriteOwnerOnly(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }

    /// <summary>A new certificate as PEM files, the certificate and its unencrypted private key (0600), as a Kubernetes TLS secret's tls.crt and tls.key.</summary>
    public static (string Certificate, string Key) WritePem(string name)
    {
        using var rsa = RSA.Create(2048);
        using var certificate = SelfSigned(name, rsa);
        var stem = NewPath(name);
        WriteOwnerOnly(stem + ".crt", System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        WriteOwnerOnly(stem + ".key", System.Text.Encoding.ASCII.GetBytes(rsa.ExportPkcs8PrivateKeyPem()));
        return (stem + ".crt", stem + ".key");
    }

    private static X509Certificate2 SelfSigned(string name, RSA rsa) =>
        new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

    private static string NewPath(string name) =>
        Path.Combine(Path.GetTempPath(), $"{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");

    /// <summary>Writes a new file readable by its owner only, as an operator would keep it; deleted at exit.</summary>
    private static void WriteOwnerOnly(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(content);
        }

        lock (s_written)
        {
            if (s_written.Count == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
            }

            s_written.Add(path);
        }
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
