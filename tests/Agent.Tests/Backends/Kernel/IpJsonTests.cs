using System.Net;
using System.Net.Sockets;
using Fleet.Agent.Backends.Kernel;

namespace Fleet.Agent.Tests.Backends.Kernel;

public sealed class IpJsonTests
{
    // ip -j addr show, captured on the build machine (iproute2 6.1) in a test namespace: a veth pair a1/a2 with a2
    // down, another pair b0/b1 with IPv4, IPv6 and link-local addresses.
    private const string Addresses = """
        [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"::1","prefixlen":128,"scope":"host","valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":2,"link":"a1","ifname":"a2","flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noop","operstate":"DOWN","group":"default","txqlen":1000,"link_type":"ether","address":"42:5e:b6:fd:38:28","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[]},{"ifindex":3,"link":"a2","ifname":"a1","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"],"mtu":1500,"qdisc":"noqueue","operstate":"LOWERLAYERDOWN","group":"default","txqlen":1000,"link_type":"ether","address":"a6:d1:18:a6:80:9c","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[{"family":"inet","local":"10.63.1.1","prefixlen":24,"scope":"global","label":"a1","valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":4,"link":"b0","ifname":"b1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"ae:f8:e2:e7:bb:92","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[{"family":"inet6","local":"fe80::acf8:e2ff:fee7:bb92","prefixlen":64,"scope":"link","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":5,"link":"b1","ifname":"b0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"e2:56:e0:34:af:01","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[{"family":"inet","local":"10.61.0.1","prefixlen":24,"scope":"global","label":"b0","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"2001:db8::1","prefixlen":64,"scope":"global","nodad":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"fe80::e056:e0ff:fe34:af01","prefixlen":64,"scope":"link","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
        """;

    // ip -4 -j route show dev b0 and ip -6 -j route show dev b0 in the same namespace (default, connected, gateway
    // with metric, host route).
    private const string RoutesV4 = """
        [{"dst":"default","gateway":"10.61.0.254","flags":[]},{"dst":"10.61.0.0/24","protocol":"kernel","scope":"link","prefsrc":"10.61.0.1","flags":[]},{"dst":"10.70.0.0/16","gateway":"10.61.0.9","metric":50,"flags":[]},{"dst":"10.80.0.7","scope":"link","flags":[]}]
        """;

    private const string RoutesV6 = """
        [{"dst":"2001:db8::/64","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"dst":"fe80::/64","protocol":"kernel","metric":256,"flags":[],"pref":"medium"}]
        """;

    [Fact]
    public void IpAddressEntry_ParseList_ReadsEveryAddressWithScope()
    {
        var entries = IpAddressEntry.ParseList(Addresses);

        Assert.Equal(7, entries.Count);
        Assert.Equal("10.63.1.1/24", entries.Single(e => e.Interface == "a1").Cidr);
        var b0 = entries.Where(e => e.Interface == "b0").ToList();
        Assert.Equal(["10.61.0.1/24", "2001:db8::1/64", "fe80::e056:e0ff:fe34:af01/64"], b0.Select(e => e.Cidr));
        Assert.Equal(["global", "global", "link"], b0.Select(e => e.Scope));
        Assert.DoesNotContain(entries, e => e.Interface == "a2");
    }

    [Fact]
    public void IpRouteEntry_ParseList_NormalizesDefaultAndHostRoutes()
    {
        var v4 = IpRouteEntry.ParseList(RoutesV4, AddressFamily.InterNetwork);
        var v6 = IpRouteEntry.ParseList(RoutesV6, AddressFamily.InterNetworkV6);

        Assert.Equal(new IpNetwork(IPAddress.Any, 0), v4[0].Destination);
        Assert.Equal(IPAddress.Parse("10.61.0.254"), v4[0].Gateway);
        Assert.Equal("kernel", v4[1].Protocol);
        Assert.Equal(50, v4[2].Metric);
        Assert.Equal("10.80.0.7/32", v4[3].Destination.ToString());
        Assert.Equal("2001:db8::/64", v6[0].Destination.ToString());
        Assert.Equal(256, v6[0].Metric);
    }

    [Theory]
    [InlineData("10.9.0.7/24", "10.9.0.0/24")]
    [InlineData("10.9.0.7", "10.9.0.7/32")]
    [InlineData("default", "0.0.0.0/0")]
    [InlineData("2001:db8::1/48", "2001:db8::/48")]
    [InlineData("10.9.0.0/0", "0.0.0.0/0")]
    public void IpNetwork_TryParse_ClearsHostBits(string text, string network)
    {
        Assert.True(IpNetwork.TryParse(text, text.Contains(':', StringComparison.Ordinal) ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, out var parsed));
        Assert.Equal(network, parsed.ToString());
    }

    [Theory]
    [InlineData("10.9.0.7/33")]
    [InlineData("nonsense")]
    [InlineData("10.9.0.7/x")]
    public void IpNetwork_TryParse_Nonsense_IsFalse(string text) =>
        Assert.False(IpNetwork.TryParse(text, AddressFamily.InterNetwork, out _));

    [Fact]
    public void IpLink_ParseList_TeqlDevice_HasNoKindAndReadsCounters()
    {
        const string teql = """
            [{"ifindex":7,"ifname":"teql1","flags":["BROADCAST","NOARP","UP","LOWER_UP"],"mtu":1500,"qdisc":"fq_codel","operstate":"UNKNOWN","linkmode":"DEFAULT","group":"default","txqlen":100,"link_type":"void","promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"inet6_addr_gen_mode":"eui64","num_tx_queues":1,"num_rx_queues":1,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":65536,"tso_max_segs":65535,"gro_max_size":65536,"stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":2,"dropped":2,"carrier_errors":0,"collisions":0}}}]
            """;

        var link = IpLink.ParseList(teql).Single();

        Assert.Equal("teql1", link.Name);
        Assert.Null(link.Kind);
        Assert.True(link.IsUp);
        Assert.True(link.HasCarrier);
        Assert.Equal(2UL, link.Statistics!.Value.TxDropped);
        var counters = link.Statistics.Value.ToMemberCounters();
        Assert.Equal(2UL, counters.TxDrops);
        Assert.Equal(2UL, counters.Errors);
    }

    [Fact]
    public void TcQdisc_ParseList_TeqlMembers_ReadsKindDeviceAndCounters()
    {
        // tc -s -j qdisc show in a namespace whose a1 and a2 carry teql1 (Debian 6.1 kernel under qemu).
        const string captured = """
            [{"kind":"teql1","handle":"8001:","dev":"a1","root":true,"refcnt":3,"options":{},"bytes":0,"packets":0,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0},{"kind":"teql1","handle":"8002:","dev":"a2","root":true,"refcnt":3,"options":{},"bytes":0,"packets":0,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0},{"kind":"fq_codel","handle":"0:","dev":"teql1","root":true,"refcnt":2,"options":{"limit":10240,"flows":1024,"quantum":1628,"target":4999,"interval":99999,"memory_limit":33554432,"ecn":true,"drop_batch":64},"bytes":168,"packets":2,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0,"maxpacket":0,"drop_overlimit":0,"new_flow_count":0,"ecn_mark":0,"new_flows_len":0,"old_flows_len":0}]
            """;

        var qdiscs = TcQdisc.ParseList(captured);

        Assert.Equal(["a1", "a2"], qdiscs.Where(q => q.Kind == "teql1").Select(q => q.Device));
        Assert.All(qdiscs, q => Assert.True(q.IsRoot));
        Assert.Equal("8002:", qdiscs[1].Handle);
        Assert.Equal(168UL, qdiscs[2].Bytes);
        Assert.Equal(2UL, qdiscs[2].Packets);
    }
}
