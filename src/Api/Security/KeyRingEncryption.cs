using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using System.Xml.Linq;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Security;

/// <summary>
/// Where the data-protection key ring lives (the database) and how it is encrypted at rest: with the certificate of
/// <c>Fleet:DataProtection</c> (what <c>ProtectKeysWithCertificate</c> sets up, but loaded from configuration when the
/// options are, so that a missing or unreadable certificate is an options error at start like any other). Without
/// one, only Development, the demo and <c>AllowUnencryptedKeyRing</c> start, and they say so in the log.
/// </summary>
internal sealed partial class KeyRingEncryption(IOptions<FleetOptions> options, ILogger<KeyRingEncryption> logger) : IDisposable
{
    public const string CertificatePathKey = "Fleet:DataProtection:CertificatePath";

    private readonly ILogger _logger = logger;

    private readonly Lazy<X509Certificate2?> _certificate = new(() => Load(options.Value.DataProtection, out var certificate, out _) ? certificate : null);

    /// <summary>The key ring's certificate, or null when none is configured.</summary>
    public X509Certificate2? Certificate => _certificate.Value;

    public static void AddTo(IServiceCollection services)
    {
        services.AddSingleton<KeyRingEncryption>();
        services.AddSingleton<IValidateOptions<FleetOptions>, KeyRingOptionsValidator>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IDbContextFactory<FleetDbContext>>());
            var encryption = sp.GetRequiredService<KeyRingEncryption>();
            if (encryption.Certificate is { } certificate)
            {
                o.XmlEncryptor = new Encryptor(new CertificateXmlEncryptor(certificate, sp.GetRequiredService<ILoggerFactory>()));
            }
            else
            {
                LogUnencrypted(encryption._logger);
            }
        }));
    }

    /// <summary>
    /// The framework's certificate encryption (XML Encryption, RSA-OAEP around AES-256), naming
    /// <see cref="KeyRingEncryptedXmlDecryptor"/> as its decryptor: the framework's own finds the certificate only in
    /// options filled at registration, before configuration is known, or in the user's certificate store.
    /// </summary>
    private sealed class Encryptor(CertificateXmlEncryptor inner) : IXmlEncryptor
    {
        public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
            new(inner.Encrypt(plaintextElement).EncryptedElement, typeof(KeyRingEncryptedXmlDecryptor));
    }

    /// <summary>Loads the configured certificate; false with the reason when it cannot be used, true with null when none is configured.</summary>
    public static bool Load(KeyRingOptions options, out X509Certificate2? certificate, out string? problem)
    {
        certificate = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            return true;
        }

        var path = options.CertificatePath;
        try
        {
            // Ephemeral: the private key stays in memory; nothing is written to a key store (the root file system
            // of the container image is read-only).
            certificate = string.IsNullOrWhiteSpace(options.CertificateKeyPath)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet)
                : string.IsNullOrEmpty(options.CertificatePassword)
                    ? X509Certificate2.CreateFromPemFile(path, options.CertificateKeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, options.CertificateKeyPath);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            problem = $"{CertificatePathKey}: cannot load '{path}'{(string.IsNullOrWhiteSpace(options.CertificateKeyPath) ? "" : $" with the key '{options.CertificateKeyPath}'")}: {e.Message}";
            return false;
        }

        using var rsa = certificate.GetRSAPublicKey();
        if (!certificate.HasPrivateKey || rsa is null)
        {
            problem = $"{CertificatePathKey}: '{path}' must be an RSA certificate with its private key (the key ring is decrypted with it).";
            certificate.Dispose();
            certificate = null;
            return false;
        }

        return true;
    }

    public void Dispose()
    {
        if (_certificate.IsValueCreated)
        {
            _certificate.Value?.Dispose();
        }
    }

    [LoggerMessage(EventId = 1040, Level = LogLevel.Warning, Message = CertificatePathKey + " is not set: the data-protection key ring is stored unencrypted in the database, and with it the keys of sessions, antiforgery tokens and striper pre-shared keys. Configure a certificate outside development and demos (docs/operations.md, \"Secrets at rest\").")]
    private static partial void LogUnencrypted(ILogger logger);
}

/// <summary>Outside Development the key ring must be encrypted, with a certificate that loads (every problem reported at start).</summary>
internal sealed class KeyRingOptionsValidator(IHostEnvironment environment) : IValidateOptions<FleetOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetOptions options)
    {
        var keyRing = options.DataProtection;
        if (string.IsNullOrWhiteSpace(keyRing.CertificatePath))
        {
            return environment.IsDevelopment() || keyRing.AllowUnencryptedKeyRing
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"{KeyRingEncryption.CertificatePathKey} must name a certificate in {environment.EnvironmentName}: the data-protection key ring "
                    + "(sessions, antiforgery tokens, striper pre-shared keys) is encrypted at rest with it. Create one as docs/operations.md "
                    + "(\"Secrets at rest\") shows, or, for a demo only, set Fleet:DataProtection:AllowUnencryptedKeyRing=true.");
        }

        if (!KeyRingEncryption.Load(keyRing, out var certificate, out var problem))
        {
            return ValidateOptionsResult.Fail(problem!);
        }

        certificate?.Dispose();
        return ValidateOptionsResult.Success;
    }
}

/// <summary>
/// Decrypts key-ring elements that <see cref="KeyRingEncryption"/> encrypted, with the configured certificate's private
/// key. The data-protection system creates it by the type named in each element, passing the Api's services.
/// </summary>
internal sealed class KeyRingEncryptedXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var certificate = services.GetRequiredService<KeyRingEncryption>().Certificate
            ?? throw new InvalidOperationException($"The key ring was encrypted with a certificate, but {KeyRingEncryption.CertificatePathKey} is not set.");
        var document = new XmlDocument();
        document.Load(new XElement("root", encryptedElement).CreateReader());
        new CertificateKeyEncryptedXml(document, certificate).DecryptDocument();
        return XElement.Load(document.DocumentElement!.FirstChild!.CreateNavigator()!.ReadSubtree());
    }

    /// <summary>Finds the session key's decryption key in the certificate only, never in a certificate store.</summary>
    private sealed class CertificateKeyEncryptedXml(XmlDocument document, X509Certificate2 certificate) : EncryptedXml(document)
    {
        public override byte[]? DecryptEncryptedKey(EncryptedKey encryptedKey)
        {
            using var rsa = certificate.GetRSAPrivateKey()
                ?? throw new CryptographicException($"The key-ring certificate {certificate.Subject} has no RSA private key.");
            return DecryptKey(encryptedKey.CipherData.CipherValue!, rsa, encryptedKey.EncryptionMethod?.KeyAlgorithm == XmlEncRSAOAEPUrl);
        }
    }
}
