using Fleet.Agent.Backends.InMemory;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Backends.InMemory;

public sealed class SimulatedHostTests
{
    private static readonly CancellationToken s_none = CancellationToken.None;

    private static async Task<List<ulong>> RunAsync(int seed, int seconds, LinkSpec spec)
    {
        var time = new FakeTimeProvider();
        var host = new SimulatedHost("h1", ["eth0", "eth1", "eth2"], new SimulatedHostOptions { Seed = seed, MemberFailuresPerHour = 60 }, time);
        var backend = new InMemoryBackend(spec.Kind, host);
        await backend.ApplyAsync(null, spec, s_none);
        var totals = new List<ulong>();
        for (var i = 0; i < seconds; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var observation = await backend.ObserveAsync(spec, s_none);
            totals.AddRange(observation.Members.Select(m => m.Counters.TxBytes));
        }

        return totals;
    }

    [Fact]
    public async Task ObserveAsync_SameSeedAndTimes_GivesSameCounters()
    {
        var spec = Specs.Bond(mode: BondMode.BalanceRoundRobin, members: ["eth0", "eth1", "eth2"]);

        var first = await RunAsync(7, 120, spec);
        var second = await RunAsync(7, 120, spec);
        var other = await RunAsync(8, 120, spec);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task ObserveAsync_RunningCounters_GrowAtRealisticRates()
    {
        var time = new FakeTimeProvider();
        var host = new SimulatedHost("h1", ["eth0", "eth1"], new SimulatedHostOptions { MinMemberRateBitsPerSecond = 10_000_000, MaxMemberRateBitsPerSecond = 100_000_000 }, time);
        var spec = Specs.Bond(mode: BondMode.BalanceRoundRobin);
        var backend = new InMemoryBackend(LinkKind.Bond, host);
        await backend.ApplyAsync(null, spec, s_none);
        var before = await backend.ObserveAsync(spec, s_none);

        time.Advance(TimeSpan.FromSeconds(10));
        var after = await backend.ObserveAsync(spec, s_none);

        for (var i = 0; i < 2; i++)
        {
            var bitsPerSecond = (after.Members[i].Counters.TxBytes - before.Members[i].Counters.TxBytes) * 8 / 10.0;
            Assert.InRange(bitsPerSecond, 1_000_000, 100_000_000);
            Assert.True(after.Members[i].Counters.TxPackets > before.Members[i].Counters.TxPackets);
            Assert.NotNull(after.Members[i].RttMs);
        }
    }

    [Fact]
    public async Task ObserveAsync_Aggregator_ReportsEachSitesSessionAndPathsAsTheRealOneDoes()
    {
        var time = new FakeTimeProvider();
        var host = new SimulatedHost("agg", ["eth0"], new SimulatedHostOptions { MinMemberRateBitsPerSecond = 10_000_000, MaxMemberRateBitsPerSecond = 100_000_000 }, time);
        var spec = new LinkSpec
        {
            Kind = LinkKind.Aggregator,
            Name = "agg0",
            Members = [new MemberSpec { Interface = "eth0", LocalPort = 7000 }],
            Addresses = ["10.100.0.1/16"],
            Aggregator = new Fleet.Contracts.Links.Aggregators.AggregatorOptions
            {
                Sites =
                [
                    new() { Id = 1, Paths = 2, Prefixes = ["10.100.0.16/28"], Striper = new StriperOptions { Key = "" } },
                    new() { Id = 4, Paths = 1, Prefixes = ["10.100.0.64/28"], Striper = new StriperOptions { Key = "" } },
                ],
            },
        };
        var backend = new InMemoryBackend(LinkKind.Aggregator, host);
        await backend.ApplyAsync(null, spec, s_none);
        var before = await backend.ObserveAsync(spec, s_none);

        time.Advance(TimeSpan.FromSeconds(10));
        var after = await backend.ObserveAsync(spec, s_none);

        Assert.Equal(["eth0", "s1", "s1.0", "s1.1", "s4", "s4.0"], after.Members.Select(m => m.Interface));
        Assert.Equal(MemberHealth.Up, after.Members[1].Health);
        Assert.Equal(0UL, after.Members[1].Counters.TxBytes);
        foreach (var path in new[] { 2, 3, 5 })
        {
            var bitsPerSecond = (after.Members[path].Counters.TxBytes - before.Members[path].Counters.TxBytes) * 8 / 10.0;
            Assert.InRange(bitsPerSecond, 1_000_000, 100_000_000);
        }
    }

    [Fact]
    public async Task ObserveAsync_FrequentFailures_MembersGoDownAndRecover()
    {
        var time = new FakeTimeProvider();
        var host = new SimulatedHost("h1", ["eth0", "eth1"], new SimulatedHostOptions { MemberFailuresPerHour = 600, OutageMin = TimeSpan.FromSeconds(5), OutageMax = TimeSpan.FromSeconds(10) }, time);
        var spec = Specs.Bond(mode: BondMode.BalanceRoundRobin);
        var backend = new InMemoryBackend(LinkKind.Bond, host);
        await backend.ApplyAsync(null, spec, s_none);
        var downs = 0;
        var recoveries = 0;
        var previous = MemberHealth.Up;
        for (var i = 0; i < 1800; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var health = (await backend.ObserveAsync(spec, s_none)).Members[0].Health;
            downs += health == MemberHealth.Down && previous != MemberHealth.Down ? 1 : 0;
            recoveries += health != MemberHealth.Down && previous == MemberHealth.Down ? 1 : 0;
            previous = health;
        }

        Assert.InRange(downs, 20, 400);
        Assert.InRange(recoveries, downs - 1, downs);
    }

    [Fact]
    public async Task ObserveAsync_ActiveBackupBond_OnlyPrimaryCarriesUntilItFails()
    {
        var time = new FakeTimeProvider();
        var host = new SimulatedHost("h1", ["eth0", "eth1"], time: time);
        var spec = Specs.Bond() with { Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100, Primary = "eth1" } };
        var backend = new InMemoryBackend(LinkKind.Bond, host);
        await backend.ApplyAsync(null, spec, s_none);
        var t0 = await backend.ObserveAsync(spec, s_none);
        time.Advance(TimeSpan.FromSeconds(10));
        var t1 = await backend.ObserveAsync(spec, s_none);

        Assert.True(t1.Members[1].Counters.TxBytes - t0.Members[1].Counters.TxBytes > 1_000_000);
        Assert.True(t1.Members[0].Counters.TxBytes - t0.Members[0].Counters.TxBytes < 20_000);

        host.SetMemberDown("eth1", true);
        time.Advance(TimeSpan.FromSeconds(10));
        var t2 = await backend.ObserveAsync(spec, s_none);

        Assert.Equal(MemberHealth.Down, t2.Members[1].Health);
        Assert.Equal(t1.Members[1].Counters.TxBytes, t2.Members[1].Counters.TxBytes);
        Assert.True(t2.Members[0].Counters.TxBytes - t1.Members[0].Counters.TxBytes > 1_000_000);
    }

    [Fact]
    public async Task ApplyAsync_MemberOfAnotherLink_Fails()
    {
        var host = new SimulatedHost("h1", ["eth0", "eth1", "eth2"]);
        var bond = new InMemoryBackend(LinkKind.Bond, host);
        await bond.ApplyAsync(null, Specs.Bond(), s_none);

        var result = await new InMemoryBackend(LinkKind.Striper, host).ApplyAsync(null, Specs.Striper(members: ["eth1", "eth2"]), s_none);

        Assert.False(result.Succeeded);
        Assert.Equal("eth1 is already a member of bond0", result.Error);
    }

    [Fact]
    public async Task ApplyAsync_SameSpecTwice_ChangesNothingTheSecondTime()
    {
        var host = new SimulatedHost("h1", ["eth0", "eth1"]);
        var bond = new InMemoryBackend(LinkKind.Bond, host);
        await bond.ApplyAsync(null, Specs.Bond(), s_none);

        await bond.ApplyAsync(Specs.Bond(), Specs.Bond(), s_none);

        Assert.Equal(1, host.ChangeCount);
    }

    [Fact]
    public async Task ObserveAsync_StriperWithUnequalPaths_ReportsReorderDepth()
    {
        var time = new FakeTimeProvider();
        var host = new SimulatedHost("h1", ["eth0", "eth1"], new SimulatedHostOptions { Seed = 3 }, time);
        var backend = new InMemoryBackend(LinkKind.Striper, host);
        await backend.ApplyAsync(null, Specs.Striper(), s_none);
        time.Advance(TimeSpan.FromSeconds(1));

        var observation = await backend.ObserveAsync(Specs.Striper(), s_none);

        Assert.All(observation.Members, m => Assert.True(m.ReorderDepthMax >= m.ReorderDepth));
        Assert.Contains(observation.Members, m => m.ReorderDepth > 0);
    }
}
