using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>The shared <see cref="LinkSpecs"/> with the end-to-end defaults.</summary>
internal static class E2ESpecs
{
    /// <summary>A balance-rr bond over the simulated host's eth0 and eth1.</summary>
    public static LinkSpec Bond(int confirmTimeoutSeconds = 30, params string[] members) =>
        LinkSpecs.Bond(mode: BondMode.BalanceRoundRobin, confirmTimeoutSeconds: confirmTimeoutSeconds, members: members.Length > 0 ? members : ["eth0", "eth1"]);
}
