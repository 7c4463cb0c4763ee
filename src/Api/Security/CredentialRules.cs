using Fleet.Api.Data.Entities;

namespace Fleet.Api.Security;

/// <summary>When an API key is usable: not revoked, not expired. The bearer handler and the hub revalidation both ask.</summary>
public static class CredentialRules
{
    public static bool IsUsable(ApiKeyEntity key, DateTime nowUtc) =>
        key.RevokedAt is null && (key.ExpiresAt is not { } expires || expires > nowUtc);
}
