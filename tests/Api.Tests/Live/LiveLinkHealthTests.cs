using Fleet.Api.Live;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Live;

/// <summary>
/// Issue 19, stale badges: the link page's header health badge never changed live (it said Healthy while a member was
/// Down in the live table). The Api now pushes the link's health, by the one rule, whenever a member's health, a
/// member's loss against the warning threshold, or the phase changes, and only then.
/// </summary>
public sealed class LiveLinkHealthTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private LiveFanoutBed _bed = null!;
    private LiveLinkHealth _health = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bed = await LiveFanoutBed.CreateAsync(postgres, _clock, desiredGeneration: 1, observedGeneration: 1, LinkPhase.Applied, spec: Specs.Bond(), memberEntities: ["eth1", "eth2"]);
        _health = new LiveLinkHealth(_bed.Contexts, _bed.Fanout, NullLogger<LiveLinkHealth>.Instance);
        await _bed.Fanout.SubscribeLinkAsync("c1", _bed.LinkId, Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        _health.Dispose();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task MemberHealthLossAndPhase_EachChangePushesTheLinksHealth_NothingElseDoes()
    {
        Assert.Equal(LinkHealth.Healthy, await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Up), Sample("eth2", MemberHealth.Up)])));
        Assert.Equal(LinkHealth.Degraded, await AfterAsync(() => _health.SamplesStored([Sample("eth2", MemberHealth.Down)])));
        Assert.Equal(LinkHealth.Healthy, await AfterAsync(() => _health.SamplesStored([Sample("eth2", MemberHealth.Up)])));
        Assert.Equal(LinkHealth.Degraded, await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Up, loss: 5)])));
        Assert.Equal(LinkHealth.Healthy, await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Up, loss: 0.2)])));

        // Samples that change nothing the rule looks at (loss stays under the threshold) push nothing.
        Assert.Null(await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Up, loss: 0.4), Sample("eth2", MemberHealth.Up)])));

        await using (var db = await _bed.Contexts.CreateDbContextAsync(Cancel))
        {
            await db.Links.Where(l => l.Id == _bed.LinkId).ExecuteUpdateAsync(s => s.SetProperty(l => l.Phase, LinkPhase.Failed), Cancel);
        }

        Assert.Equal(LinkHealth.Degraded, await AfterAsync(() => _health.PhaseChanged(_bed.LinkId)));
        Assert.Equal(LinkHealth.Down, await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Down), Sample("eth2", MemberHealth.Down)])));
    }

    /// <summary>Runs <paramref name="change"/>, publishes, and returns the health of the state pushed for it (null: none).</summary>
    private async Task<LinkHealth?> AfterAsync(Action change)
    {
        var before = _bed.Hub.Pushes.Count;
        change();
        await _health.PublishAsync(Cancel);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _bed.Fanout.Flush();
        var pushed = _bed.Hub.Pushes.Skip(before).Where(p => p.Method == nameof(ILiveClient.LinkState)).Select(p => (LiveLinkState)p.Payload).ToList();
        return pushed.Count == 0 ? null : Assert.Single(pushed).Health;
    }

    private MemberSample Sample(string member, MemberHealth health, double? loss = null) => new()
    {
        LinkId = _bed.LinkId,
        Member = member,
        Time = _clock.GetUtcNow(),
        IntervalMs = 1000,
        Health = health,
        LossPercent = loss,
    };
}
