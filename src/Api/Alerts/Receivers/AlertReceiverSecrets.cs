using Microsoft.AspNetCore.DataProtection;

namespace Fleet.Api.Alerts.Receivers;

/// <summary>
/// A stored webhook receiver's signing secret at rest: encrypted with the data-protection key ring (purpose
/// <see cref="Purpose"/>), as striper keys are (<c>StriperKeyProtection</c>). Signing needs the secret itself, so it is
/// encrypted rather than hashed; only the delivery path reads it in clear, and no response or log carries it.
/// </summary>
public sealed class AlertReceiverSecrets(IDataProtectionProvider provider)
{
    /// <summary>The data-protection purpose: a payload protected for anything else cannot be read as a receiver secret.</summary>
    public const string Purpose = "Fleet.Alerts.ReceiverSecret.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string stored) => _protector.Unprotect(stored);
}
