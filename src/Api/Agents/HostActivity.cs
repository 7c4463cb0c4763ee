using System.Collections.Concurrent;
using System.Threading.Channels;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>
/// Keeps the observed columns that change with every batch without writing them with every batch: hosts'
/// <c>last_seen_at</c> (flushed every <see cref="LastSeenInterval"/>, for every host that said something and every host
/// connected to this replica, which is how <see cref="HostPresence"/> knows the replica is alive), members'
/// <c>health</c> (written as soon as a stored batch changes it: REST shows a member Down milliseconds after the agent
/// reported it, issue 20) and striper members' <c>tier</c> and <c>idle_reason</c>
/// (sent by agents only when they change, written within a second). Observed columns only: the desired state belongs
/// to the application layer (<c>LinkCommands</c>).
/// </summary>
public sealed partial class HostActivity(
    IDbContextFactory<FleetDbContext> contexts,
    AgentConnections connections,
    DatabaseReadiness readiness,
    TimeProvider time,
    ILogger<HostActivity> logger) : BackgroundService
{
    /// <summary>How often hosts' last-seen times are written.</summary>
    public static readonly TimeSpan LastSeenInterval = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<Guid, byte> _seen = new();
    private readonly ConcurrentDictionary<(Guid Link, string Member), MemberHealth> _health = new();
    private readonly ConcurrentDictionary<(Guid Link, string Member), (MemberHealth Health, DateTime At)> _changedHealth = new();
    private readonly ConcurrentDictionary<(Guid Link, string Member), (LinkTier Tier, string? IdleReason, DateTime At)> _changedStates = new();
    private readonly Channel<bool> _healthChanged = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly SemaphoreSlim _healthWrite = new(1, 1);
    private DateTime _lastSeenFlush = DateTime.MinValue;

    /// <summary>The host said something (hello, batch, state).</summary>
    public void Seen(Guid hostId) => _seen[hostId] = 0;

    /// <summary>A batch was stored: the host is alive, and each member's health is its latest sample's.</summary>
    public void SamplesStored(Guid hostId, IReadOnlyList<MemberSample> samples)
    {
        Seen(hostId);
        var latest = new Dictionary<(Guid, string), MemberSample>();
        foreach (var sample in samples)
        {
            var key = (sample.LinkId, sample.Member);
            if (!latest.TryGetValue(key, out var current) || sample.Time >= current.Time)
            {
                latest[key] = sample;
            }
        }

        var changed = false;
        foreach (var (key, sample) in latest)
        {
            if (!_health.TryGetValue(key, out var known) || known != sample.Health)
            {
                _health[key] = sample.Health;
                _changedHealth[key] = (sample.Health, sample.Time.UtcDateTime);
                changed = true;
            }
        }

        if (changed)
        {
            _healthChanged.Writer.TryWrite(true);
        }
    }

    /// <summary>A batch with striper members' tier and idle reason was stored: each member keeps its latest.</summary>
    public void MemberStatesStored(IReadOnlyList<MemberState> states)
    {
        foreach (var state in states)
        {
            var key = (state.LinkId, state.Member);
            var at = state.Time.UtcDateTime;
            var reason = state.IdleReason is null ? null : AgentText.Cut(state.IdleReason, MemberEntity.IdleReasonMaxLength);
            _changedStates.AddOrUpdate(key, (state.Tier, reason, at), (_, known) => at >= known.At ? (state.Tier, reason, at) : known);
        }
    }

    /// <summary>Writes what changed; the loop calls it every second, tests call it directly.</summary>
    public async Task FlushAsync(bool lastSeenToo, CancellationToken cancellationToken)
    {
        if (!_changedStates.IsEmpty)
        {
            var changes = _changedStates.ToArray();
            foreach (var (key, value) in changes)
            {
                _changedStates.TryRemove(KeyValuePair.Create(key, value));
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            foreach (var ((link, member), (tier, reason, _)) in changes)
            {
                LinkTier? observed = tier;
                await db.Members
                    .Where(m => m.LinkId == link && m.Interface == member)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Tier, observed).SetProperty(m => m.IdleReason, reason), cancellationToken);
            }
        }

        await FlushHealthAsync(cancellationToken);

        if (lastSeenToo)
        {
            foreach (var connected in connections.ConnectedHostIds())
            {
                _seen[connected] = 0;
            }
        }

        if (lastSeenToo && !_seen.IsEmpty)
        {
            var hosts = _seen.Keys.ToList();
            foreach (var host in hosts)
            {
                _seen.TryRemove(host, out _);
            }

            var now = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Hosts.Where(h => hosts.Contains(h.Id)).ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSeenAt, now), cancellationToken);
        }
    }

    /// <summary>
    /// Writes the members' health changes taken so far. One writer at a time: two writers could store a member's older
    /// health after its newer one.
    /// </summary>
    private async Task FlushHealthAsync(CancellationToken cancellationToken)
    {
        await _healthWrite.WaitAsync(cancellationToken);
        try
        {
            if (_changedHealth.IsEmpty)
            {
                return;
            }

            var changes = _changedHealth.ToArray();
            foreach (var (key, value) in changes)
            {
                _changedHealth.TryRemove(KeyValuePair.Create(key, value));
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);

            // One statement per link, health and sample time: a link's members change together (a fleet's first samples
            // after its links were created, a cut taking several members down in one sample), and a statement per member
            // was 8,000 round trips for 1,000 new sites, each with EF's query preparation (docs/scaling.md).
            var differing = await WithoutStoredAsync(db, changes, cancellationToken);
            foreach (var group in differing.GroupBy(c => (c.Key.Link, c.Value.Health, c.Value.At)))
            {
                var (link, health, at) = group.Key;
                var members = group.Select(c => c.Key.Member).ToList();
                var changedAt = UtcDateTimeConverter.ToStore(at);
                await db.Members
                    .Where(m => m.LinkId == link && members.Contains(m.Interface) && m.Health != health)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Health, health).SetProperty(m => m.HealthChangedAt, changedAt), cancellationToken);
            }
        }
        finally
        {
            _healthWrite.Release();
        }
    }

    /// <summary>
    /// The changes whose health differs from the stored one, read in one query. A member's first sample after the Api
    /// started is a change to this replica's memory but nearly never to the database: without this, every start (and a
    /// fleet's first samples) cost one UPDATE round trip per member, 8,000 for 1,000 sites (docs/scaling.md). The write
    /// keeps its own guard (<c>health != new</c>), so this only saves round trips.
    /// </summary>
    private static async Task<List<KeyValuePair<(Guid Link, string Member), (MemberHealth Health, DateTime At)>>> WithoutStoredAsync(
        FleetDbContext db, KeyValuePair<(Guid Link, string Member), (MemberHealth Health, DateTime At)>[] changes, CancellationToken cancellationToken)
    {
        var links = new HashSet<Guid>();
        foreach (var change in changes)
        {
            links.Add(change.Key.Link);
        }

        var linkIds = links.ToList();
        var stored = await db.Members.AsNoTracking()
            .Where(m => linkIds.Contains(m.LinkId))
            .Select(m => new { m.LinkId, m.Interface, m.Health })
            .ToDictionaryAsync(m => (m.LinkId, m.Interface), m => m.Health, cancellationToken);
        var differing = new List<KeyValuePair<(Guid Link, string Member), (MemberHealth Health, DateTime At)>>();
        foreach (var change in changes)
        {
            if (stored.TryGetValue(change.Key, out var health) && health != change.Value.Health)
            {
                differing.Add(change);
            }
        }

        return differing;
    }

    /// <summary>Writes health changes as they come: every change that arrives while a write runs goes in the next one.</summary>
    private async Task WriteHealthChangesAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _healthChanged.Reader.WaitToReadAsync(stoppingToken))
            {
                _healthChanged.Reader.TryRead(out _);
                if (readiness.Problem is not null)
                {
                    continue;
                }

                try
                {
                    await FlushHealthAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFlushFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var healthWriter = WriteHealthChangesAsync(stoppingToken);
        try
        {
            await FlushPeriodicallyAsync(stoppingToken);
        }
        finally
        {
            await healthWriter;
        }
    }

    private async Task FlushPeriodicallyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (readiness.Problem is not null)
            {
                continue;
            }

            try
            {
                var now = time.GetUtcNow().UtcDateTime;
                var lastSeenToo = now - _lastSeenFlush >= LastSeenInterval;
                await FlushAsync(lastSeenToo, stoppingToken);
                if (lastSeenToo)
                {
                    _lastSeenFlush = now;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFlushFailed(ex);
            }
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Writing host activity failed")]
    private partial void LogFlushFailed(Exception exception);
}
