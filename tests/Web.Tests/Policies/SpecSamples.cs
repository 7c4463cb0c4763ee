using Fleet.Contracts.Links;

namespace Fleet.Web.Tests.Policies;

/// <summary>One valid spec of each kind.</summary>
internal static class SpecSamples
{
    public static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static LinkSpec Striper() => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members =
        [
            new MemberSpec { Interface = "eth1", Weight = 2, LocalPort = 7000, Peer = "192.0.2.1:7000" },
            new MemberSpec { Interface = "wwan0", Weight = 1, LocalPort = 7001, Peer = "192.0.2.1:7001", RateBitsPerSecond = 50_000_000, Tier = LinkTier.Overflow },
        ],
        Addresses = ["10.9.0.1/30"],
        Routes = [new RouteSpec { Destination = "default", Via = "10.9.0.2", Metric = 100 }],
        Striper = new StriperOptions
        {
            Key = Key,
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

    public static LinkSpec Bond() => new()
    {
        Kind = LinkKind.Bond,
        Name = "bond0",
        Members = [new MemberSpec { Interface = "eth1" }, new MemberSpec { Interface = "eth2", AdminState = MemberAdminState.Backup }],
        Addresses = ["10.8.0.1/24"],
        Mtu = 1500,
        Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100, UpdelayMs = 200, Primary = "eth1" },
    };

    public static LinkSpec Mptcp() => new()
    {
        Kind = LinkKind.Mptcp,
        Name = "mp0",
        Members =
        [
            new MemberSpec { Interface = "eth1", Address = "192.0.2.10", MptcpFlags = [MptcpEndpointFlag.Signal, MptcpEndpointFlag.Subflow] },
            new MemberSpec { Interface = "wwan0", Address = "198.51.100.10", MptcpFlags = [MptcpEndpointFlag.Subflow, MptcpEndpointFlag.Backup] },
        ],
        Mptcp = new MptcpOptions { SubflowsLimit = 4, MptcpizeServices = ["fleet-nginx.service"] },
    };

    public static LinkSpec Teql() => new()
    {
        Kind = LinkKind.Teql,
        Name = "teql0",
        Members = [new MemberSpec { Interface = "eth1", ProbeTarget = "192.0.2.1" }, new MemberSpec { Interface = "eth2", ProbeTarget = "192.0.2.2" }],
        Addresses = ["10.7.0.1/30"],
        Teql = new TeqlOptions { ProbeIntervalMs = 500 },
    };

    public static TheoryData<string> Kinds() => new("striper", "bond", "mptcp", "teql");

    public static LinkSpec Of(string kind) => kind switch
    {
        "striper" => Striper(),
        "bond" => Bond(),
        "mptcp" => Mptcp(),
        _ => Teql(),
    };
}
