using System.Globalization;
using System.Net.Sockets;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Contracts.Links.Validation;

public static partial class LinkSpecValidator
{
    internal static void ValidateBond(LinkSpec spec, SpecErrors errors)
    {
        var bond = spec.Bond;
        if (bond is null)
        {
            errors.Add(BondFields.Options, "bond options are required for kind bond");
            return;
        }

        errors.Defined(BondFields.Mode, (BondMode?)bond.Mode);
        errors.Defined(BondFields.XmitHashPolicy, bond.XmitHashPolicy);
        errors.Defined(BondFields.LacpRate, bond.LacpRate);
        errors.Range(BondFields.MiimonMs, bond.MiimonMs, 1, 60_000, " ms");
        errors.Range(BondFields.ArpIntervalMs, bond.ArpIntervalMs, 1, 60_000, " ms");
        errors.Range(BondFields.UpdelayMs, bond.UpdelayMs, 0, 600_000, " ms");
        errors.Range(BondFields.DowndelayMs, bond.DowndelayMs, 0, 600_000, " ms");

        var targets = bond.ArpIpTargets ?? [];
        if (bond.MiimonMs is not null && bond.ArpIntervalMs is not null)
        {
            errors.Add(BondFields.ArpIntervalMs, "MII and ARP monitoring are exclusive: set miimonMs or arpIntervalMs, not both");
        }
        else if (bond.MiimonMs is null && bond.ArpIntervalMs is null)
        {
            errors.Add(BondFields.MiimonMs, "a link monitor is required: set miimonMs or arpIntervalMs");
        }

        if (bond.ArpIntervalMs is not null)
        {
            if (targets.Count == 0)
            {
                errors.Add(BondFields.ArpIpTargets, "ARP monitoring needs at least one target");
            }

            if (bond.Mode is BondMode.Ieee8023ad or BondMode.BalanceTlb or BondMode.BalanceAlb)
            {
                errors.Add(BondFields.ArpIntervalMs, $"ARP monitoring does not work with mode {ModeName(bond.Mode)}; use miimonMs");
            }
        }
        else if (targets.Count > 0)
        {
            errors.Add(BondFields.ArpIpTargets, "ARP targets need arpIntervalMs");
        }

        if (targets.Count > 16)
        {
            errors.Add(BondFields.ArpIpTargets, "at most 16 ARP targets");
        }

        for (var i = 0; i < targets.Count; i++)
        {
            var address = errors.IpAddress($"bond.arpIpTargets[{i}]", targets[i] ?? "");
            if (address is not null && address.AddressFamily != AddressFamily.InterNetwork)
            {
                errors.Add($"bond.arpIpTargets[{i}]", "ARP targets are IPv4 addresses");
            }
        }

        foreach (var (name, delay) in new[] { ("updelayMs", bond.UpdelayMs), ("downdelayMs", bond.DowndelayMs) })
        {
            if (delay is not { } d || d == 0)
            {
                continue;
            }

            if (bond.MiimonMs is not { } miimon)
            {
                errors.Add($"bond.{name}", "needs miimonMs");
            }
            else if (d % miimon != 0)
            {
                errors.Add($"bond.{name}", $"must be a multiple of miimonMs ({miimon})");
            }
        }

        if (bond.Primary is not null)
        {
            errors.InterfaceName(BondFields.Primary, bond.Primary);
            if (spec.Members is not null && !spec.Members.Any(m => m is not null && m.Interface == bond.Primary))
            {
                errors.Add(BondFields.Primary, $"'{bond.Primary}' is not a member of this link");
            }

            if (!HasPrimary(bond.Mode))
            {
                errors.Add(BondFields.Primary, $"a primary member applies to active-backup, balance-tlb and balance-alb, not {ModeName(bond.Mode)}");
            }
        }

        ValidateBondMemberStates(spec, bond, errors);

        if (bond.XmitHashPolicy is not null && bond.Mode is not (BondMode.BalanceXor or BondMode.Ieee8023ad or BondMode.BalanceTlb))
        {
            errors.Add(BondFields.XmitHashPolicy, $"applies to balance-xor, 802.3ad and balance-tlb, not {ModeName(bond.Mode)}");
        }

        if (bond.LacpRate is not null && bond.Mode != BondMode.Ieee8023ad)
        {
            errors.Add(BondFields.LacpRate, "applies to mode 802.3ad only");
        }

        if (bond.MacAddress is not null && !IsUnicastMac(bond.MacAddress))
        {
            errors.Add(BondFields.MacAddress, $"'{bond.MacAddress}' is not a unicast MAC address like 02:00:00:00:00:01");
        }
    }

    // The driver's only way to keep a member in reserve is a primary: in modes without one a "backup" member would
    // carry traffic like any other, so the spec may not say it. The agent makes the first active member the primary
    // when the spec names none.
    private static void ValidateBondMemberStates(LinkSpec spec, BondOptions bond, SpecErrors errors)
    {
        var members = spec.Members ?? [];
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is not { } member)
            {
                continue;
            }

            if (member.AdminState == MemberAdminState.Backup && !HasPrimary(bond.Mode))
            {
                errors.Add($"members[{i}].adminState", $"a backup member needs a mode with a primary (active-backup, balance-tlb, balance-alb), not {ModeName(bond.Mode)}");
            }

            if (bond.Primary is not null && member.Interface == bond.Primary && member.AdminState != MemberAdminState.Active)
            {
                errors.Add(BondFields.Primary, $"the primary '{bond.Primary}' must be an active member, not {member.AdminState.ToString().ToLowerInvariant()}");
            }
        }
    }

    /// <summary>True for the modes with a primary member: active-backup, balance-tlb and balance-alb.</summary>
    public static bool HasPrimary(BondMode mode) => mode is BondMode.ActiveBackup or BondMode.BalanceTlb or BondMode.BalanceAlb;

    /// <summary>The kernel's name of a bonding mode (<c>balance-rr</c>, <c>802.3ad</c>).</summary>
    public static string ModeName(BondMode mode) => mode switch
    {
        BondMode.BalanceRoundRobin => "balance-rr",
        BondMode.ActiveBackup => "active-backup",
        BondMode.BalanceXor => "balance-xor",
        BondMode.Ieee8023ad => "802.3ad",
        BondMode.BalanceTlb => "balance-tlb",
        BondMode.BalanceAlb => "balance-alb",
        _ => mode.ToString(),
    };

    private static bool IsUnicastMac(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6)
        {
            return false;
        }

        var bytes = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        var multicast = (bytes[0] & 1) != 0;
        return !multicast && bytes.Any(b => b != 0);
    }
}
