using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies;

/// <summary>One member's row of the policy editor.</summary>
public sealed class MemberForm
{
    public string? Interface { get; set; }

    public string? AdminState { get; set; }

    public string? Weight { get; set; }

    public string? RateBitsPerSecond { get; set; }

    public string? LagMilliseconds { get; set; }

    public string? Address { get; set; }

    public string? LocalPort { get; set; }

    public string? Peer { get; set; }

    public string? ProbeTarget { get; set; }

    public bool FlagSignal { get; set; }

    public bool FlagSubflow { get; set; }

    public bool FlagBackup { get; set; }

    public bool FlagFullmesh { get; set; }

    /// <summary>Striper tier (<c>primary</c>, <c>overflow</c>, <c>backup</c>, <c>never</c>); empty: by the admin state.</summary>
    public string? Tier { get; set; }

    /// <summary>Data cap in bytes per cycle; empty with <see cref="CapCycleStartDay"/>: no cap.</summary>
    public string? CapBytes { get; set; }

    /// <summary>The day of the month the cap's cycle starts on (1–28).</summary>
    public string? CapCycleStartDay { get; set; }

    /// <summary>Demote the member to backup when its cap is used up.</summary>
    public bool CapDemote { get; set; }

    /// <summary>The row showing <paramref name="member"/>.</summary>
    public static MemberForm FromSpec(MemberSpec member) => new()
    {
        Interface = member.Interface,
        AdminState = WireNames.Of(member.AdminState),
        Weight = PolicyForm.Text(member.Weight),
        RateBitsPerSecond = PolicyForm.Text(member.RateBitsPerSecond),
        LagMilliseconds = PolicyForm.Text(member.LagMilliseconds),
        Address = member.Address,
        LocalPort = PolicyForm.Text(member.LocalPort),
        Peer = member.Peer,
        ProbeTarget = member.ProbeTarget,
        FlagSignal = member.MptcpFlags.Contains(MptcpEndpointFlag.Signal),
        FlagSubflow = member.MptcpFlags.Contains(MptcpEndpointFlag.Subflow),
        FlagBackup = member.MptcpFlags.Contains(MptcpEndpointFlag.Backup),
        FlagFullmesh = member.MptcpFlags.Contains(MptcpEndpointFlag.Fullmesh),
        Tier = member.Tier is { } tier ? WireNames.Of(tier) : null,
        CapBytes = PolicyForm.Text(member.Cap?.Bytes),
        CapCycleStartDay = PolicyForm.Text(member.Cap?.CycleStartDay),
        CapDemote = member.Cap?.DemoteWhenExhausted ?? false,
    };

    /// <summary>
    /// The member this row describes. A kind-specific field is read only when <paramref name="kind"/>'s members have
    /// it (<see cref="LinkKindDescriptor.MemberFieldNames"/>): a row keeps what it was given for another kind.
    /// </summary>
    internal MemberSpec ToSpec(LinkKindDescriptor kind, string path, FieldParser parser)
    {
        bool Has(string field) => kind.MemberFieldNames.Contains(field);
        var flags = new List<MptcpEndpointFlag>();
        if (Has(MemberFields.MptcpFlags))
        {
            if (FlagSignal)
            {
                flags.Add(MptcpEndpointFlag.Signal);
            }

            if (FlagSubflow)
            {
                flags.Add(MptcpEndpointFlag.Subflow);
            }

            if (FlagBackup)
            {
                flags.Add(MptcpEndpointFlag.Backup);
            }

            if (FlagFullmesh)
            {
                flags.Add(MptcpEndpointFlag.Fullmesh);
            }
        }

        return new MemberSpec
        {
            Interface = PolicyForm.Blank(Interface) ?? "",
            AdminState = parser.Enum<MemberAdminState>($"{path}.{MemberFields.AdminState}", AdminState) ?? MemberAdminState.Active,
            Weight = Has(MemberFields.Weight) ? parser.Double($"{path}.{MemberFields.Weight}", Weight) : null,
            RateBitsPerSecond = parser.Long($"{path}.{MemberFields.RateBitsPerSecond}", RateBitsPerSecond),
            LagMilliseconds = parser.Int($"{path}.{MemberFields.LagMilliseconds}", LagMilliseconds),
            Address = Has(MemberFields.Address) ? PolicyForm.Blank(Address) : null,
            LocalPort = Has(MemberFields.LocalPort) ? parser.Int($"{path}.{MemberFields.LocalPort}", LocalPort) : null,
            Peer = Has(MemberFields.Peer) ? PolicyForm.Blank(Peer) : null,
            ProbeTarget = Has(MemberFields.ProbeTarget) ? PolicyForm.Blank(ProbeTarget) : null,
            MptcpFlags = flags,
            Tier = Has(MemberFields.Tier) ? parser.Enum<LinkTier>($"{path}.{MemberFields.Tier}", Tier) : null,
            Cap = CapToSpec($"{path}.{MemberFields.Cap}", parser),
        };
    }

    /// <summary>No cap when both numbers are blank; otherwise what was typed, a missing number as 0 for the validator to name.</summary>
    private DataCap? CapToSpec(string path, FieldParser parser) =>
        PolicyForm.Blank(CapBytes) is null && PolicyForm.Blank(CapCycleStartDay) is null
            ? null
            : new DataCap
            {
                Bytes = parser.Long($"{path}.bytes", CapBytes) ?? 0,
                CycleStartDay = parser.Int($"{path}.cycleStartDay", CapCycleStartDay) ?? 0,
                DemoteWhenExhausted = CapDemote,
            };
}
