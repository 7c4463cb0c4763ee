using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies.Kinds.Mptcp;

/// <summary>The policy editor's MPTCP section and endpoint columns, and the MPTCP facts of the summary.</summary>
public sealed class MptcpEditor : LinkKindEditor
{
    private static readonly MptcpOptions s_defaults = new();

    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Mptcp;

    /// <inheritdoc />
    public override Type Section => typeof(MptcpSection);

    /// <inheritdoc />
    public override Type MemberColumns => typeof(MptcpMemberColumns);

    /// <inheritdoc />
    public override IReadOnlyList<string> EditedFields { get; } = [MptcpFields.SubflowsLimit, MptcpFields.AddAddrAcceptedLimit, MptcpFields.MptcpizeServices];

    /// <inheritdoc />
    public override void Fill(LinkSpec spec, PolicyForm form)
    {
        var mptcp = spec.Mptcp ?? s_defaults;
        form.SetOption(MptcpFields.SubflowsLimit, PolicyForm.Text(mptcp.SubflowsLimit));
        form.SetOption(MptcpFields.AddAddrAcceptedLimit, PolicyForm.Text(mptcp.AddAddrAcceptedLimit));
        form.SetOption(MptcpFields.MptcpizeServices, string.Join(", ", mptcp.MptcpizeServices));
    }

    /// <inheritdoc />
    public override LinkSpec Apply(LinkSpec spec, LinkSpec current, PolicyForm form, FieldParser parser) => spec with
    {
        Mptcp = new MptcpOptions
        {
            SubflowsLimit = parser.Int(MptcpFields.SubflowsLimit, form.Option(MptcpFields.SubflowsLimit)) ?? s_defaults.SubflowsLimit,
            AddAddrAcceptedLimit = parser.Int(MptcpFields.AddAddrAcceptedLimit, form.Option(MptcpFields.AddAddrAcceptedLimit)) ?? s_defaults.AddAddrAcceptedLimit,
            MptcpizeServices = PolicyForm.SplitList(form.Option(MptcpFields.MptcpizeServices)),
        },
    };

    /// <inheritdoc />
    public override IEnumerable<(string Name, string Value)> Facts(LinkSpec spec)
    {
        var mptcp = spec.Mptcp ?? s_defaults;
        yield return ("Limits", $"{mptcp.SubflowsLimit} subflows, {mptcp.AddAddrAcceptedLimit} ADD_ADDR accepted");
        yield return ("Endpoints", string.Join(", ", (spec.Members ?? []).Select(m =>
            $"{m.Interface}: {(m.MptcpFlags.Count == 0 ? "no flags" : string.Join("+", m.MptcpFlags.Select(WireNames.Of)))}")));
        if (mptcp.MptcpizeServices.Count > 0)
        {
            yield return ("mptcpize", string.Join(", ", mptcp.MptcpizeServices));
        }
    }
}
