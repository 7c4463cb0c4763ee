using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Web.Policies.Kinds.Teql;

/// <summary>The policy editor's teql probing section and probe-target column, and the teql facts of the summary.</summary>
public sealed class TeqlEditor : LinkKindEditor
{
    private static readonly TeqlOptions s_defaults = new();

    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Teql;

    /// <inheritdoc />
    public override Type Section => typeof(TeqlSection);

    /// <inheritdoc />
    public override Type MemberColumns => typeof(TeqlMemberColumns);

    /// <inheritdoc />
    public override IReadOnlyList<string> EditedFields { get; } = [TeqlFields.ProbeIntervalMs, TeqlFields.DownAfterFailedProbes];

    /// <inheritdoc />
    public override void Fill(LinkSpec spec, PolicyForm form)
    {
        var teql = spec.Teql ?? s_defaults;
        form.SetOption(TeqlFields.ProbeIntervalMs, PolicyForm.Text(teql.ProbeIntervalMs));
        form.SetOption(TeqlFields.DownAfterFailedProbes, PolicyForm.Text(teql.DownAfterFailedProbes));
    }

    /// <inheritdoc />
    public override LinkSpec Apply(LinkSpec spec, LinkSpec current, PolicyForm form, FieldParser parser) => spec with
    {
        Teql = new TeqlOptions
        {
            ProbeIntervalMs = parser.Int(TeqlFields.ProbeIntervalMs, form.Option(TeqlFields.ProbeIntervalMs)) ?? s_defaults.ProbeIntervalMs,
            DownAfterFailedProbes = parser.Int(TeqlFields.DownAfterFailedProbes, form.Option(TeqlFields.DownAfterFailedProbes)) ?? s_defaults.DownAfterFailedProbes,
        },
    };

    /// <inheritdoc />
    public override IEnumerable<(string Name, string Value)> Facts(LinkSpec spec)
    {
        var teql = spec.Teql ?? s_defaults;
        yield return ("Probes", $"every {teql.ProbeIntervalMs} ms, down after {teql.DownAfterFailedProbes} misses");
    }
}
