using System.Buffers.Binary;
using System.Net;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Classes;
using Fleet.Striper.Classes;
using FsCheck;
using FsCheck.Fluent;

namespace Fleet.Striper.Tests.Classes;

public sealed class ClassMatchTests
{
    private static readonly LinkSpec s_spec = PolicySpecs.Link(3);

    private static ClassTable Table(params TrafficClassSpec[] classes) =>
        ClassTable.Build(new StriperPolicy { Classes = classes }, s_spec, 1400, null);

    private static TrafficClassSpec Class(string name, TrafficMatch match) =>
        new() { Name = name, Match = match, Action = TrafficAction.Pin };

    [Fact]
    public void Classify_ByDestinationPortRange_FirstMatchingClassWins()
    {
        var table = Table(
            Class("sip", new TrafficMatch { Protocol = "udp", DestinationPorts = ["5060"] }),
            Class("rtp", new TrafficMatch { Protocol = "udp", DestinationPorts = ["10000-20000", "5060-5061"] }));

        Assert.Equal("sip", table.Classify(ClassPackets.Build("10.0.0.1", "10.0.0.2", 17, destinationPort: 5060)).Name);
        Assert.Equal("rtp", table.Classify(ClassPackets.Build("10.0.0.1", "10.0.0.2", 17, destinationPort: 5061)).Name);
        Assert.Equal("rtp", table.Classify(ClassPackets.Build("10.0.0.1", "10.0.0.2", 17, destinationPort: 20000)).Name);
        Assert.Equal("default", table.Classify(ClassPackets.Build("10.0.0.1", "10.0.0.2", 17, destinationPort: 20001)).Name);
        Assert.Equal("default", table.Classify(ClassPackets.Build("10.0.0.1", "10.0.0.2", 6, destinationPort: 5060)).Name);
    }

    [Fact]
    public void Classify_ByDscp_Ipv4AndIpv6()
    {
        var table = Table(Class("ef", new TrafficMatch { Dscp = [46, 34] }));

        Assert.Equal("ef", table.Classify(ClassPackets.Build("10.0.0.1", "10.0.0.2", 17, dscp: 46)).Name);
        Assert.Equal("ef", table.Classify(ClassPackets.Build("2001:db8::1", "2001:db8::2", 6, dscp: 34)).Name);
        Assert.Equal("default", table.Classify(ClassPackets.Build("2001:db8::1", "2001:db8::2", 6, dscp: 0)).Name);
        Assert.Equal("default", table.Classify(ClassPackets.Build("10.0.0.1", "10.0.0.2", 1, dscp: 47)).Name);
    }

    [Fact]
    public void Classify_BySourceAndDestinationPrefix()
    {
        var table = Table(Class("office", new TrafficMatch { SourcePrefixes = ["10.1.0.0/16", "2001:db8:1::/48"], DestinationPrefixes = ["192.0.2.0/24", "2001:db8:2::/48"] }));

        Assert.Equal("office", table.Classify(ClassPackets.Build("10.1.200.3", "192.0.2.9", 6)).Name);
        Assert.Equal("office", table.Classify(ClassPackets.Build("2001:db8:1:5::1", "2001:db8:2::9", 17)).Name);
        Assert.Equal("default", table.Classify(ClassPackets.Build("10.2.0.1", "192.0.2.9", 6)).Name);
        Assert.Equal("default", table.Classify(ClassPackets.Build("10.1.0.1", "192.0.3.9", 6)).Name);
        Assert.Equal("default", table.Classify(ClassPackets.Build("2001:db8:1::1", "192.0.2.9", 6)).Name);
    }

    [Fact]
    public void Classify_NonFirstFragment_MatchesNoPortList()
    {
        var table = Table(Class("rtp", new TrafficMatch { Protocol = "udp", DestinationPorts = ["5060"] }), Class("udp", new TrafficMatch { Protocol = "udp" }));
        var packet = ClassPackets.Build("10.0.0.1", "10.0.0.2", 17, destinationPort: 5060);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 100); // fragment offset 800 bytes

        Assert.Equal("udp", table.Classify(packet).Name);
    }

    [Fact]
    public void Classify_GarbageOrEmpty_IsDefault()
    {
        var table = Table(Class("any-udp", new TrafficMatch { Protocol = "udp" }));

        Assert.Equal("default", table.Classify([]).Name);
        Assert.Equal("default", table.Classify(new byte[40]).Name);
    }

    /// <summary>
    /// The class matcher fuzzed: random valid matches against random packets (and random bytes) never throw, and agree
    /// with a reference evaluation written with System.Net's own IPNetwork.
    /// </summary>
    [Fact]
    public void Matches_RandomMatchesAndPackets_AgreeWithReference()
    {
        var addresses = new[] { "10.0.0.1", "10.1.2.3", "192.0.2.77", "2001:db8::1", "2001:db8:1::5", "fe80::9" };
        var prefixes = new[] { "10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/25", "0.0.0.0/0", "2001:db8::/32", "2001:db8:1::/48", "::/0", "10.0.0.1/32" };
        var protocols = new[] { null, "tcp", "udp", "icmp", "47" };
        var gen =
            from protocol in Gen.Elements(protocols)
            from src in Some(Gen.Elements(prefixes), 1)
            from dst in Some(Gen.Elements(prefixes), 1)
            from low in Gen.Choose(0, 65535)
            from width in Gen.Choose(0, 3000)
            from usePorts in Gen.Elements(false, true)
            from dscp in Some(Gen.Choose(0, 63), 2)
            from packetSrc in Gen.Elements(addresses)
            from packetDst in Gen.Elements(addresses)
            from packetProtocol in Gen.Elements(6, 17, 1, 47)
            from packetDscp in Gen.Choose(0, 63)
            from sport in Gen.Choose(0, 65535)
            from dport in Gen.Choose(0, 65535)
            select (protocol, src, dst, low, Math.Min(65535, low + width), usePorts, dscp.Distinct().ToArray(), packetSrc, packetDst, packetProtocol, packetDscp, sport, dport);
        var checkedPackets = 0;
        var matched = 0;
        var property = Prop.ForAll(Arb.From(gen), t =>
        {
            var (protocol, src, dst, low, high, usePorts, dscp, ps, pd, pp, pdscp, sport, dport) = t;
            var ports = usePorts && protocol is "tcp" or "udp" ? new[] { $"{low}-{high}" } : [];
            var match = new TrafficMatch { Protocol = protocol, SourcePrefixes = src.ToArray(), DestinationPrefixes = dst.ToArray(), DestinationPorts = ports, Dscp = dscp };
            if (IPAddress.Parse(ps).AddressFamily != IPAddress.Parse(pd).AddressFamily)
            {
                return true;
            }

            var packet = ClassPackets.Build(ps, pd, pp, pdscp, sport, dport);
            var compiled = new ClassMatch(match);
            Assert.True(PacketFields.TryRead(packet, out var fields));
            var actual = compiled.Matches(fields);
            var expected = Reference(match, ps, pd, pp, pdscp, dport);
            checkedPackets++;
            matched += actual ? 1 : 0;

            // Random bytes in the same shape never throw.
            var garbage = (byte[])packet.Clone();
            new Random(sport).NextBytes(garbage.AsSpan(0, Math.Min(garbage.Length, 24)));
            if (PacketFields.TryRead(garbage, out var garbageFields))
            {
                compiled.Matches(garbageFields);
            }

            return actual == expected;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5000), property);
        Assert.InRange(matched, 50, checkedPackets - 50); // both outcomes reached
    }

    private static Gen<T[]> Some<T>(Gen<T> gen, int max) => Gen.Choose(0, max).SelectMany(gen.ArrayOf);

    private static bool Reference(TrafficMatch match, string source, string destination, int protocol, int dscp, int destinationPort)
    {
        if (match.Protocol is { } p && p switch { "tcp" => 6, "udp" => 17, "icmp" => 1, _ => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) } != protocol)
        {
            return false;
        }

        if (match.Dscp.Count > 0 && !match.Dscp.Contains(dscp))
        {
            return false;
        }

        static bool In(IReadOnlyList<string> networks, string address) =>
            networks.Count == 0 || networks.Any(n => IPNetwork.Parse(n).Contains(IPAddress.Parse(address)));

        if (!In(match.SourcePrefixes, source) || !In(match.DestinationPrefixes, destination))
        {
            return false;
        }

        if (match.DestinationPorts.Count == 0)
        {
            return true;
        }

        var range = match.DestinationPorts[0].Split('-').Select(int.Parse).ToArray();
        return protocol is 6 or 17 && destinationPort >= range[0] && destinationPort <= range[^1];
    }
}
