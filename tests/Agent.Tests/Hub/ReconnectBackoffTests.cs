using Fleet.Agent.Hub;

namespace Fleet.Agent.Tests.Hub;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Next_GrowsExponentiallyWithinJitterBoundsUpToTheMaximum()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(1));
        double[] ceilings = [1, 2, 4, 8, 16, 32, 60, 60, 60];

        foreach (var ceiling in ceilings)
        {
            var delay = backoff.Next().TotalSeconds;
            Assert.InRange(delay, ceiling / 2, ceiling);
        }

        Assert.Equal(ceilings.Length, backoff.Attempts);
    }

    [Fact]
    public void Next_ManyAgents_SpreadOut()
    {
        var delays = Enumerable.Range(0, 200).Select(i => new ReconnectBackoff(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(60), new Random(i)).Next().TotalMilliseconds).ToList();

        Assert.True(delays.Max() - delays.Min() > 3000, "jitter spreads a fleet's reconnects over the step");
    }

    [Fact]
    public void Reset_StartsAgainFromTheMinimum()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(2));
        for (var i = 0; i < 10; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.InRange(backoff.Next().TotalSeconds, 0.5, 1);
    }
}
