using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Links.Kinds;

/// <summary>The kernel bonding driver (<c>ip link … type bond</c>).</summary>
public sealed class BondKind : LinkKindDescriptor
{
    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Bond;

    /// <inheritdoc />
    public override string WireName => "bond";

    /// <inheritdoc />
    public override string Capability => "bonding";

    /// <inheritdoc />
    public override string? OptionsPath => BondFields.Options;


    /// <inheritdoc />
    public override object? OptionsOf(LinkSpec spec) => spec.Bond;

    /// <inheritdoc />
    public override KindDoctor Doctor { get; } = new BondDoctor();

    /// <inheritdoc />
    public override IReadOnlyList<ValidationError> Validate(LinkSpec spec) => SpecErrors.Run(spec, LinkSpecValidator.ValidateBond);
}
