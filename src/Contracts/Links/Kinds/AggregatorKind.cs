using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// A striper aggregator (docs/aggregator.md): one TUN device and one UDP port, on the one member's interface, serving
/// every site of its options. Each site is an ordinary striper link of its own host, dialing this one.
/// </summary>
public sealed class AggregatorKind : LinkKindDescriptor
{
    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Aggregator;

    /// <inheritdoc />
    public override string WireName => "aggregator";

    /// <inheritdoc />
    public override string Capability => "tun";

    /// <inheritdoc />
    public override int MinMtu => 576;

    /// <inheritdoc />
    public override int MaxMtu => 9000;

    /// <inheritdoc />
    public override string? OptionsPath => AggregatorFields.Options;

    /// <inheritdoc />
    public override IReadOnlySet<string> MemberFieldNames { get; } = MemberFields.Set(MemberFields.Address, MemberFields.LocalPort);

    /// <inheritdoc />
    public override object? OptionsOf(LinkSpec spec) => spec.Aggregator;

    /// <inheritdoc />
    public override IReadOnlyList<ValidationError> Validate(LinkSpec spec) => SpecErrors.Run(spec, LinkSpecValidator.ValidateAggregator);
}
