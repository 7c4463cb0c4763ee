using Fleet.Contracts.Links;

namespace Fleet.EndToEnd.Tests.Support;

internal static class E2ESpecs
{
    /// <summary>A balance-rr bond over the simulated host's eth0 and eth1.</summary>
    public static LinkSpec Bond(int confirmTimeoutSeconds = 30, params string[] members) => new()
    {
        Kind = LinkKind.Bond,
        Name = "bond0",
        Members = [.. (members.Length > 0 ? members : ["eth0", "eth1"]).Select(m => new MemberSpec { Interface = m })],
        Addresses = ["10.9.0.1/30"],
        ConfirmTimeoutSeconds = confirmTimeoutSeconds,
        Bond = new BondOptions { Mode = BondMode.BalanceRoundRobin, MiimonMs = 100 },
    };
}
