using Fleet.Contracts.Links;
using Fleet.Striper.Engine;

namespace Fleet.Striper.Classes;

/// <summary>
/// Which paths may carry data, by tier and health (docs/striper-protocol.md, "Tiers"), recomputed by the control
/// thread every tick: the primaries that are up; else those degraded or not yet known; else the overflow members the
/// same way; else the backups the same way; as a last resort every enabled path with a peer except tier never (health
/// could be wrong, and sending into a dead path costs nothing). While the primaries carry, the overflow members that
/// are up (else not down) stand by for the excess.
/// </summary>
internal static class TierSelection
{
    /// <summary>
    /// The usable paths; the live ones (the usable paths' tier, not down: a superset of the usable paths); and the
    /// overflow members standing by (0 unless the usable paths are primaries).
    /// </summary>
    public static (uint Usable, uint Live, uint Overflow) Compute(PathRuntime[] paths)
    {
        uint primaryUp = 0, primaryOther = 0, overflowUp = 0, overflowOther = 0, backupUp = 0, backupOther = 0, enabled = 0;
        foreach (var path in paths)
        {
            var tier = path.Tier;
            if (path.Member.AdminState == MemberAdminState.Disabled || path.Peer is null || tier == LinkTier.Never)
            {
                continue;
            }

            var bit = 1u << path.Index;
            enabled |= bit;
            var state = path.Health.State;
            if (state == MemberHealth.Down)
            {
                continue;
            }

            var up = state == MemberHealth.Up;
            switch (tier)
            {
                case LinkTier.Primary:
                    if (up)
                    {
                        primaryUp |= bit;
                    }
                    else
                    {
                        primaryOther |= bit;
                    }
                    break;
                case LinkTier.Overflow:
                    if (up)
                    {
                        overflowUp |= bit;
                    }
                    else
                    {
                        overflowOther |= bit;
                    }
                    break;
                case LinkTier.Backup:
                    if (up)
                    {
                        backupUp |= bit;
                    }
                    else
                    {
                        backupOther |= bit;
                    }
                    break;
                case LinkTier.Never:
                    break;
                default:
                    throw new InvalidOperationException($"unknown tier {tier}");
            }
        }

        var primaries = primaryUp != 0 ? primaryUp : primaryOther;
        if (primaries != 0)
        {
            return (primaries, primaryUp | primaryOther, overflowUp != 0 ? overflowUp : overflowOther);
        }

        var (usable, live) = overflowUp != 0 ? (overflowUp, overflowUp | overflowOther)
            : overflowOther != 0 ? (overflowOther, overflowOther)
            : backupUp != 0 ? (backupUp, backupUp | backupOther)
            : backupOther != 0 ? (backupOther, backupOther)
            : (enabled, enabled);
        return (usable, live, 0);
    }

    /// <summary>
    /// Why a path carries no data now, or null when it may: <paramref name="usable"/> and <paramref name="overflow"/>
    /// as <see cref="Compute"/> gave them, <paramref name="overflowInUse"/> whether the primaries were saturated lately.
    /// </summary>
    public static string? IdleReason(PathRuntime path, MemberHealth health, string healthReason, uint usable, uint overflow, bool overflowInUse)
    {
        var bit = 1u << path.Index;
        var tier = path.Tier;
        if (path.Member.AdminState == MemberAdminState.Disabled)
        {
            return "disabled";
        }

        if (tier == LinkTier.Never)
        {
            return "tier never: kept connected and probed, never carries data";
        }

        if (path.Peer is null)
        {
            return "no peer address yet";
        }

        if ((usable & bit) != 0)
        {
            return null;
        }

        if ((overflow & bit) != 0)
        {
            return overflowInUse ? null : "overflow: the primaries are not saturated";
        }

        if (health == MemberHealth.Down)
        {
            return $"down: {healthReason}";
        }

        return tier switch
        {
            LinkTier.Primary => $"{Wire(health)}: other primaries are up",
            LinkTier.Overflow => $"overflow, {Wire(health)}: other overflow members are up",
            LinkTier.Backup => "backup: a primary or overflow member is up",
            LinkTier.Never => "tier never",
            _ => throw new InvalidOperationException($"unknown tier {tier}"),
        };
    }

    private static string Wire(MemberHealth health) => health.ToString().ToLowerInvariant();
}
