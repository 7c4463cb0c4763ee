namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// The paths of teql's probing options (<see cref="TeqlOptions"/>), as <see cref="Validation.LinkSpecValidator"/> reports errors at them and
/// as the policy editor names its fields: one place for both.
/// </summary>
public static class TeqlFields
{
    /// <summary>The options object itself.</summary>
    public const string Options = "teql";

    /// <summary><c>teql.probeIntervalMs</c>.</summary>
    public const string ProbeIntervalMs = "teql.probeIntervalMs";

    /// <summary><c>teql.downAfterFailedProbes</c>.</summary>
    public const string DownAfterFailedProbes = "teql.downAfterFailedProbes";
}
