using Fleet.Contracts.Links;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>Valid specs of each kind for the suites.</summary>
public static class Specs
{
    /// <summary>A valid pre-shared key (32 bytes, base64).</summary>
    public const string StriperKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    public static LinkSpec Bond(string name = "bond0", BondMode mode = BondMode.ActiveBackup, int miimonMs = 100) => new()
    {
        Kind = LinkKind.Bond,
        Name = name,
        Members = [new MemberSpec { Interface = "eth1" }, new MemberSpec { Interface = "eth2", AdminState = mode == BondMode.ActiveBackup ? MemberAdminState.Backup : MemberAdminState.Active }],
        Addresses = ["10.9.0.1/30"],
        Bond = new BondOptions { Mode = mode, MiimonMs = miimonMs, Primary = mode == BondMode.ActiveBackup ? "eth1" : null },
    };

    public static LinkSpec Striper(string name = "str0", StripeSchedulerKind scheduler = StripeSchedulerKind.Weighted) => new()
    {
        Kind = LinkKind.Striper,
        Name = name,
        Members =
        [
            new MemberSpec { Interface = "eth1", LocalPort = 7000, Peer = "192.0.2.1:7000", Weight = 1 },
            new MemberSpec { Interface = "eth2", LocalPort = 7001, Peer = "192.0.2.2:7001", Weight = 3 },
        ],
        Addresses = ["10.9.0.1/30"],
        Striper = new StriperOptions { Key = StriperKey, Scheduler = scheduler },
    };
}
