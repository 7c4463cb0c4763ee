using Fleet.Api.Data;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts.Caps;

/// <summary>How much of its cap one member has used in the current cycle.</summary>
public sealed record CapUsage(Guid HostId, Guid LinkId, string LinkName, string Member, DataCap Cap, DateTimeOffset CycleStart, long UsedBytes)
{
    /// <summary>Used bytes as a percentage of the cap.</summary>
    public double Percent => 100.0 * UsedBytes / Cap.Bytes;
}

/// <summary>
/// Counts the traffic of every capped member (<see cref="MemberSpec.Cap"/>) over its current cycle from stored samples:
/// the hour rollups for the hours already rolled up (raw samples are kept a day, a cycle is a month), the raw samples
/// after the last of them. Received and sent bytes count alike, as carriers count them. The links' specs and the sums
/// are read at most every <see cref="AlertOptions.CapRefreshInterval"/>: a cap moves slowly, and the sums are the
/// heaviest reads the rules make.
/// </summary>
public sealed class DataCapUsage(IDbContextFactory<FleetDbContext> contexts, IOptions<AlertOptions> options, TimeProvider time)
{
    private IReadOnlyList<CapUsage> _usage = [];
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    /// <summary>The capped members' usage, read again when older than the refresh interval.</summary>
    public async ValueTask<IReadOnlyList<CapUsage>> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _readAt < options.Value.CapRefreshInterval)
        {
            return _usage;
        }

        _usage = await ReadAsync(now, cancellationToken);
        _readAt = now;
        return _usage;
    }

    private async Task<IReadOnlyList<CapUsage>> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // Specs are JSON: which links have a capped member is known only once they are read.
        var links = await db.Links.AsNoTracking().Where(l => l.DeletedAt == null).Select(l => new { l.Id, l.HostId, l.Name, l.Spec }).ToListAsync(cancellationToken);
        var usage = new List<CapUsage>();
        foreach (var link in links)
        {
            foreach (var member in link.Spec.Members)
            {
                if (member.Cap is not { } cap)
                {
                    continue;
                }

                var cycleStart = cap.CycleStart(now);
                var used = await CountAsync(db, link.Id, member.Interface, UtcDateTimeConverter.ToStore(cycleStart.UtcDateTime), cancellationToken);
                usage.Add(new CapUsage(link.HostId, link.Id, link.Name, member.Interface, cap, cycleStart, used));
            }
        }

        return usage;
    }

    /// <summary>The member's bytes since <paramref name="since"/> (an hour boundary): rolled-up hours, then raw samples after them.</summary>
    public static async Task<long> CountAsync(FleetDbContext db, Guid linkId, string member, DateTime since, CancellationToken cancellationToken)
    {
        var hours = db.SampleHours.AsNoTracking().Where(h => h.LinkId == linkId && h.Member == member && h.BucketStart >= since);
        var lastHour = await hours.MaxAsync(h => (DateTime?)h.BucketStart, cancellationToken);
        var rolledUp = lastHour is null ? 0 : await hours.SumAsync(h => h.RxBytes + h.TxBytes, cancellationToken);
        var rawSince = lastHour is { } last ? last.AddHours(1) : since;
        var raw = await db.Samples.AsNoTracking()
            .Where(s => s.LinkId == linkId && s.Member == member && s.Time >= rawSince)
            .SumAsync(s => s.RxBytes + s.TxBytes, cancellationToken);
        return rolledUp + raw;
    }
}
