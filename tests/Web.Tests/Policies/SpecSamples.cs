using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Web.Tests.Policies;

/// <summary>
/// One valid spec of each kind for the form and policy tests: the shared <see cref="LinkSpecs"/>, with a striper and
/// a bond that fill more of the form (tiers, classes, routes, MTU, updelay).
/// </summary>
internal static class SpecSamples
{
    public static readonly string Key = LinkSpecs.SequentialKey(1);

    public static LinkSpec Striper()
    {
        var striper = LinkSpecs.Striper(
            key: Key,
            members:
            [
                new MemberSpec { Interface = "eth1", Weight = 2, LocalPort = 7000, Peer = "192.0.2.1:7000" },
                new MemberSpec { Interface = "wwan0", Weight = 1, LocalPort = 7001, Peer = "192.0.2.1:7001", RateBitsPerSecond = 50_000_000, Tier = LinkTier.Overflow },
            ]);
        return striper with
        {
            Routes = [new RouteSpec { Destination = "default", Via = "10.9.0.2", Metric = 100 }],
            Striper = striper.Striper! with
            {
                SchedulerParameters = new Dictionary<string, double> { ["quantumBytes"] = 1500 },
                DownAfterMissedProbes = 5,
                DegradedLossPercent = 10,
                Classes =
                [
                    new TrafficClassSpec { Name = "voice", Match = new() { Protocol = "udp", DestinationPorts = ["5060", "10000-20000"], Dscp = [46] }, Action = TrafficAction.Fec, Fec = new() { MaxDelayMs = 30 } },
                    new TrafficClassSpec { Name = "ssh", Match = new() { Protocol = "tcp", DestinationPorts = ["22"] }, Action = TrafficAction.Pin, Pin = new() { Member = "eth1" } },
                ],
            },
        };
    }

    public static LinkSpec Bond()
    {
        var bond = LinkSpecs.Bond(address: "10.8.0.1/24");
        return bond with { Mtu = 1500, Bond = bond.Bond! with { UpdelayMs = 200 } };
    }

    public static LinkSpec Mptcp() => LinkSpecs.Mptcp();

    public static LinkSpec Teql() => LinkSpecs.Teql();

    /// <summary>An aggregator with two sites, a public address and its own site prefix length.</summary>
    public static LinkSpec Aggregator() => new()
    {
        Kind = LinkKind.Aggregator,
        Name = "hub0",
        Members = [new MemberSpec { Interface = "eth0", Address = "192.0.2.1", LocalPort = 7000 }],
        Addresses = ["10.100.0.1/16"],
        Aggregator = new Contracts.Links.Aggregators.AggregatorOptions
        {
            PublicAddress = "203.0.113.7",
            SitePrefixLength = 27,
            Sites =
            [
                new() { Id = 1, Paths = 2, Prefixes = ["10.100.0.32/27"], Striper = new StriperOptions { Key = LinkSpecs.SequentialKey(2) } },
                new() { Id = 2, Paths = 1, Prefixes = ["10.100.0.64/27"], Striper = new StriperOptions { Key = LinkSpecs.SequentialKey(3) } },
            ],
        },
    };

    public static TheoryData<string> Kinds() => new("striper", "bond", "mptcp", "teql", "aggregator");

    public static LinkSpec Of(string kind) => kind switch
    {
        "striper" => Striper(),
        "bond" => Bond(),
        "mptcp" => Mptcp(),
        "aggregator" => Aggregator(),
        _ => Teql(),
    };
}
