using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Links.Kinds;

/// <summary>The trivial link equalizer (<c>sch_teql</c>), whose members the agent probes.</summary>
public sealed class TeqlKind : LinkKindDescriptor
{
    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Teql;

    /// <inheritdoc />
    public override string WireName => "teql";

    /// <inheritdoc />
    public override string Capability => "teql";

    /// <inheritdoc />
    public override string? OptionsPath => TeqlFields.Options;


    /// <inheritdoc />
    public override IReadOnlySet<string> MemberFieldNames { get; } = MemberFields.Set(MemberFields.ProbeTarget);

    /// <inheritdoc />
    public override object? OptionsOf(LinkSpec spec) => spec.Teql;

    /// <inheritdoc />
    public override KindDoctor Doctor { get; } = new TeqlDoctor();

    /// <inheritdoc />
    public override IReadOnlyList<ValidationError> Validate(LinkSpec spec) => SpecErrors.Run(spec, LinkSpecValidator.ValidateTeql);
}
