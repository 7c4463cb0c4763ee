namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// The paths of the kernel bonding driver's options (<see cref="BondOptions"/>), as <see cref="Validation.LinkSpecValidator"/> reports errors at them and
/// as the policy editor names its fields: one place for both.
/// </summary>
public static class BondFields
{
    /// <summary>The options object itself.</summary>
    public const string Options = "bond";

    /// <summary><c>bond.mode</c>.</summary>
    public const string Mode = "bond.mode";

    /// <summary><c>bond.miimonMs</c>.</summary>
    public const string MiimonMs = "bond.miimonMs";

    /// <summary><c>bond.arpIntervalMs</c>.</summary>
    public const string ArpIntervalMs = "bond.arpIntervalMs";

    /// <summary><c>bond.arpIpTargets</c>.</summary>
    public const string ArpIpTargets = "bond.arpIpTargets";

    /// <summary><c>bond.updelayMs</c>.</summary>
    public const string UpdelayMs = "bond.updelayMs";

    /// <summary><c>bond.downdelayMs</c>.</summary>
    public const string DowndelayMs = "bond.downdelayMs";

    /// <summary><c>bond.primary</c>.</summary>
    public const string Primary = "bond.primary";

    /// <summary><c>bond.xmitHashPolicy</c>.</summary>
    public const string XmitHashPolicy = "bond.xmitHashPolicy";

    /// <summary><c>bond.lacpRate</c>.</summary>
    public const string LacpRate = "bond.lacpRate";

    /// <summary><c>bond.macAddress</c>.</summary>
    public const string MacAddress = "bond.macAddress";
}
