using System.Collections.Frozen;

namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// The JSON names of <see cref="MemberSpec"/>'s fields, for validator paths and editor fields alike. The kind-specific
/// ones are allowed only on members of kinds that list them in <see cref="LinkKindDescriptor.MemberFieldNames"/>.
/// </summary>
public static class MemberFields
{
    /// <summary>The member's interface.</summary>
    public const string Interface = "interface";

    /// <summary>Active, backup or disabled.</summary>
    public const string AdminState = "adminState";

    /// <summary>Rate hint.</summary>
    public const string RateBitsPerSecond = "rateBitsPerSecond";

    /// <summary>Lag hint.</summary>
    public const string LagMilliseconds = "lagMilliseconds";

    /// <summary>Striper weight (kind-specific).</summary>
    public const string Weight = "weight";

    /// <summary>Local address (kind-specific).</summary>
    public const string Address = "address";

    /// <summary>Striper local UDP port (kind-specific).</summary>
    public const string LocalPort = "localPort";

    /// <summary>Striper peer endpoint (kind-specific).</summary>
    public const string Peer = "peer";

    /// <summary>Teql probe target (kind-specific).</summary>
    public const string ProbeTarget = "probeTarget";

    /// <summary>MPTCP endpoint flags (kind-specific).</summary>
    public const string MptcpFlags = "mptcpFlags";

    /// <summary>Striper tier (kind-specific).</summary>
    public const string Tier = "tier";

    /// <summary>Data cap (every kind; the Api counts it, the agent ignores it).</summary>
    public const string Cap = "cap";

    /// <summary>The fields every kind's members have.</summary>
    public static IReadOnlyList<string> Common { get; } = [Interface, AdminState, RateBitsPerSecond, LagMilliseconds, Cap];

    /// <summary>No kind-specific field.</summary>
    public static IReadOnlySet<string> None { get; } = FrozenSet<string>.Empty;

    /// <summary>A set of kind-specific fields, for <see cref="LinkKindDescriptor.MemberFieldNames"/>.</summary>
    public static IReadOnlySet<string> Set(params string[] fields) => fields.ToFrozenSet(StringComparer.Ordinal);
}
