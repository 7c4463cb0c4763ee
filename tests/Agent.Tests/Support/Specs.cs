using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Support;

/// <summary>Valid specs for tests.</summary>
internal static class Specs
{
    public static LinkSpec Bond(string name = "bond0", BondMode mode = BondMode.ActiveBackup, int confirmTimeoutSeconds = 30, bool repairDrift = false, params string[] members) => new()
    {
        Kind = LinkKind.Bond,
        Name = name,
        Members = [.. (members.Length > 0 ? members : ["eth0", "eth1"]).Select(m => new MemberSpec { Interface = m })],
        Addresses = ["10.9.0.1/30"],
        ConfirmTimeoutSeconds = confirmTimeoutSeconds,
        RepairDrift = repairDrift,
        Bond = new BondOptions { Mode = mode, MiimonMs = 100 },
    };

    public static LinkSpec Striper(string name = "str0", params string[] members) => new()
    {
        Kind = LinkKind.Striper,
        Name = name,
        Members = [.. (members.Length > 0 ? members : ["eth0", "eth1"]).Select((m, i) => new MemberSpec { Interface = m, LocalPort = 7000 + i, Peer = $"192.0.2.{i + 1}:7000" })],
        Addresses = ["10.10.0.1/30"],
        Striper = new StriperOptions { Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) },
    };
}
