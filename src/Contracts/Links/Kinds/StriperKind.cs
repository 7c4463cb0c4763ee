using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Links.Kinds;

/// <summary>Fleet's userspace striper: a TUN device and one UDP path per member (docs/striper-protocol.md).</summary>
public sealed class StriperKind : LinkKindDescriptor
{
    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Striper;

    /// <inheritdoc />
    public override string WireName => "striper";

    /// <inheritdoc />
    public override string Capability => "tun";

    /// <inheritdoc />
    public override int MinMtu => 576;

    /// <inheritdoc />
    public override int MaxMtu => 9000;

    /// <inheritdoc />
    public override string? OptionsPath => StriperFields.Options;


    /// <inheritdoc />
    public override IReadOnlySet<string> MemberFieldNames { get; } = MemberFields.Set(
        MemberFields.Weight, MemberFields.Address, MemberFields.LocalPort, MemberFields.Peer, MemberFields.Tier);

    /// <inheritdoc />
    public override object? OptionsOf(LinkSpec spec) => spec.Striper;

    /// <inheritdoc />
    public override KindDoctor Doctor { get; } = new StriperDoctor();

    /// <inheritdoc />
    public override IReadOnlyList<ValidationError> Validate(LinkSpec spec) => SpecErrors.Run(spec, LinkSpecValidator.ValidateStriper);
}
