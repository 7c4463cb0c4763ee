using System.Collections.Concurrent;
using System.Threading.Channels;
using Fleet.Api.Data;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Live;

/// <summary>
/// Pushes a link's health to the dashboards when it may have changed: a member's health changed, a member's loss
/// crossed <see cref="LinkHealthRule.LossWarningPercent"/>, or the rollout phase changed. The health is
/// <see cref="LinkHealthRule"/>'s over the members' latest samples and the phase, sent as a
/// <see cref="Contracts.Live.LiveLinkState"/> with <see cref="Contracts.Live.LiveLinkState.Health"/>, so a link page's
/// header badge follows live without a second copy of the rule in the browser (issue 19).
/// </summary>
public sealed partial class LiveLinkHealth(IDbContextFactory<FleetDbContext> contexts, LiveFanout live, ILogger<LiveLinkHealth> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<(Guid Link, string Member), (MemberHealth Health, double? LossPercent)> _members = new();
    private readonly ConcurrentDictionary<Guid, byte> _changed = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Stored samples: a link whose member changed health or crossed the loss threshold is pushed.</summary>
    public void SamplesStored(IReadOnlyList<MemberSample> samples)
    {
        foreach (var sample in samples)
        {
            var key = (sample.LinkId, sample.Member);
            var now = (sample.Health, sample.LossPercent);
            var before = _members.GetValueOrDefault(key, (MemberHealth.Unknown, null));
            _members[key] = now;
            if (before.Health != now.Health || Lossy(before.LossPercent) != Lossy(now.LossPercent))
            {
                Changed(sample.LinkId);
            }
        }
    }

    /// <summary>The link's rollout phase was recorded (after the write).</summary>
    public void PhaseChanged(Guid linkId) => Changed(linkId);

    /// <summary>Pushes the links marked so far; the loop calls it, tests call it directly.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        var ids = _changed.Keys.ToList();
        foreach (var id in ids)
        {
            _changed.TryRemove(id, out _);
        }

        if (ids.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var links = await db.Links.AsNoTracking().Include(l => l.Members)
            .Where(l => ids.Contains(l.Id) && l.DeletedAt == null)
            .ToListAsync(cancellationToken);
        foreach (var link in links)
        {
            var health = LinkHealthRule.Of(link.Phase, link.Members.Select(m =>
                _members.TryGetValue((link.Id, m.Interface), out var latest)
                    ? (m.AdminState, latest.Health, latest.LossPercent)
                    : (m.AdminState, m.Health, (double?)null)));
            live.PublishState(LiveFanout.ToState(link) with { Health = health });
        }

        // A deleted link's members are forgotten.
        foreach (var gone in ids.Except(links.Select(l => l.Id)))
        {
            foreach (var key in _members.Keys.Where(k => k.Link == gone))
            {
                _members.TryRemove(key, out _);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                _wake.Reader.TryRead(out _);
                try
                {
                    await PublishAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPublishFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static bool Lossy(double? lossPercent) => lossPercent > LinkHealthRule.LossWarningPercent;

    private void Changed(Guid linkId)
    {
        _changed[linkId] = 0;
        _wake.Writer.TryWrite(true);
    }

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Pushing link health to the dashboards failed")]
    private partial void LogPublishFailed(Exception exception);
}
