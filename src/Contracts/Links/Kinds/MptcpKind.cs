using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Links.Kinds;

/// <summary>Multipath TCP endpoints (<c>ip mptcp endpoint</c>): no device of its own, its addresses are the members'.</summary>
public sealed class MptcpKind : LinkKindDescriptor
{
    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Mptcp;

    /// <inheritdoc />
    public override string WireName => "mptcp";

    /// <inheritdoc />
    public override string Capability => "mptcp";

    /// <inheritdoc />
    public override bool HasDevice => false;

    /// <inheritdoc />
    public override string? OptionsPath => MptcpFields.Options;


    /// <inheritdoc />
    public override IReadOnlySet<string> MemberFieldNames { get; } = MemberFields.Set(MemberFields.Address, MemberFields.MptcpFlags);

    /// <inheritdoc />
    public override object? OptionsOf(LinkSpec spec) => spec.Mptcp;

    /// <inheritdoc />
    public override KindDoctor Doctor { get; } = new MptcpDoctor();

    /// <inheritdoc />
    public override IReadOnlyList<ValidationError> Validate(LinkSpec spec) => SpecErrors.Run(spec, LinkSpecValidator.ValidateMptcp);
}
