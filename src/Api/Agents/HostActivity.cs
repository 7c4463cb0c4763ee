using System.Collections.Concurrent;
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
/// <c>health</c> (written when it changes, within a second) and striper members' <c>tier</c> and <c>idle_reason</c>
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

        foreach (var (key, sample) in latest)
        {
            if (!_health.TryGetValue(key, out var known) || known != sample.Health)
            {
                _health[key] = sample.Health;
                _changedHealth[key] = (sample.Health, sample.Time.UtcDateTime);
            }
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

        if (!_changedHealth.IsEmpty)
        {
            var changes = _changedHealth.ToArray();
            foreach (var (key, _) in changes)
            {
                _changedHealth.TryRemove(key, out _);
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            foreach (var ((link, member), (health, at)) in changes)
            {
                var changedAt = UtcDateTimeConverter.ToStore(at);
                await db.Members
                    .Where(m => m.LinkId == link && m.Interface == member && m.Health != health)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Health, health).SetProperty(m => m.HealthChangedAt, changedAt), cancellationToken);
            }
        }

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
