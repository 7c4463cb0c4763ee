using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Live;

/// <summary>The fan-out's own push loop (the other suites call its flush directly), on a clock that counts its wake-ups.</summary>
public sealed class LiveFanoutLoopTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly CountingClock _clock = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private LiveFanoutBed _bed = null!;

    public async ValueTask InitializeAsync()
    {
        _bed = await LiveFanoutBed.CreateAsync(postgres, _clock, desiredGeneration: 1, observedGeneration: 1, LinkPhase.Applied);
        await _bed.Fanout.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _bed.Fanout.StopAsync(CancellationToken.None);
        await _bed.DisposeAsync();
    }

    // An idle Api used to tick every 20 ms for ever: 3,000 wake-ups a minute, and a test moving its clock by hours spent
    // half a minute firing them.
    [Fact]
    public async Task Idle_AMinuteCostsAFewWakeUps_NotATickEvery20Ms()
    {
        await Task.Yield();
        var before = _clock.Fired;

        for (var second = 0; second < 60; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(_clock.Fired - before, 0, 12);
    }

    [Fact]
    public async Task SampleArrives_PushedByTheLoop_ThenIdleAgain()
    {
        var cancel = TestContext.Current.CancellationToken;
        await _bed.Fanout.SubscribeLinkAsync("c1", _bed.LinkId, cancel);
        var sample = new MemberSample { LinkId = _bed.LinkId, Member = "eth0", Time = _clock.GetUtcNow(), IntervalMs = 1000, TxBytes = 7 };
        _bed.Fanout.PublishSamples(_bed.HostId, [sample]);

        // The loop wakes on the arrival and pushes at once; should a push still wait (a tick of the test's clock), the
        // test moves the clock until it is there.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Pushes().Count == 0 && DateTime.UtcNow < deadline)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(5, cancel);
        }

        var push = Assert.Single(Pushes());
        Assert.Equal([sample], (IReadOnlyList<MemberSample>)push.Payload);

        // Pushed and nothing else waiting: back to the idle wait.
        await Task.Delay(50, cancel);
        var before = _clock.Fired;
        for (var second = 0; second < 60; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(_clock.Fired - before, 0, 12);
    }

    private List<(string Connection, string Method, Guid LinkId, object Payload)> Pushes()
    {
        lock (_bed.Hub.Pushes)
        {
            return [.. _bed.Hub.Pushes.Where(p => p.Method == nameof(ILiveClient.LinkSamples))];
        }
    }

    /// <summary>A fake clock that counts the timer callbacks it fires.</summary>
    private sealed class CountingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private int _fired;

        public int Fired => Volatile.Read(ref _fired);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(s =>
            {
                Interlocked.Increment(ref _fired);
                callback(s);
            }, state, dueTime, period);
    }
}
