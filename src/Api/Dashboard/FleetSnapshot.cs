using Fleet.Api.Data;
using Fleet.Api.Doctor;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Web.Overview;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// Hosts, their links and members, and every member's latest values, read in three queries and summarized with
/// <see cref="LinkHealthRule"/>: what the overview filters, counts and pages, and what the host page lists.
/// </summary>
public sealed class FleetSnapshot(FleetDbContext db, ILatestMemberValues latest, TimeProvider clock, FleetSnapshotCache? cache = null)
{
    /// <summary>A host counts as online when its agent was heard from this recently.</summary>
    public static readonly TimeSpan OnlineWindow = TimeSpan.FromSeconds(90);

    /// <summary>Samples older than this are not "latest" any more (the member's rates read unknown).</summary>
    public static readonly TimeSpan LatestWindow = TimeSpan.FromSeconds(15);

    /// <summary>One host with its summarized links (last events not filled in).</summary>
    public sealed record HostRow(HostSummary Summary, string SearchText, IReadOnlyList<LinkRow> Links);

    /// <summary>One link with its members' latest values.</summary>
    public sealed record LinkRow(LinkSummary Summary, IReadOnlyList<MemberRow> Members);

    /// <summary>One member as summarized.</summary>
    public sealed record MemberRow(string Interface, MemberAdminState AdminState, MemberHealth Health, LatestMemberValue? Latest);

    /// <summary>Every host's rows as read at one moment.</summary>
    public sealed record Taken(DateTimeOffset TakenAt, IReadOnlyList<HostRow> Hosts);

    /// <summary>Every host not decommissioned, ordered by name, from <see cref="FleetSnapshotCache"/> when there is one.</summary>
    public async Task<Taken> LoadFleetAsync(CancellationToken cancellationToken)
    {
        if (cache is not null)
        {
            return await cache.GetAsync(cancellationToken);
        }

        var takenAt = clock.GetUtcNow();
        return new Taken(takenAt, await LoadFromDatabaseAsync(hostId: null, cancellationToken));
    }

    /// <summary>Only <paramref name="hostId"/>'s row, from the database.</summary>
    public Task<IReadOnlyList<HostRow>> LoadAsync(Guid hostId, CancellationToken cancellationToken) => LoadFromDatabaseAsync(hostId, cancellationToken);

    /// <summary>Every host not decommissioned (or only <paramref name="hostId"/>), ordered by name, read now.</summary>
    public async Task<IReadOnlyList<HostRow>> LoadFromDatabaseAsync(Guid? hostId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hostQuery = db.Hosts.AsNoTracking().Where(h => h.DecommissionedAt == null);
        if (hostId is { } onlyHost)
        {
            hostQuery = hostQuery.Where(h => h.Id == onlyHost);
        }

        var hosts = await hostQuery
            .Select(h => new { h.Id, h.Name, h.LastSeenAt, Labels = h.Labels.Select(l => l.Key + "=" + l.Value).ToList() })
            .ToListAsync(cancellationToken);

        var linkQuery = db.Links.AsNoTracking().Where(l => l.DeletedAt == null);
        if (hostId is { } linkHost)
        {
            linkQuery = linkQuery.Where(l => l.HostId == linkHost);
        }

        var links = await linkQuery
            .Select(l => new
            {
                l.Id,
                l.HostId,
                l.Name,
                l.Kind,
                l.Phase,
                Members = l.Members.OrderBy(m => m.Position).Select(m => new { m.Interface, m.AdminState, m.Health }).ToList(),
            })
            .ToListAsync(cancellationToken);

        var values = await latest.GetAsync(hostId is null ? null : links.Select(l => l.Id).ToList(), now - LatestWindow, cancellationToken);
        var speedTests = await LatestSpeedTestsAsync(hostId, cancellationToken);
        var linksByHost = links.ToLookup(l => l.HostId);
        var rows = new List<HostRow>(hosts.Count);
        foreach (var host in hosts.OrderBy(h => h.Name, StringComparer.OrdinalIgnoreCase).ThenBy(h => h.Id))
        {
            var lastSeen = host.LastSeenAt is { } seen ? new DateTimeOffset(seen, TimeSpan.Zero) : (DateTimeOffset?)null;
            var online = lastSeen is { } s && now - s <= OnlineWindow;
            var linkRows = new List<LinkRow>();
            var hostHealth = LinkHealth.Healthy;
            foreach (var link in linksByHost[host.Id].OrderBy(l => l.Name, StringComparer.Ordinal))
            {
                var members = link.Members.Select(m =>
                {
                    values.TryGetValue((link.Id, m.Interface), out var value);
                    var health = !online ? MemberHealth.Unknown : value?.Health ?? m.Health;
                    return new MemberRow(m.Interface, m.AdminState, health, online ? value : null);
                }).ToList();
                var summary = Summarize(link.Id, link.Name, link.Kind, link.Phase, members);
                if (speedTests.TryGetValue(link.Id, out var speedTest))
                {
                    summary = summary with { Aggregation = Aggregation(members, speedTest) };
                }

                hostHealth = LinkHealthRule.Worst(hostHealth, summary.Health);
                linkRows.Add(new LinkRow(summary, members));
            }

            if (linkRows.Count == 0 || !online)
            {
                hostHealth = LinkHealth.Unknown;
            }

            var summaryRow = new HostSummary(host.Id, host.Name, host.Labels.Order(StringComparer.Ordinal).ToList(), online, lastSeen, hostHealth,
                linkRows.Select(l => l.Summary).ToList());
            var search = string.Join('\n', [host.Name, .. host.Labels, .. linkRows.Select(l => l.Summary.Name)]);
            rows.Add(new HostRow(summaryRow, search, linkRows));
        }

        return rows;
    }

    /// <summary>
    /// The latest completed speed test of each striper link (of <paramref name="hostId"/>'s, or every host's), for the
    /// aggregation column, in one query (<see cref="SpeedTestQueries.LatestCompleted"/>, the diagnosis's rule too).
    /// </summary>
    private async Task<Dictionary<Guid, SpeedTestResult>> LatestSpeedTestsAsync(Guid? hostId, CancellationToken cancellationToken)
    {
        var latest = SpeedTestQueries.LatestCompleted(db);
        if (hostId is { } host)
        {
            latest = latest.Where(t => t.HostId == host);
        }

        var latestTests = await latest
            .Select(t => new { t.LinkId, t.Result })
            .ToListAsync(cancellationToken);
        var byLink = new Dictionary<Guid, SpeedTestResult>();
        foreach (var test in latestTests)
        {
            byLink[test.LinkId] = test.Result!;
        }

        return byLink;
    }

    /// <summary>
    /// What the link sent in its members' latest interval against the capacities its latest speed test measured for the
    /// members carrying now (active and up): the rule of <see cref="AggregationRatio.Of(double, IReadOnlyCollection{double?}, DoctorThresholds?)"/>.
    /// </summary>
    private static AggregationRatio? Aggregation(IReadOnlyList<MemberRow> members, SpeedTestResult speedTest)
    {
        var delivered = members.Sum(m => m.Latest?.TxBitsPerSecond ?? 0);
        var capacities = members
            .Where(m => m.AdminState == MemberAdminState.Active && m.Health is MemberHealth.Up or MemberHealth.Degraded)
            .Select(m => speedTest.CapacityOf(m.Interface))
            .ToList();
        return AggregationRatio.Of(delivered, capacities);
    }

    /// <summary>A link's line: throughput and worst values over its members' latest samples.</summary>
    public static LinkSummary Summarize(Guid id, string name, LinkKind kind, LinkPhase phase, IReadOnlyList<MemberRow> members)
    {
        double? throughput = null;
        double? worstLoss = null;
        int? worstReorder = null;
        var up = 0;
        foreach (var member in members)
        {
            if (member.Health is MemberHealth.Up or MemberHealth.Degraded)
            {
                up++;
            }

            if (member.Latest is { } value)
            {
                throughput = (throughput ?? 0) + value.TxBitsPerSecond + value.RxBitsPerSecond;
                if (value.LossPercent is { } loss)
                {
                    worstLoss = Math.Max(worstLoss ?? 0, loss);
                }

                worstReorder = Math.Max(worstReorder ?? 0, value.ReorderDepth);
            }
        }

        var health = LinkHealthRule.Of(phase, members.Select(m => (m.AdminState, m.Health, m.Latest?.LossPercent)));
        return new LinkSummary(id, name, kind, phase, health, throughput, up, members.Count, worstLoss, worstReorder, LastEvent: null);
    }

    /// <summary>
    /// The event each link in <paramref name="linkIds"/> shows on its row: <see cref="WorstRecentEvent"/> picks it from the
    /// link's newest event and its events within the window, which two queries read.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, EventSummary>> ShownEventsAsync(IReadOnlyCollection<Guid> linkIds, CancellationToken cancellationToken)
    {
        if (linkIds.Count == 0)
        {
            return new Dictionary<Guid, EventSummary>();
        }

        // Two narrow reads instead of the newest event of every severity over all history (which made the page of all
        // 1,000 hosts six times slower): the newest event of each link (its (link, time) index), and the events within
        // the window (the time index; grouping them in SQL cost more than picking here). Together they hold every
        // candidate WorstRecentEvent can pick.
        var now = clock.GetUtcNow();
        var since = (now - WorstRecentEvent.Window).UtcDateTime;
        var newest = await db.Events.AsNoTracking()
            .Where(e => e.LinkId != null && linkIds.Contains(e.LinkId.Value))
            .GroupBy(e => e.LinkId)
            .Select(g => g.OrderByDescending(e => e.Time).ThenByDescending(e => e.Id).Select(e => new { e.LinkId, e.Time, e.Severity, e.Kind, e.Message }).First())
            .ToListAsync(cancellationToken);
        var recent = await db.Events.AsNoTracking()
            .Where(e => e.Time >= since && e.LinkId != null && linkIds.Contains(e.LinkId.Value))
            .Select(e => new { e.LinkId, e.Time, e.Severity, e.Kind, e.Message })
            .ToListAsync(cancellationToken);
        var rows = newest.Concat(recent);
        var shown = new Dictionary<Guid, EventSummary>();
        foreach (var link in rows.GroupBy(r => r.LinkId!.Value))
        {
            var candidates = link.Select(r => new EventSummary(new DateTimeOffset(r.Time, TimeSpan.Zero), r.Severity, EventKinds.Name(r.Kind), r.Message));
            if (WorstRecentEvent.Pick(candidates, now) is { } picked)
            {
                shown[link.Key] = picked;
            }
        }

        return shown;
    }
}

/// <summary>Event kinds as the dashboard shows and filters them: the wire names (<c>member_down</c>).</summary>
public static class EventKinds
{
    /// <summary>The wire name of <paramref name="kind"/>.</summary>
    public static string Name(AgentEventKind kind) => Fleet.Web.Formatting.WireNames.Of(kind);
}
