using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Aggregator;
using Fleet.Striper.Crypto;
using Fleet.Striper.Engine;
using Fleet.Striper.Wire;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>Three sites at one aggregator, for the tests of <see cref="AggregatorTests"/> that leave the sites as they found them.</summary>
public sealed class ThreeSiteAggregatorFixture : IAsyncDisposable
{
    private AggregatorLab? _lab;

    internal async Task<AggregatorLab> GetAsync() => _lab ??= await AggregatorLab.StartAsync(3);

    public async ValueTask DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }
}

/// <summary>One aggregator serving several sites on one UDP port and one TUN device (docs/striper-protocol.md, "Aggregator").</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class AggregatorTests(ThreeSiteAggregatorFixture fixture) : IClassFixture<ThreeSiteAggregatorFixture>
{
    [Theory(Timeout = 120_000)]
    [InlineData(5, 1)]
    [InlineData(5, 2)]
    [InlineData(20, 2)]
    public async Task ManySites_AllEstablish_EachPingsAndCarriesTcpAtOnce(int sites, int workers)
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        await using var lab = await AggregatorLab.StartAsync(sites, workers);

        // During a handshake the site holds its keys half a round trip before the aggregator does (it establishes on the
        // aggregator's answer, the aggregator on the site's confirming hello), so a probe on another path may overtake
        // that hello and count as an unknown session. Once both ends are up, none may.
        var up = lab.Aggregator.GetSnapshot();
        var pings = await Task.WhenAll(Enumerable.Range(0, sites).Select(k => lab.PingAsync(k)));
        var transfers = await Task.WhenAll(Enumerable.Range(0, sites).Select(k =>
            Iperf.TcpAsync(lab.Topology.G, lab.Topology.Sites[k], AggregatorLab.AggregatorTunnel, 5201 + k, "-n", "4M")));

        var snapshot = lab.Aggregator.GetSnapshot();
        for (var k = 0; k < sites; k++)
        {
            Assert.True(pings[k] == 3, $"site {k}: {pings[k]} of 3 pings answered");
            Assert.True(transfers[k].Completed, $"site {k}: {transfers[k]}");
            var site = snapshot.Sites.Single(s => s.Id == k + 1);
            Assert.All(site.Link.Paths, p => Assert.True(p.RxDataPackets > 0 && p.TxDataPackets > 0, $"site {k} path {p.Interface}: rx {p.RxDataPackets} tx {p.TxDataPackets}"));
            // A session refused for its lane (a redraw) is not counted: one session each, however many rounds it took.
            Assert.Equal(1, site.Link.Sessions);
            Assert.Equal(0, site.ForeignSource);
            Assert.Equal((k + 1) % workers, site.Worker);
        }

        Assert.Equal(0, snapshot.UnknownSite + snapshot.Malformed + snapshot.Misrouted);
        Assert.Equal(0, snapshot.UnknownSession - up.UnknownSession);
        // The aggregator answers each site with a random whose tag lands on the site's lane: no session is refused for it.
        Assert.Equal(0, snapshot.TagRedraws);

        Assert.Equal(workers, snapshot.Workers.Count);
        Assert.All(snapshot.Workers, w => Assert.True(w.Datagrams > 0, $"worker {w.Index} received nothing"));
        Assert.Equal(snapshot.Datagrams, snapshot.Workers.Sum(w => w.Datagrams));
    }

    [Fact(Timeout = 60_000)]
    public async Task SiteSendingFromAnotherSitesPrefix_DroppedAndCounted()
    {
        Privileged.Require("network namespaces, veth, TUN");
        var lab = await fixture.GetAsync();
        var before = lab.Aggregator.GetSnapshot().Sites.Single(s => s.Id == 1).ForeignSource;
        var foreign = AggregatorLab.SiteTunnel(1)[..^1] + "77";
        await ProcessRunner.CheckedAsync("ip", "-n", lab.Topology.Sites[0], "addr", "add", $"{foreign}/32", "dev", lab.Sites[0].DeviceName);
        try
        {
            var answered = await lab.PingAsync(0, 3, from: foreign);
            var after = lab.Aggregator.GetSnapshot().Sites.Single(s => s.Id == 1).ForeignSource;

            Assert.Equal(0, answered);
            Assert.True(after - before >= 3, $"foreign source drops {after - before}");
            Assert.Equal(3, await lab.PingAsync(0));
        }
        finally
        {
            await ProcessRunner.CheckedAsync("ip", "-n", lab.Topology.Sites[0], "addr", "del", $"{foreign}/32", "dev", lab.Sites[0].DeviceName);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task SiteDeviceLinkScopedIpv6_DroppedAndCountedApart_NotAsForeignSource()
    {
        // Any device the kernel brings up sends router solicitations and MLD reports from its fe80:: address; a site
        // whose session is up carries them to the aggregator. They are not forgeries (a 20-site run once counted one).
        Privileged.Require("network namespaces, veth, TUN");
        var lab = await fixture.GetAsync();
        var before = lab.Aggregator.GetSnapshot().Sites.Single(s => s.Id == 1);

        var ping = await ProcessRunner.RunAsync("ip", ["netns", "exec", lab.Topology.Sites[0], "ping", "-6", "-c", "3", "-i", "0.2", "-W", "1",
            $"ff02::1%{lab.Sites[0].DeviceName}"]);
        AggregatorSiteSnapshot Site() => lab.Aggregator.GetSnapshot().Sites.Single(s => s.Id == 1);
        await Until.TrueAsync(() => Site().LinkScoped - before.LinkScoped >= 3, TimeSpan.FromSeconds(5));
        var after = Site();

        Assert.True(after.LinkScoped - before.LinkScoped >= 3, $"link-scoped drops {after.LinkScoped - before.LinkScoped}; ping: {ping.Output}");
        Assert.Equal(before.ForeignSource, after.ForeignSource);
        Assert.Equal(3, await lab.PingAsync(0));
    }

    [Fact(Timeout = 60_000)]
    public async Task GarbageForgeriesAndUnknownSiteFlood_CountedAndDroppedUnanswered_OtherSitesUnaffected()
    {
        Privileged.Require("network namespaces, veth, TUN");
        var lab = await fixture.GetAsync();
        var before = lab.Aggregator.GetSnapshot();
        var target = new IPEndPoint(IPAddress.Parse(AggregatorTopology.AggregatorAddress), AggregatorLab.Port);
        using var attacker = NetworkNamespace.Run(NamespaceTopology.NamespacePath(lab.Topology.Sites[0]), () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        attacker.Bind(new IPEndPoint(IPAddress.Parse(AggregatorTopology.PathAddress(0, 0)), 0));
        var pinging = Task.WhenAll(lab.PingAsync(1, 10), lab.PingAsync(2, 10));
        var random = new Random(17);

        // Hellos for site ids nobody has, well formed and sealed with some key: the id guessing flood.
        using var someHello = new AeadCipher(StriperCipher.Aes256Gcm, KeySchedule.HelloKey(KeySchedule.ExtractPrk(RandomNumberGenerator.GetBytes(32))));
        const int unknownSites = 2000;
        for (var i = 0; i < unknownSites; i++)
        {
            attacker.SendTo(Hello(someHello, (uint)(1000 + i)), target);
        }

        // Hellos for site 3's id sealed with a key that is not site 3's.
        for (var i = 0; i < 50; i++)
        {
            attacker.SendTo(Hello(someHello, 3), target);
        }

        // Session datagrams with guessed tags, and garbage.
        for (var i = 0; i < 2000; i++)
        {
            var probe = new byte[WireFormat.HeaderLength + ProbeMessage.Length + WireFormat.TagLength];
            WireFormat.WriteHeader(probe, MessageType.Probe, 0, 0, 0, (uint)random.Next(1, int.MaxValue), 1, (ulong)i + 1);
            attacker.SendTo(probe, target);
        }

        for (var i = 0; i < 300; i++)
        {
            var garbage = new byte[random.Next(0, 1500)];
            random.NextBytes(garbage);
            attacker.SendTo(garbage, target);
        }

        var pings = await pinging;
        var after = lab.Aggregator.GetSnapshot();
        var answers = 0;
        attacker.Blocking = false;
        var buffer = new byte[2048];
        while (attacker.Available > 0 && attacker.Receive(buffer) > 0)
        {
            answers++;
        }

        var counts = $"unknown site {after.UnknownSite - before.UnknownSite}, unknown session {after.UnknownSession - before.UnknownSession}, malformed {after.Malformed - before.Malformed}";
        Assert.Equal(new[] { 10, 10 }, pings);
        Assert.True(after.UnknownSite - before.UnknownSite >= unknownSites, counts);
        Assert.True(after.UnknownSession - before.UnknownSession >= 1900, counts); // a guessed tag may hit a session: 3 in 2³² each
        var site3 = after.Sites.Single(s => s.Id == 3).Link;
        var site3Before = before.Sites.Single(s => s.Id == 3).Link;
        Assert.True(site3.AuthFailures - site3Before.AuthFailures >= 50, $"site 3 auth failures {site3.AuthFailures - site3Before.AuthFailures}");
        Assert.All(after.Sites, s => Assert.Equal(before.Sites.Single(b => b.Id == s.Id).Link.Sessions, s.Link.Sessions));
        Assert.Equal(0, answers);
    }

    [Fact(Timeout = 60_000)]
    public async Task SiteRemovedFromSpec_ItsSessionEnds_OtherSitesKeepWorking()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var lab = await AggregatorLab.StartAsync(3);
        Assert.Equal(3, await lab.PingAsync(2));

        lab.Aggregator.Update(lab.Spec([0, 1]));

        var snapshot = lab.Aggregator.GetSnapshot();
        Assert.Equal(new[] { 1, 2 }, snapshot.Sites.Select(s => s.Id).Order());
        Assert.Equal(0, await lab.PingAsync(2));
        Assert.Equal(new[] { 3, 3 }, await Task.WhenAll(lab.PingAsync(0), lab.PingAsync(1)));

        // The site comes back with the next spec that has it: a new session, both paths up again.
        lab.Aggregator.Update(lab.Spec([0, 1, 2]));
        await lab.WaitUntilUpAsync(new[] { 2 }, TimeSpan.FromSeconds(15));
        Assert.Equal(3, await lab.PingAsync(2));
    }

    [Fact(Timeout = 90_000)]
    public async Task SitesRemovedAndAddedOnBothWorkers_WhileOthersCarryTcp_TransfersCompleteAndSitesComeBack()
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        await using var lab = await AggregatorLab.StartAsync(4, workers: 2);

        // Sites 1 and 2 (lanes 1 and 0) carry TCP while sites 3 and 4 (lanes 1 and 0) leave and come back.
        var transfers = Task.WhenAll(Enumerable.Range(0, 2).Select(k =>
            Iperf.TcpAsync(lab.Topology.G, lab.Topology.Sites[k], AggregatorLab.AggregatorTunnel, 5201 + k, "-n", "16M")));
        var changes = 0;
        while (!transfers.IsCompleted)
        {
            lab.Aggregator.Update(lab.Spec([0, 1]));
            lab.Aggregator.Update(lab.Spec([0, 1, 2, 3]));
            changes++;
            await Task.WhenAny(transfers, Task.Delay(50, TestContext.Current.CancellationToken));
        }

        var results = await transfers;
        await lab.WaitUntilUpAsync([2, 3], TimeSpan.FromSeconds(15));

        Assert.True(changes >= 2, $"{changes} changes during the transfers");
        Assert.All(results, r => Assert.True(r.Completed, r.ToString()));
        Assert.Equal(new[] { 3, 3 }, await Task.WhenAll(lab.PingAsync(2), lab.PingAsync(3)));
        Assert.Equal(0, lab.Aggregator.GetSnapshot().Misrouted);
    }

    [Fact(Timeout = 60_000)]
    public async Task AggregatorRestarted_EverySiteHandshakesAgain_TrafficResumes()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var lab = await AggregatorLab.StartAsync(3);

        await lab.RestartAggregatorAsync(lab.Spec([0, 1, 2]));
        await lab.WaitUntilUpAsync(Enumerable.Range(0, 3), TimeSpan.FromSeconds(15));

        Assert.Equal(new[] { 3, 3, 3 }, await Task.WhenAll(Enumerable.Range(0, 3).Select(k => lab.PingAsync(k))));
        Assert.All(lab.Sites, site => Assert.True(site.GetSnapshot().Sessions >= 2, "a site kept its old session"));
    }

    private static byte[] Hello(AeadCipher cipher, uint siteId)
    {
        var hello = new byte[WireFormat.HeaderLength + HelloMessage.Length + WireFormat.TagLength];
        WireFormat.WriteHeader(hello, MessageType.Hello, 0, 0, 0, siteId, 0, 0);
        RandomNumberGenerator.Fill(hello.AsSpan(8, 12));
        var body = new byte[HelloMessage.Length];
        using var share = new EphemeralShare();
        HelloMessage.Write(body, 0, share.Random, share.PublicKey, default, 0);
        cipher.Seal(hello.AsSpan(8, 12), body, hello.AsSpan(WireFormat.HeaderLength, HelloMessage.Length), hello.AsSpan(WireFormat.HeaderLength + HelloMessage.Length), hello.AsSpan(0, WireFormat.HeaderLength));
        return hello;
    }
}
