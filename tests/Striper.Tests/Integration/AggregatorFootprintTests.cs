using System.Globalization;
using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Aggregator;
using Fleet.Striper.Engine;
using Fleet.Striper.Reordering;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// What a site configured at an aggregator costs (issue 17; docs/aggregator.md, "Sizing"): its engine holds none of
/// the buffers the aggregator's workers own, and its receive buffers start small and grow with the site's traffic.
/// </summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class AggregatorFootprintTests
{
    private const int Sites = 200;

    [Fact(Timeout = 60_000)]
    public async Task Start_ManySitesConfigured_EachSiteAllocatesUnder128Kilobytes()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await AggregatorTopology.CreateAsync(0);
        var spec = Spec(Sites);

        // Every site's engine is made on this thread (the devices in a thread of their own, NetworkNamespace).
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var aggregator = StriperAggregator.Start(spec, Options(topology));
        var perSite = (GC.GetAllocatedBytesForCurrentThread() - before) / Sites;

        TestContext.Current.TestOutputHelper?.WriteLine($"{perSite} bytes allocated per configured site");
        Assert.True(perSite < 128 * 1024, $"{perSite} bytes allocated per configured site");
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_SiteEngines_HoldNoneOfThePointToPointBuffers()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await AggregatorTopology.CreateAsync(0);

        using var aggregator = StriperAggregator.Start(Spec(3), Options(topology));

        Assert.All(aggregator.Sites.All, site =>
        {
            var engine = site.Engine;
            Assert.Null(engine.WakeFd);
            Assert.False(engine.Sessions.Handshake.HasPendingShare, "a key pair made before any hello came (the control worker runs already)");
            Assert.Equal(0, engine.Receiver.Rings);
            Assert.False(engine.Transmitter.HasReadBuffer);
            Assert.Equal(0, engine.Receiver.SlotsAllocated);
            Assert.False(engine.Receiver.SlotMemoryReserved);
            Assert.Equal(0, engine.Receiver.FecSymbolBuffers);
            Assert.True(engine.Receiver.Resequencer.RingWindow <= 16, $"reorder ring of {engine.Receiver.Resequencer.RingWindow} per class");
        });
    }

    [Fact(Timeout = 90_000)]
    public async Task SiteCarriesTcp_ItsReceiveBuffersGrowByNeed_PointToPointEndFullSizeFromTheStart()
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        await using var lab = await AggregatorLab.StartAsync(1);
        var siteEnd = lab.Sites[0].Receiver;
        Assert.Equal(siteEnd.SlotsAllocated, siteEnd.SlotsMost);

        var transfer = await Iperf.TcpAsync(lab.Topology.G, lab.Topology.Sites[0], AggregatorLab.AggregatorTunnel, 5201, "-n", "8M");

        Assert.True(transfer.Completed, transfer.ToString());
        var aggregatorEnd = lab.Aggregator.Sites.All.Single().Engine.Receiver;
        Assert.True(aggregatorEnd.SlotMemoryReserved);
        Assert.InRange(aggregatorEnd.SlotsAllocated, PacketSlots.MinGrowth, aggregatorEnd.SlotsMost);
    }

    private static StriperEngineOptions Options(AggregatorTopology topology) => new() { NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.G) };

    private static AggregatorSpec Spec(int sites) => new()
    {
        Name = "agg0",
        Interface = "g0",
        Port = AggregatorLab.Port,
        Sites = [.. Enumerable.Range(0, sites).Select(k => new AggregatorSiteSpec
        {
            Id = k + 1,
            Paths = 1,
            Prefixes = [$"10.{(100 + (k / 250)).ToString(CultureInfo.InvariantCulture)}.{(k % 250).ToString(CultureInfo.InvariantCulture)}.0/24"],
            Striper = new StriperOptions { Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
        })],
    };
}
