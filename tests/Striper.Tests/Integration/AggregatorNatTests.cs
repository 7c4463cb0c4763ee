using System.Globalization;
using Fleet.Striper.Aggregator;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// A site whose path crosses a stateful NAT (nftables snat and connection tracking in M), as at home or behind CGNAT:
/// the aggregator learns the path from the NAT's external address and follows it when the mapping changes
/// (docs/aggregator.md, "NAT and CGNAT").
/// </summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class AggregatorNatTests
{
    private const string NatAddress = "10.250.0.2";
    private const int FirstPort = 20000;
    private const int SecondPort = 30000;
    private const int Pings = 20;

    [Fact(Timeout = 120_000)]
    public async Task SiteBehindNat_MappingChangesDuringPings_SessionKeptAggregatorFollowsAndCounts()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables, ctnetlink");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        var cancel = TestContext.Current.CancellationToken;
        await using var lab = await AggregatorLab.StartAsync(2);

        // Site 0's path 0 leaves M through a NAT from here on; emptying the connection table maps its next packet.
        await MapAsync(lab, FirstPort);
        Assert.True(await Until.TrueAsync(() => PeerOfSite0Path0(lab) == $"{NatAddress}:{FirstPort}", TimeSpan.FromSeconds(5)),
            $"the aggregator sees path 0 of site 0 from {PeerOfSite0Path0(lab)}");
        await lab.WaitUntilUpAsync([0, 1], TimeSpan.FromSeconds(10));
        var before = (Site: lab.Sites[0].GetSnapshot(), Aggregator: lab.Aggregator.GetSnapshot());

        // The NAT rebinds mid-traffic: its rule now maps to another port and the old mapping is forgotten.
        var pinging = lab.PingAsync(0, Pings);
        await Task.Delay(1000, cancel);
        await MapAsync(lab, SecondPort);
        var followed = await Until.TrueAsync(() => PeerOfSite0Path0(lab) == $"{NatAddress}:{SecondPort}", TimeSpan.FromSeconds(5));
        var answered = await pinging;
        var after = (Site: lab.Sites[0].GetSnapshot(), Aggregator: lab.Aggregator.GetSnapshot());

        AggregatorSiteSnapshot Site(AggregatorSnapshot snapshot, int id) => snapshot.Sites.Single(s => s.Id == id);
        var path = Site(after.Aggregator, 1).Link.Paths[0];
        var report = $"path 0 at the aggregator: peer {path.Peer}, {path.Health}; {answered} of {Pings} pings answered";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(followed, report);
        Assert.Equal(1, path.AddressChanges - Site(before.Aggregator, 1).Link.Paths[0].AddressChanges);
        Assert.True(answered >= Pings - 2, report);

        // The same session at both ends (no new handshake), both paths up, and the other site untouched.
        Assert.Equal(before.Site.Sessions, after.Site.Sessions);
        Assert.Equal(Site(before.Aggregator, 1).Link.Sessions, Site(after.Aggregator, 1).Link.Sessions);
        Assert.Equal(Site(before.Aggregator, 2).Link.Sessions, Site(after.Aggregator, 2).Link.Sessions);
        await lab.WaitUntilUpAsync([0, 1], TimeSpan.FromSeconds(5));
        Assert.Equal(0, after.Aggregator.UnknownSession - before.Aggregator.UnknownSession);
    }

    private static string? PeerOfSite0Path0(AggregatorLab lab) => lab.Aggregator.GetSnapshot().Sites.Single(s => s.Id == 1).Link.Paths[0].Peer;

    /// <summary>
    /// Makes M translate site 0's path 0 to <see cref="NatAddress"/>:<paramref name="port"/>, for its next packet on. As a
    /// NAT without port forwarding, M lets in only answers to what the site sent: the aggregator's datagrams to the old
    /// mapping or to the site's own address start nothing.
    /// </summary>
    private static async Task MapAsync(AggregatorLab lab, int port)
    {
        var nat = await ProcessRunner.RunAsync("ip", ["netns", "exec", lab.Topology.M, "nft", "-f", "-"], $$"""
            table ip flnat
            delete table ip flnat
            table ip flnat {
              chain forward {
                type filter hook forward priority filter; policy accept;
                iifname "mg" oifname "s0p0" ct direction original drop
              }
              chain post {
                type nat hook postrouting priority srcnat; policy accept;
                iifname "s0p0" oifname "mg" meta l4proto udp snat to {{NatAddress}}:{{port.ToString(CultureInfo.InvariantCulture)}}
              }
            }
            """);
        Assert.True(nat.Succeeded, nat.Error);
        Conntrack.Flush(lab.Topology.M);
    }
}
