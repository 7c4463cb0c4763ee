using System.Globalization;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Agent.Backends.Bonding;

/// <summary>
/// The bond options a spec asks for, with the kernel's defaults filled in, and the <c>ip link … type bond</c>
/// arguments that take an existing bond there. Options a mode ignores are neither set nor compared (the kernel refuses
/// some of them outright: <c>lacp_rate</c> outside 802.3ad, <c>primary</c> outside active-backup/tlb/alb).
/// </summary>
public sealed record BondSettings
{
    /// <summary>Kernel mode name.</summary>
    public required string Mode { get; init; }

    /// <summary>MII interval in ms; 0 with ARP monitoring.</summary>
    public int Miimon { get; init; }

    /// <summary>Up delay in ms (MII monitoring only).</summary>
    public int Updelay { get; init; }

    /// <summary>Down delay in ms (MII monitoring only).</summary>
    public int Downdelay { get; init; }

    /// <summary>ARP interval in ms; 0 with MII monitoring.</summary>
    public int ArpInterval { get; init; }

    /// <summary>ARP targets (ARP monitoring only).</summary>
    public IReadOnlyList<string> ArpIpTargets { get; init; } = [];

    /// <summary>The primary member, for the modes that have one: the spec's, else the first active member when the spec has backup members.</summary>
    public string? Primary { get; init; }

    /// <summary>Transmit hash policy for the modes that hash; null otherwise.</summary>
    public string? XmitHashPolicy { get; init; }

    /// <summary>LACP rate for 802.3ad; null otherwise.</summary>
    public string? LacpRate { get; init; }

    /// <summary>Explicit bond MAC, if any.</summary>
    public string? MacAddress { get; init; }

    /// <summary>True for active-backup, balance-tlb and balance-alb, the modes with a primary member.</summary>
    public bool UsesPrimary => Mode is "active-backup" or "balance-tlb" or "balance-alb";

    /// <summary>True for balance-xor, 802.3ad and balance-tlb, the modes that hash flows to members.</summary>
    public bool UsesHash => Mode is "balance-xor" or "802.3ad" or "balance-tlb";

    /// <summary>True for 802.3ad.</summary>
    public bool UsesLacp => Mode == "802.3ad";

    /// <summary>The settings a validated bond spec asks for.</summary>
    public static BondSettings From(LinkSpec spec)
    {
        var bond = spec.Bond ?? throw new ArgumentException("not a bond spec", nameof(spec));
        var mode = LinkSpecValidator.ModeName(bond.Mode);
        var primary = bond.Primary;
        if (primary is null && LinkSpecValidator.HasPrimary(bond.Mode) && spec.Members.Any(m => m.AdminState == MemberAdminState.Backup))
        {
            // A backup member carries traffic only when no active one can: the bond's way to say so is a primary.
            primary = spec.Members.FirstOrDefault(m => m.AdminState == MemberAdminState.Active)?.Interface;
        }

        var arp = bond.ArpIntervalMs is > 0;
        return new BondSettings
        {
            Mode = mode,
            Miimon = arp ? 0 : bond.MiimonMs ?? 0,
            Updelay = arp ? 0 : bond.UpdelayMs ?? 0,
            Downdelay = arp ? 0 : bond.DowndelayMs ?? 0,
            ArpInterval = bond.ArpIntervalMs ?? 0,
            ArpIpTargets = arp ? bond.ArpIpTargets : [],
            Primary = LinkSpecValidator.HasPrimary(bond.Mode) ? primary : null,
            XmitHashPolicy = mode is "balance-xor" or "802.3ad" or "balance-tlb" ? HashPolicyName(bond.XmitHashPolicy ?? BondXmitHashPolicy.Layer2) : null,
            LacpRate = mode == "802.3ad" ? (bond.LacpRate == BondLacpRate.Fast ? "fast" : "slow") : null,
            MacAddress = bond.MacAddress,
        };
    }

    /// <summary>Arguments of <c>ip link add name NAME type bond …</c> that create the bond with these settings.</summary>
    public IReadOnlyList<string> CreateArguments(string name)
    {
        var arguments = new List<string> { "link", "add", "name", name, "type", "bond", "mode", Mode };
        AppendMonitor(arguments, observed: null);
        if (Primary is not null)
        {
            arguments.AddRange(["primary", Primary]);
        }

        if (XmitHashPolicy is not null)
        {
            arguments.AddRange(["xmit_hash_policy", XmitHashPolicy]);
        }

        if (LacpRate is not null)
        {
            arguments.AddRange(["lacp_rate", LacpRate]);
        }

        return arguments;
    }

    /// <summary>
    /// What to change on a bond already in <see cref="Mode"/>: a preparatory option list (clear the MII delays before
    /// switching to ARP monitoring: the kernel refuses delays without MII), the main option list, whether the main list
    /// needs the bond down (<c>lacp_rate</c>), and whether the primary must be cleared (only sysfs can).
    /// </summary>
    public BondChange ChangesFrom(BondLinkInfo observed)
    {
        var preparation = new List<string>();
        if (ArpInterval > 0 && observed.Miimon > 0 && (observed.Updelay > 0 || observed.Downdelay > 0))
        {
            preparation.AddRange(["updelay", "0", "downdelay", "0"]);
        }

        var main = new List<string>();
        AppendMonitor(main, observed);
        if (UsesPrimary && Primary is not null && observed.Primary != Primary)
        {
            main.AddRange(["primary", Primary]);
        }

        if (XmitHashPolicy is not null && observed.XmitHashPolicy != XmitHashPolicy)
        {
            main.AddRange(["xmit_hash_policy", XmitHashPolicy]);
        }

        var needsDown = false;
        if (LacpRate is not null && observed.LacpRate != LacpRate)
        {
            main.AddRange(["lacp_rate", LacpRate]);
            needsDown = true;
        }

        var clearPrimary = UsesPrimary && Primary is null && observed.Primary is not null;
        return new BondChange(preparation, main, needsDown, clearPrimary);
    }

    /// <summary>How <paramref name="observed"/> differs from these settings, in words; empty when it matches.</summary>
    public IReadOnlyList<string> Differences(BondLinkInfo observed)
    {
        var differences = new List<string>();
        if (observed.Mode != Mode)
        {
            differences.Add($"mode is {observed.Mode}, not {Mode}");
            return differences;
        }

        Compare("miimon", observed.Miimon, Miimon);
        if (Miimon > 0)
        {
            Compare("updelay", observed.Updelay, Updelay);
            Compare("downdelay", observed.Downdelay, Downdelay);
        }

        Compare("arp_interval", observed.ArpInterval, ArpInterval);
        if (ArpInterval > 0 && !SameTargets(observed.ArpIpTargets, ArpIpTargets))
        {
            differences.Add($"arp_ip_target is {string.Join(',', observed.ArpIpTargets)}, not {string.Join(',', ArpIpTargets)}");
        }

        if (UsesPrimary && observed.Primary != Primary)
        {
            differences.Add($"primary is {observed.Primary ?? "none"}, not {Primary ?? "none"}");
        }

        if (XmitHashPolicy is not null && observed.XmitHashPolicy != XmitHashPolicy)
        {
            differences.Add($"xmit_hash_policy is {observed.XmitHashPolicy}, not {XmitHashPolicy}");
        }

        if (LacpRate is not null && observed.LacpRate != LacpRate)
        {
            differences.Add($"lacp_rate is {observed.LacpRate}, not {LacpRate}");
        }

        return differences;

        void Compare(string name, int actual, int wanted)
        {
            if (actual != wanted)
            {
                differences.Add($"{name} is {actual}, not {wanted}");
            }
        }
    }

    /// <summary>The kernel's name of a transmit hash policy.</summary>
    public static string HashPolicyName(BondXmitHashPolicy policy) => policy switch
    {
        BondXmitHashPolicy.Layer2 => "layer2",
        BondXmitHashPolicy.Layer23 => "layer2+3",
        BondXmitHashPolicy.Layer34 => "layer3+4",
        BondXmitHashPolicy.Encap23 => "encap2+3",
        BondXmitHashPolicy.Encap34 => "encap3+4",
        BondXmitHashPolicy.VlanSrcMac => "vlan+srcmac",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown transmit hash policy"),
    };

    private static bool SameTargets(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.Order(StringComparer.Ordinal).SequenceEqual(b.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private void AppendMonitor(List<string> arguments, BondLinkInfo? observed)
    {
        if (ArpInterval > 0)
        {
            // A non-zero arp_interval turns MII monitoring off in the kernel (bond_option_arp_interval_set).
            if (observed is null || observed.ArpInterval != ArpInterval)
            {
                arguments.AddRange(["arp_interval", Text(ArpInterval)]);
            }

            if (observed is null || !SameTargets(observed.ArpIpTargets, ArpIpTargets))
            {
                arguments.AddRange(["arp_ip_target", string.Join(',', ArpIpTargets)]);
            }

            return;
        }

        // The kernel stores the delays in miimon ticks: a new miimon rescales them, so they are sent again with it.
        var miimonChanges = observed is null || observed.Miimon != Miimon;
        if (miimonChanges)
        {
            arguments.AddRange(["miimon", Text(Miimon)]);
        }

        if (Miimon > 0)
        {
            if (miimonChanges || observed!.Updelay != Updelay)
            {
                arguments.AddRange(["updelay", Text(Updelay)]);
            }

            if (miimonChanges || observed!.Downdelay != Downdelay)
            {
                arguments.AddRange(["downdelay", Text(Downdelay)]);
            }
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The steps that take a bond's options to a spec's (see <see cref="BondSettings.ChangesFrom"/>).</summary>
/// <param name="Preparation">Options to set first (may be empty).</param>
/// <param name="Main">Options to set (may be empty).</param>
/// <param name="NeedsBondDown">The main options can only change while the bond is down.</param>
/// <param name="ClearPrimary">The primary must be cleared.</param>
public sealed record BondChange(IReadOnlyList<string> Preparation, IReadOnlyList<string> Main, bool NeedsBondDown, bool ClearPrimary)
{
    /// <summary>True when nothing needs to change.</summary>
    public bool IsEmpty => Preparation.Count == 0 && Main.Count == 0 && !ClearPrimary;
}
