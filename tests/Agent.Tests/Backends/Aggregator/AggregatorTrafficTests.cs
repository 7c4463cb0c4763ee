using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Aggregator;
using Fleet.Contracts.Links;
using Fleet.Striper.Aggregator;
using Fleet.Striper.Engine;

namespace Fleet.Agent.Tests.Backends.Aggregator;

/// <summary>
/// What an aggregator's snapshot becomes as its link's members: the socket with the aggregator's own drops and the
/// sites in its detail, then per site its session (Up while established) and each path as the aggregator sees it, so
/// every byte is counted once, on the site's path.
/// </summary>
public sealed class AggregatorTrafficTests
{
    [Fact]
    public void Members_TwoSites_SocketThenEachSitesSessionAndPaths()
    {
        var snapshot = Snapshot(
            new AggregatorSiteSnapshot(1, ForeignSource: 3, LinkScoped: 2, Site(established: true, Path(0, MemberHealth.Up, 1_000, 4_000, 12.5), Path(1, MemberHealth.Down, 10, 20, null))),
            new AggregatorSiteSnapshot(7, 0, 0, Site(established: false, Path(0, MemberHealth.Down, 0, 0, null))));

        var members = AggregatorTraffic.Members(snapshot, "eth0");

        Assert.Equal(["eth0", "s1", "s1.0", "s1.1", "s7", "s7.0"], members.Select(m => m.Interface));
        var socket = members[0];
        Assert.Equal((MemberHealth.Up, "2 sites, 1 with a path up; port 7000"), (socket.Health, socket.Detail));
        Assert.Equal(new MemberCounters(0, 0, 0, 0, 0, 0, 5 + 6 + 7 + 8), socket.Counters);

        var (session, up, down) = (members[1], members[2], members[3]);
        Assert.Equal((MemberHealth.Up, 5UL, 0UL), (session.Health, session.Counters.Errors, session.Counters.TxBytes));
        Assert.Equal((MemberHealth.Up, 1_000UL, 4_000UL, 12.5, 1.5), (up.Health, up.Counters.TxBytes, up.Counters.RxBytes, up.RttMs, up.LossPercent));
        Assert.Equal((MemberHealth.Down, 10UL, (double?)null, (double?)null), (down.Health, down.Counters.TxBytes, down.RttMs, down.LossPercent));
        Assert.Equal((MemberHealth.Down, "site 7: no session"), (members[4].Health, members[4].Detail));

        // Every byte once: the members' sum is the sites' paths'.
        Assert.Equal(1_010UL, members.Aggregate(0UL, (sum, m) => sum + m.Counters.TxBytes));
    }

    [Fact]
    public void Members_SiteNameIsTheSocketsInterface_LeftOutRatherThanMixed()
    {
        var snapshot = Snapshot(new AggregatorSiteSnapshot(1, 0, 0, Site(established: true, Path(0, MemberHealth.Up, 1, 1, 1))));

        var members = AggregatorTraffic.Members(snapshot, "s1.0");

        Assert.Equal(["s1.0", "s1"], members.Select(m => m.Interface));
        Assert.Equal(0UL, members[0].Counters.TxBytes);
    }

    private static AggregatorSnapshot Snapshot(params AggregatorSiteSnapshot[] sites) => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        Device = "agg0",
        Mtu = 1400,
        Port = 7000,
        Malformed = 5,
        UnknownSite = 6,
        UnknownSession = 7,
        BadPathId = 8,
        Sites = sites,
        Workers = [new AggregatorWorkerSnapshot(0, 0, 0)],
    };

    private static StriperSnapshot Site(bool established, params PathSnapshot[] paths) => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        Device = "agg0",
        Mtu = 1400,
        Offloads = "",
        SessionEstablished = established,
        Sessions = established ? 1 : 0,
        Scheduler = StripeSchedulerKind.Weighted,
        Paths = paths,
    };

    private static PathSnapshot Path(int index, MemberHealth health, long txBytes, long rxBytes, double? rttMs) => new()
    {
        Index = index,
        Interface = $"path{index}",
        AdminState = MemberAdminState.Active,
        Health = health,
        HealthReason = health == MemberHealth.Up ? "probes answered" : "no answer",
        Usable = health == MemberHealth.Up,
        LocalPort = 7000,
        TxBytes = txBytes,
        RxBytes = rxBytes,
        SrttMs = rttMs,
        LossPercent = 1.5,
    };
}
