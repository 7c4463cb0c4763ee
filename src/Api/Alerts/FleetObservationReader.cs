using Fleet.Api.Agents;
using Fleet.Api.Alerts.Caps;
using Fleet.Api.Alerts.Rules;
using Fleet.Api.Data;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts;

/// <summary>
/// Reads what the rules look at. From the database: hosts' presence (<see cref="HostPresence.IsOnline"/>, the rule
/// REST's <c>online</c> follows), links' rollout phase and members' health, which <see cref="HostActivity"/> writes
/// within milliseconds of the batch that changed it, and the enabled custom rules (hosts' labels only when one selects
/// by label). Reading the stored state rather than one replica's share of the live stream makes every replica see the
/// whole fleet, and an Api that restarts sees what it saw before. Members' newest samples come from memory
/// (<see cref="LatestSamples"/>, fed by every replica's stored samples), never from the samples table; capped members'
/// usage from <see cref="DataCapUsage"/>, which counts stored samples at most once a minute.
/// </summary>
public sealed class FleetObservationReader(
    IDbContextFactory<FleetDbContext> contexts, LatestSamples samples, DataCapUsage caps, IOptions<AlertOptions> options, TimeProvider time)
{
    private static readonly TimeSpan s_retainEvery = TimeSpan.FromMinutes(1);
    private DateTimeOffset _retainedAt = DateTimeOffset.MinValue;

    public async Task<FleetObservation> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var customRules = (await db.AlertRules.AsNoTracking().Where(r => r.Enabled).ToListAsync(cancellationToken))
            .Select(CustomAlertRule.From).OfType<CustomAlertRule>().ToList();
        Dictionary<Guid, Dictionary<string, string>>? labels = null;
        if (customRules.Any(r => r.Scope == AlertRuleScope.Labels))
        {
            labels = (await db.HostLabels.AsNoTracking().ToListAsync(cancellationToken))
                .GroupBy(l => l.HostId)
                .ToDictionary(g => g.Key, g => g.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal));
        }

        var overflows = new Dictionary<Guid, DateTime>();
        if (options.Value.IsEnabled(AlertRule.AgentQueueOverflow))
        {
            // The events' time index bounds this to the window's few rows.
            var since = UtcDateTimeConverter.ToStore((now - options.Value.Rules.AgentQueueOverflow.Window).UtcDateTime);
            overflows = await db.Events.AsNoTracking()
                .Where(e => e.Time >= since && e.Kind == AgentEventKind.QueueOverflow)
                .GroupBy(e => e.HostId)
                .Select(g => new { g.Key, Last = g.Max(e => e.Time) })
                .ToDictionaryAsync(g => g.Key, g => g.Last, cancellationToken);
        }

        // Hosts whose agent never connected are not offline: they have not started.
        var hosts = await db.Hosts.AsNoTracking()
            .Where(h => h.DecommissionedAt == null && h.LastSeenAt != null)
            .Select(h => new { h.Id, h.Name, h.ConnectedSince, h.LastSeenAt })
            .ToListAsync(cancellationToken);
        var links = await db.Links.AsNoTracking()
            .Where(l => l.DeletedAt == null)
            .Select(l => new
            {
                l.Id,
                l.HostId,
                l.Name,
                l.Phase,
                Members = l.Members.OrderBy(m => m.Position).Select(m => new ObservedMember(m.Interface, m.AdminState, m.Health, null)).ToList(),
            })
            .ToListAsync(cancellationToken);
        if (now - _retainedAt >= s_retainEvery)
        {
            samples.Retain(links.Select(l => l.Id).ToHashSet());
            _retainedAt = now;
        }

        return new FleetObservation(
            hosts.Select(h => new ObservedHost(h.Id, h.Name, HostPresence.IsOnline(h.ConnectedSince, h.LastSeenAt, now), labels?.GetValueOrDefault(h.Id) ?? (labels is null ? null : []),
                overflows.TryGetValue(h.Id, out var overflowAt) ? new DateTimeOffset(DateTime.SpecifyKind(overflowAt, DateTimeKind.Utc)) : null)).ToList(),
            links.Select(l => new ObservedLink(l.Id, l.HostId, l.Name, l.Phase, l.Members.Select(m => m with { Latest = samples.Of(l.Id, m.Interface) }).ToList())).ToList(),
            customRules,
            CapsEnabled ? await caps.GetAsync(cancellationToken) : null);
    }

    private bool CapsEnabled =>
        options.Value.IsEnabled(AlertRule.DataCapWarning) || options.Value.IsEnabled(AlertRule.DataCapCritical) || options.Value.IsEnabled(AlertRule.DataCapExhausted);
}
