using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>The Api suites' name for the shared <see cref="LinkSpecs"/>, with the parameters these suites vary.</summary>
public static class Specs
{
    /// <inheritdoc cref="LinkSpecs.StriperKey"/>
    public const string StriperKey = LinkSpecs.StriperKey;

    public static LinkSpec Bond(string name = "bond0", BondMode mode = BondMode.ActiveBackup, int miimonMs = 100) => LinkSpecs.Bond(name, mode, miimonMs);

    public static LinkSpec Striper(string name = "str0", StripeSchedulerKind scheduler = StripeSchedulerKind.Weighted) => LinkSpecs.Striper(name, scheduler);
}
