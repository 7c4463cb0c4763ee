using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Agent.Tests.Support;

/// <summary>
/// The shared <see cref="LinkSpecs"/> with the agent suites' defaults: the simulated host's first NICs (eth0, eth1),
/// no active-backup roles, and the striper's members all sending to peer port 7000.
/// </summary>
internal static class Specs
{
    /// <summary>The key the agent suites' stripers use.</summary>
    public static readonly string Key = LinkSpecs.SequentialKey(1);

    public static LinkSpec Bond(string name = "bond0", BondMode mode = BondMode.ActiveBackup, int confirmTimeoutSeconds = 30, bool repairDrift = false, params string[] members) =>
        LinkSpecs.Bond(name, mode, confirmTimeoutSeconds: confirmTimeoutSeconds, repairDrift: repairDrift, activeBackupRoles: false, members: members.Length > 0 ? members : ["eth0", "eth1"]);

    public static LinkSpec Striper(string name = "str0", params string[] members) =>
        LinkSpecs.Striper(name, key: Key, address: "10.10.0.1/30", members: [.. (members.Length > 0 ? members : ["eth0", "eth1"]).Select((m, i) => new MemberSpec { Interface = m, LocalPort = 7000 + i, Peer = $"192.0.2.{i + 1}:7000" })]);
}
