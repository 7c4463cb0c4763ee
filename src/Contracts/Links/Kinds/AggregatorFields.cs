namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// The paths of an aggregator link's options (<see cref="Aggregators.AggregatorOptions"/>), as
/// <see cref="Validation.LinkSpecValidator"/> reports errors at them: one place for the validator, the Api and the editor.
/// </summary>
public static class AggregatorFields
{
    /// <summary>The options object itself.</summary>
    public const string Options = "aggregator";

    /// <summary><c>aggregator.publicAddress</c>.</summary>
    public const string PublicAddress = "aggregator.publicAddress";

    /// <summary><c>aggregator.sitePrefixLength</c>.</summary>
    public const string SitePrefixLength = "aggregator.sitePrefixLength";

    /// <summary><c>aggregator.sites</c>.</summary>
    public const string Sites = "aggregator.sites";
}
