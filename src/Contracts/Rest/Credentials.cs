using System.Text.Json.Serialization;

namespace Fleet.Contracts.Rest;

/// <summary>An enrollment token (without its secret).</summary>
public sealed record EnrollmentTokenDto
{
    /// <summary>Token id.</summary>
    public required Guid Id { get; init; }

    /// <summary>What the token is for.</summary>
    public string? Description { get; init; }

    /// <summary>The first characters of the secret, to recognise it.</summary>
    public required string Prefix { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who created it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When it stops working.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>How many hosts may enroll with it.</summary>
    public required int MaxUses { get; init; }

    /// <summary>How many have.</summary>
    public required int UseCount { get; init; }

    /// <summary>When it was revoked.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When a host last enrolled with it.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary><c>active</c>, <c>expired</c>, <c>exhausted</c> or <c>revoked</c>.</summary>
    public required string State { get; init; }
}

/// <summary>A new enrollment token; <see cref="Secret"/> is shown this once and never again.</summary>
/// <param name="Token">The token.</param>
/// <param name="Secret">The secret (<c>fleet_e_…</c>) to give to <c>fleet-agent enroll</c>.</param>
public sealed record CreatedEnrollmentTokenDto(EnrollmentTokenDto Token, string Secret);

/// <summary>Create an enrollment token.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateEnrollmentTokenRequest
{
    /// <summary>What it is for (up to 200 characters).</summary>
    public string? Description { get; init; }

    /// <summary>Lifetime in seconds, 60 to 2,592,000 (30 days); default 3600.</summary>
    public int ExpiresInSeconds { get; init; } = 3600;

    /// <summary>How many hosts may enroll with it, 1 to 10,000; default 1 (one-time).</summary>
    public int MaxUses { get; init; } = 1;
}

/// <summary>An API key (without its secret).</summary>
public sealed record ApiKeyDto
{
    /// <summary>Key id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Name.</summary>
    public required string Name { get; init; }

    /// <summary>The key's role.</summary>
    public required FleetRole Role { get; init; }

    /// <summary>The first characters of the secret, to recognise it.</summary>
    public required string Prefix { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who created it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When it stops working, if ever.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When it was revoked.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When it was last used (updated at most once a minute).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }
}

/// <summary>A new API key; <see cref="Secret"/> is shown this once and never again.</summary>
/// <param name="Key">The key.</param>
/// <param name="Secret">The secret (<c>fleet_k_…</c>), sent as <c>Authorization: Bearer …</c>.</param>
public sealed record CreatedApiKeyDto(ApiKeyDto Key, string Secret);

/// <summary>Create an API key.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateApiKeyRequest
{
    /// <summary>Name (1–100 characters).</summary>
    public required string Name { get; init; }

    /// <summary>The key's role.</summary>
    public required FleetRole Role { get; init; }

    /// <summary>When it stops working (future); never when absent.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A local user of the dashboard.</summary>
public sealed record UserDto
{
    /// <summary>User id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Login name.</summary>
    public required string UserName { get; init; }

    /// <summary>Role.</summary>
    public required FleetRole Role { get; init; }

    /// <summary>When the user was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the user was disabled; absent while active.</summary>
    public DateTimeOffset? DisabledAt { get; init; }

    /// <summary>Last successful login.</summary>
    public DateTimeOffset? LastLoginAt { get; init; }
}

/// <summary>Create a user.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateUserRequest
{
    /// <summary>Login name: 1–64 of <c>[a-z0-9._-]</c>, starting with a letter or digit.</summary>
    public required string UserName { get; init; }

    /// <summary>Password, 12–256 characters.</summary>
    public required string Password { get; init; }

    /// <summary>Role.</summary>
    public required FleetRole Role { get; init; }
}

/// <summary>Change a user. Absent properties stay as they are.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateUserRequest
{
    /// <summary>New role.</summary>
    public FleetRole? Role { get; init; }

    /// <summary>New password, 12–256 characters (signs the user out everywhere).</summary>
    public string? Password { get; init; }

    /// <summary>Disable (true) or enable (false) the user.</summary>
    public bool? Disabled { get; init; }
}

/// <summary>An agent's enrollment request (<c>POST /api/v1/agents/enroll</c>, no authentication).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EnrollRequest
{
    /// <summary>The enrollment token's secret (<c>fleet_e_…</c>).</summary>
    public required string Token { get; init; }

    /// <summary>The host's name as the kernel knows it (1–253 characters).</summary>
    public required string Hostname { get; init; }

    /// <summary>Display name; the hostname when absent.</summary>
    public string? Name { get; init; }
}

/// <summary>The answer to a successful enrollment. <see cref="Credential"/> is shown this once: store it mode 0600.</summary>
/// <param name="HostId">The new host's id.</param>
/// <param name="Credential">The agent credential (<c>fleet_a_…</c>) for <c>Authorization: Bearer</c> on the agent hub.</param>
public sealed record EnrollResponse(Guid HostId, string Credential);
