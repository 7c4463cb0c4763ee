namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// The paths of the striper's options (<see cref="StriperOptions"/>), as <see cref="Validation.LinkSpecValidator"/> reports errors at them and
/// as the policy editor names its fields: one place for both.
/// </summary>
public static class StriperFields
{
    /// <summary>The options object itself.</summary>
    public const string Options = "striper";

    /// <summary><c>striper.scheduler</c>.</summary>
    public const string Scheduler = "striper.scheduler";

    /// <summary><c>striper.schedulerParameters</c>.</summary>
    public const string SchedulerParameters = "striper.schedulerParameters";

    /// <summary><c>striper.cipher</c>.</summary>
    public const string Cipher = "striper.cipher";

    /// <summary><c>striper.probeIntervalMs</c>.</summary>
    public const string ProbeIntervalMs = "striper.probeIntervalMs";

    /// <summary><c>striper.maxHoldMs</c>.</summary>
    public const string MaxHoldMs = "striper.maxHoldMs";

    /// <summary><c>striper.rekeyIntervalSeconds</c>.</summary>
    public const string RekeyIntervalSeconds = "striper.rekeyIntervalSeconds";

    /// <summary><c>striper.downAfterMissedProbes</c>.</summary>
    public const string DownAfterMissedProbes = "striper.downAfterMissedProbes";

    /// <summary><c>striper.upAfterProbes</c>.</summary>
    public const string UpAfterProbes = "striper.upAfterProbes";

    /// <summary><c>striper.degradedLossPercent</c>.</summary>
    public const string DegradedLossPercent = "striper.degradedLossPercent";

    /// <summary><c>striper.siteId</c>.</summary>
    public const string SiteId = "striper.siteId";

    /// <summary><c>striper.key</c>.</summary>
    public const string Key = "striper.key";

    /// <summary><c>striper.classes</c>.</summary>
    public const string Classes = "striper.classes";
}
