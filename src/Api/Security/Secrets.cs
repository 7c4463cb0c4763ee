using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Api.Security;

/// <summary>
/// High-entropy bearer secrets (docs/architecture.md, "Secrets"): a type prefix and 32 random bytes in base64url,
/// shown once; the database keeps their SHA-256 and a short display prefix. A salted slow hash would add nothing for
/// 256-bit random secrets and would make every request pay for it.
/// </summary>
public static class Secrets
{
    public const string ApiKeyPrefix = "fleet_k_";
    public const string EnrollmentTokenPrefix = "fleet_e_";
    public const string AgentCredentialPrefix = "fleet_a_";

    /// <summary>Fewest random characters a configured secret (bootstrap API key) must carry after its prefix.</summary>
    public const int MinRandomChars = 22;

    /// <summary>Longest secret accepted at all; longer input is refused before hashing.</summary>
    public const int MaxLength = 200;

    private const int RandomBytes = 32;
    private const int DisplayLength = 12;

    /// <summary>A new secret of the given type.</summary>
    public static string Generate(string prefix) => prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    /// <summary>Lower-case hex SHA-256 of the secret, as stored.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>The non-secret prefix kept for display (<c>fleet_k_AbCd</c>).</summary>
    public static string DisplayPrefix(string secret) => secret.Length <= DisplayLength ? secret : secret[..DisplayLength];

    /// <summary>True when <paramref name="secret"/> has the prefix followed by enough base64url characters.</summary>
    public static bool IsWellFormed(string? secret, string prefix)
    {
        if (secret is null || secret.Length > MaxLength || !secret.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = secret.AsSpan(prefix.Length);
        if (rest.Length < MinRandomChars)
        {
            return false;
        }

        foreach (var c in rest)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Rules for local user passwords.</summary>
public static class PasswordRules
{
    public const int MinLength = 12;
    public const int MaxLength = 256;

    /// <summary>A random password for the first admin (printed once).</summary>
    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18));
}
