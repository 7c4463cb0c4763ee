using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Demo;

/// <summary>
/// The demo fleet's links: one per host, the four kinds mixed, over the simulated hosts' eth0…eth3; then one aggregator
/// host and a handful of site hosts, whose links the aggregator's site command makes (docs/aggregator.md).
/// </summary>
public static class DemoSpecs
{
    /// <summary>Interfaces of every demo host.</summary>
    public const int Members = 4;

    /// <summary>Hosts with one link of their own (<see cref="For"/>).</summary>
    public const int LinkHosts = 6;

    /// <summary>Sites of the demo's aggregator, each on a host of its own after the aggregator's.</summary>
    public const int Sites = 3;

    /// <summary>Uplinks of each demo site.</summary>
    public const int SitePaths = 2;

    /// <summary>The demo aggregator's link (on the host after the <see cref="LinkHosts"/>): its socket on eth0, port 7000.</summary>
    public static LinkSpec Aggregator() => new()
    {
        Kind = LinkKind.Aggregator,
        Name = "agg0",
        Members = [new MemberSpec { Interface = "eth0", Address = "198.18.0.10", LocalPort = 7000 }],
        Addresses = ["10.100.0.1/16"],
        Aggregator = new AggregatorOptions(),
    };

    /// <summary>A demo site's uplinks: eth0 and eth1 of its host.</summary>
    public static IReadOnlyList<AggregatorSiteMember> SiteMembers() =>
        [.. Enumerable.Range(0, SitePaths).Select(i => new AggregatorSiteMember { Interface = $"eth{i}" })];

    /// <summary>The spec of the demo host number <paramref name="index"/> (0-based).</summary>
    public static LinkSpec For(int index) => (index % 6) switch
    {
        0 => Bond("bond0", BondMode.ActiveBackup, primary: "eth0", backup: "eth1"),
        1 => Bond("bond0", BondMode.BalanceRoundRobin, primary: null, backup: null),
        2 => Striper("str0", StripeSchedulerKind.Weighted),
        3 => new LinkSpec
        {
            Kind = LinkKind.Mptcp,
            Name = "mptcp0",
            Members =
            [
                new MemberSpec { Interface = "eth0", Address = "198.18.1.10", MptcpFlags = [MptcpEndpointFlag.Signal, MptcpEndpointFlag.Subflow] },
                new MemberSpec { Interface = "eth1", Address = "198.18.2.10", MptcpFlags = [MptcpEndpointFlag.Subflow] },
                new MemberSpec { Interface = "eth2", Address = "198.18.3.10", MptcpFlags = [MptcpEndpointFlag.Subflow, MptcpEndpointFlag.Backup] },
            ],
            Mptcp = new MptcpOptions { SubflowsLimit = 3, AddAddrAcceptedLimit = 3 },
        },
        4 => new LinkSpec
        {
            Kind = LinkKind.Teql,
            Name = "teql0",
            Members = [.. Enumerable.Range(0, 3).Select(i => new MemberSpec { Interface = $"eth{i}", ProbeTarget = $"198.18.{i + 1}.1" })],
            Addresses = ["10.20.0.1/30"],
            Teql = new TeqlOptions(),
        },
        _ => Striper("str0", StripeSchedulerKind.EarliestArrival),
    };

    private static LinkSpec Bond(string name, BondMode mode, string? primary, string? backup) => new()
    {
        Kind = LinkKind.Bond,
        Name = name,
        Members =
        [
            .. Enumerable.Range(0, 3).Select(i => new MemberSpec
            {
                Interface = $"eth{i}",
                AdminState = $"eth{i}" == backup ? MemberAdminState.Backup : MemberAdminState.Active,
            }),
        ],
        Addresses = ["10.10.0.1/30"],
        Bond = new BondOptions { Mode = mode, MiimonMs = 100, Primary = primary },
    };

    private static LinkSpec Striper(string name, StripeSchedulerKind scheduler) => new()
    {
        Kind = LinkKind.Striper,
        Name = name,
        Members =
        [
            .. Enumerable.Range(0, Members).Select(i => new MemberSpec
            {
                Interface = $"eth{i}",
                LocalPort = 7000 + i,
                Peer = $"203.0.113.{i + 1}:7000",
                Weight = i + 1,
                RateBitsPerSecond = (i + 1) * 25_000_000L,
            }),
        ],
        Addresses = ["10.30.0.1/30"],
        Striper = new StriperOptions { Scheduler = scheduler, Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
    };
}
