using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Web.Policies.Kinds;

/// <summary>
/// The dashboard's half of a link kind (the contract's half is its <see cref="LinkKindDescriptor"/>, which cannot
/// know Razor): the policy editor's section for the kind's options, the kind's own member columns, how the section
/// fills and reads its part of <see cref="PolicyForm.Options"/>, and the kind's facts in the spec summary.
/// Registered in <see cref="LinkKindEditors"/>. Adding a kind: docs/architecture.md, "Link kinds".
/// </summary>
public abstract class LinkKindEditor
{
    /// <summary>The kind this editor edits.</summary>
    public abstract LinkKind Kind { get; }

    /// <summary>The component of the kind's fieldset (a <see cref="KindSection"/>); null when the kind has no options.</summary>
    public virtual Type? Section => null;

    /// <summary>The component of the kind's own member columns (a <see cref="KindMemberColumns"/>); null when it has none.</summary>
    public virtual Type? MemberColumns => null;

    /// <summary>
    /// The validator's paths (<see cref="BondFields"/>, …) of the fields <see cref="Section"/> shows, so their errors
    /// are shown next to them and not in the list above the form.
    /// </summary>
    public virtual IReadOnlyList<string> EditedFields => [];

    /// <summary>Writes the kind's options of <paramref name="spec"/> into <see cref="PolicyForm.Options"/>, as text.</summary>
    public virtual void Fill(LinkSpec spec, PolicyForm form)
    {
    }

    /// <summary>
    /// <paramref name="spec"/> (the shared fields, already read from the form) with the kind's options read from
    /// <see cref="PolicyForm.Options"/>. <paramref name="current"/> is the stored spec, for what the form does not show.
    /// </summary>
    public virtual LinkSpec Apply(LinkSpec spec, LinkSpec current, PolicyForm form, FieldParser parser) => spec;

    /// <summary>The kind's facts an operator looks for first, in reading order, for <see cref="SpecSummary"/>.</summary>
    public abstract IEnumerable<(string Name, string Value)> Facts(LinkSpec spec);
}
