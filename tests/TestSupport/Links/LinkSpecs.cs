using Fleet.Contracts.Links;

namespace Fleet.Testing;

/// <summary>
/// Valid specs of each kind, shared by the suites. Each builder's defaults are the spec most suites use; the
/// parameters are the ones the suites vary. Agent.Tests and Web.Components.Tests compile this file in (a link in
/// their project) instead of referencing Fleet.TestSupport, which would build the Api and pull in Npgsql for them.
/// </summary>
public static class LinkSpecs
{
    /// <summary>A valid pre-shared key (32 bytes, base64): <see cref="SequentialKey"/> from 0.</summary>
    public const string StriperKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /// <summary>A valid pre-shared key: the 32 consecutive bytes from <paramref name="first"/>, base64.</summary>
    public static string SequentialKey(int first) => Convert.ToBase64String(Enumerable.Range(first, 32).Select(i => (byte)i).ToArray());

    /// <summary>
    /// A bond over <paramref name="members"/> (eth1 and eth2 when none are given). With
    /// <paramref name="activeBackupRoles"/> an active-backup bond names its first member primary and the others backups.
    /// </summary>
    public static LinkSpec Bond(
        string name = "bond0",
        BondMode mode = BondMode.ActiveBackup,
        int miimonMs = 100,
        int confirmTimeoutSeconds = LinkSpec.DefaultConfirmTimeoutSeconds,
        bool repairDrift = false,
        bool activeBackupRoles = true,
        string address = "10.9.0.1/30",
        params string[] members)
    {
        string[] names = members.Length > 0 ? members : ["eth1", "eth2"];
        var roles = activeBackupRoles && mode == BondMode.ActiveBackup;
        return new LinkSpec
        {
            Kind = LinkKind.Bond,
            Name = name,
            Members = [.. names.Select((m, i) => new MemberSpec { Interface = m, AdminState = roles && i > 0 ? MemberAdminState.Backup : MemberAdminState.Active })],
            Addresses = [address],
            ConfirmTimeoutSeconds = confirmTimeoutSeconds,
            RepairDrift = repairDrift,
            Bond = new BondOptions { Mode = mode, MiimonMs = miimonMs, Primary = roles ? names[0] : null },
        };
    }

    /// <summary>
    /// A striper over <paramref name="members"/>; when none are given, eth1 (weight 1) and eth2 (weight 3) on local
    /// ports 7000 and 7001 towards 192.0.2.1:7000 and 192.0.2.2:7001.
    /// </summary>
    public static LinkSpec Striper(
        string name = "str0",
        StripeSchedulerKind scheduler = StripeSchedulerKind.Weighted,
        string key = StriperKey,
        string address = "10.9.0.1/30",
        params MemberSpec[] members) => new()
    {
        Kind = LinkKind.Striper,
        Name = name,
        Members = members.Length > 0
            ? members
            : [
                new MemberSpec { Interface = "eth1", LocalPort = 7000, Peer = "192.0.2.1:7000", Weight = 1 },
                new MemberSpec { Interface = "eth2", LocalPort = 7001, Peer = "192.0.2.2:7001", Weight = 3 },
            ],
        Addresses = [address],
        Striper = new StriperOptions { Key = key, Scheduler = scheduler },
    };

    /// <summary>An MPTCP link over eth1 (signal, subflow) and wwan0 (subflow, backup).</summary>
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

    /// <summary>A teql link over eth1 and eth2, each probing its own target.</summary>
    public static LinkSpec Teql() => new()
    {
        Kind = LinkKind.Teql,
        Name = "teql0",
        Members = [new MemberSpec { Interface = "eth1", ProbeTarget = "192.0.2.1" }, new MemberSpec { Interface = "eth2", ProbeTarget = "192.0.2.2" }],
        Addresses = ["10.7.0.1/30"],
        Teql = new TeqlOptions { ProbeIntervalMs = 500 },
    };
}
