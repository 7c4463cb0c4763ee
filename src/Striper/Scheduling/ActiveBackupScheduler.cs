using System.Numerics;
using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>
/// active_backup: everything on one path, the first usable one in spec order. The usable set already prefers active
/// members and falls back to backup members only when no active member is healthy, so this is failover without
/// striping.
/// </summary>
public sealed class ActiveBackupScheduler : IStripeScheduler
{
    /// <inheritdoc />
    public StripeSchedulerKind Kind => StripeSchedulerKind.ActiveBackup;

    /// <inheritdoc />
    public uint Select(PathSet paths, uint eligible, int bytes, double nowSeconds)
    {
        return eligible == 0 ? 0 : 1u << BitOperations.TrailingZeroCount(eligible);
    }
}
