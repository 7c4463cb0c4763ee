using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Web.Policies.Kinds.Aggregator;

/// <summary>
/// The policy editor's aggregator section (public address, site prefix length) and socket columns, and the
/// aggregator's facts in the summary. The sites are not in the form: they change through the link page's Sites
/// (the Api's site commands), so a saved form keeps them as stored.
/// </summary>
public sealed class AggregatorEditor : LinkKindEditor
{
    private static readonly AggregatorOptions s_defaults = new();

    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Aggregator;

    /// <inheritdoc />
    public override Type Section => typeof(AggregatorSection);

    /// <inheritdoc />
    public override Type MemberColumns => typeof(AggregatorMemberColumns);

    /// <inheritdoc />
    public override IReadOnlyList<string> EditedFields { get; } = [AggregatorFields.PublicAddress, AggregatorFields.SitePrefixLength];

    /// <inheritdoc />
    public override void Fill(LinkSpec spec, PolicyForm form)
    {
        var aggregator = spec.Aggregator ?? s_defaults;
        form.SetOption(AggregatorFields.PublicAddress, aggregator.PublicAddress);
        form.SetOption(AggregatorFields.SitePrefixLength, PolicyForm.Text(aggregator.SitePrefixLength));
    }

    /// <inheritdoc />
    public override LinkSpec Apply(LinkSpec spec, LinkSpec current, PolicyForm form, FieldParser parser)
    {
        var stored = current.Aggregator ?? s_defaults;
        return spec with
        {
            Aggregator = stored with
            {
                PublicAddress = PolicyForm.Blank(form.Option(AggregatorFields.PublicAddress)),
                SitePrefixLength = parser.Int(AggregatorFields.SitePrefixLength, form.Option(AggregatorFields.SitePrefixLength)) ?? s_defaults.SitePrefixLength,
            },
        };
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, string Value)> Facts(LinkSpec spec)
    {
        var aggregator = spec.Aggregator ?? s_defaults;
        var socket = spec.Members is { Count: > 0 } members ? members[0] : null;
        yield return ("Sites", aggregator.Sites.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (socket is not null)
        {
            yield return ("Listens", $"{aggregator.PublicAddress ?? socket.Address ?? socket.Interface}:{socket.LocalPort}");
        }

        if (spec.Addresses is { Count: > 0 } addresses)
        {
            yield return ("Tunnel network", $"{addresses[0]}, a /{aggregator.SitePrefixLength} per site");
        }
    }
}
