using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// Everything Fleet knows about one <see cref="LinkKind"/> in one place: its wire name, the host capability it needs,
/// its part of <see cref="LinkSpecValidator"/>, where its options sit in a <see cref="LinkSpec"/> and which member
/// fields it uses. Registered in <see cref="LinkKinds"/>; the dashboard adds its editor and summary
/// (<c>Fleet.Web.Policies.Kinds</c>). Adding a kind: docs/architecture.md, "Link kinds".
/// </summary>
public abstract class LinkKindDescriptor
{
    /// <summary>The kind this descriptor describes.</summary>
    public abstract LinkKind Kind { get; }

    /// <summary>The kind's name in JSON, URLs and capability lists (<c>bond</c>, <c>striper</c>).</summary>
    public abstract string WireName { get; }

    /// <summary>
    /// The host feature the kind needs, as agents name it in <see cref="Agents.AgentCapabilities.Notes"/> and operators
    /// read it (<c>bonding</c>, <c>tun</c>).
    /// </summary>
    public abstract string Capability { get; }

    /// <summary>
    /// Whether a link of this kind is a network device of its own, with addresses, routes, an MTU and the choice to
    /// adopt an existing device. MPTCP has none: its addresses are the members'.
    /// </summary>
    public virtual bool HasDevice => true;

    /// <summary>Smallest MTU the device takes.</summary>
    public virtual int MinMtu => 68;

    /// <summary>Largest MTU the device takes.</summary>
    public virtual int MaxMtu => 65535;

    /// <summary>JSON name of the <see cref="LinkSpec"/> property that holds this kind's options; null when it has none.</summary>
    public virtual string? OptionsPath => null;

    /// <summary>The kind-specific member fields (<see cref="MemberFields"/>) members of this kind may set.</summary>
    public virtual IReadOnlySet<string> MemberFieldNames => MemberFields.None;

    /// <summary>This kind's options in <paramref name="spec"/> (null when absent or when the kind has none).</summary>
    public virtual object? OptionsOf(LinkSpec spec) => null;

    /// <summary>What the link doctor knows of this kind beyond the rules every kind shares (docs/doctor.md).</summary>
    public virtual KindDoctor Doctor => KindDoctor.None;

    /// <summary>The kind's own rules; the validator has already checked what every kind shares.</summary>
    public abstract IReadOnlyList<ValidationError> Validate(LinkSpec spec);
}
