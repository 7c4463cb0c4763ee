using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Testing.Kinds;

/// <summary>
/// A link kind that exists only in tests, to prove the steps of docs/architecture.md ("Link kinds"): registered with
/// <see cref="Register"/>, it reaches validation, capabilities, the editor and the summary with no edit to any file of
/// <c>src/</c>. It is not in <see cref="LinkKind"/>'s named values (its value is <see cref="Value"/>), it has a device,
/// no options of its own (a <see cref="LinkSpec"/> has no place for them without a new property), and its members
/// take an address, which each of them must have.
/// </summary>
internal sealed class FifthKind : LinkKindDescriptor
{
    /// <summary>The kind's value, far from the named ones.</summary>
    public static readonly LinkKind Value = (LinkKind)105;

    /// <summary>What its rule says about a member without an address.</summary>
    public const string AddressRequired = "a fifth member needs its own address";

    /// <inheritdoc />
    public override LinkKind Kind => Value;

    /// <inheritdoc />
    public override string WireName => "fifth";

    /// <inheritdoc />
    public override string Capability => "fifth-driver";

    /// <inheritdoc />
    public override int MinMtu => 1280;

    /// <inheritdoc />
    public override IReadOnlySet<string> MemberFieldNames { get; } = MemberFields.Set(MemberFields.Address);

    /// <summary>Registers the kind (idempotent: every test class that needs it calls this).</summary>
    public static void Register() => LinkKinds.Register(new FifthKind());

    /// <summary>A valid spec of the kind.</summary>
    public static LinkSpec Spec() => new()
    {
        Kind = Value,
        Name = "fifth0",
        Members = [new MemberSpec { Interface = "eth1", Address = "192.0.2.1" }, new MemberSpec { Interface = "eth2", Address = "192.0.2.2" }],
        Addresses = ["10.5.0.1/30"],
    };

    /// <inheritdoc />
    public override IReadOnlyList<ValidationError> Validate(LinkSpec spec)
    {
        var errors = new List<ValidationError>();
        var members = spec.Members ?? [];
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is { Address: null })
            {
                errors.Add(new ValidationError($"members[{i}].{MemberFields.Address}", AddressRequired));
            }
        }

        return errors;
    }
}
