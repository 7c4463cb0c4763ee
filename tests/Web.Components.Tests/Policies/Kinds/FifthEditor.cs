using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Testing.Kinds;
using Fleet.Web.Policies;
using Fleet.Web.Policies.Kinds;
using Microsoft.AspNetCore.Components.Rendering;

namespace Fleet.Web.Components.Tests.Policies.Kinds;

/// <summary>
/// The dashboard's half of the test-only <see cref="FifthKind"/>: its section, its member column and its summary,
/// written as a kind's own files would be (components in C# here: this project has no Razor compiler).
/// </summary>
public sealed class FifthEditor : LinkKindEditor
{
    /// <inheritdoc />
    public override LinkKind Kind => FifthKind.Value;

    /// <inheritdoc />
    public override Type Section => typeof(FifthSection);

    /// <inheritdoc />
    public override Type MemberColumns => typeof(FifthMemberColumns);

    /// <summary>Registers both halves of the kind (idempotent).</summary>
    public static void Register()
    {
        FifthKind.Register();
        LinkKindEditors.Register(new FifthEditor());
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, string Value)> Facts(LinkSpec spec)
    {
        yield return ("Member addresses", string.Join(", ", spec.Members.Select(m => $"{m.Interface} {m.Address}")));
    }
}

/// <summary>The fifth kind's fieldset: it has no options, so it only says so.</summary>
public sealed class FifthSection : KindSection
{
    /// <inheritdoc />
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "fieldset");
        builder.OpenElement(1, "legend");
        builder.AddContent(2, "Fifth");
        builder.CloseElement();
        builder.OpenElement(3, "p");
        builder.AddAttribute(4, "data-testid", "fifth-section");
        builder.AddContent(5, $"{Current.Name} has no options of its own; each member needs its own address.");
        builder.CloseElement();
        builder.CloseElement();
    }
}

/// <summary>The fifth kind's member column: the member's own address.</summary>
public sealed class FifthMemberColumns : KindMemberColumns
{
    /// <inheritdoc />
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (Member is not { } member)
        {
            builder.OpenElement(0, "th");
            builder.AddAttribute(1, "scope", "col");
            builder.AddContent(2, "Own address");
            builder.CloseElement();
            return;
        }

        builder.OpenElement(3, "td");
        builder.OpenComponent<MemberField>(4);
        builder.AddComponentParameter(5, nameof(MemberField.Form), Page);
        builder.AddComponentParameter(6, nameof(MemberField.Index), Index);
        builder.AddComponentParameter(7, nameof(MemberField.Field), MemberFields.Address);
        builder.AddComponentParameter(8, nameof(MemberField.Label), "Own address");
        builder.AddComponentParameter(9, nameof(MemberField.Value), member.Address);
        builder.AddComponentParameter(10, nameof(MemberField.Name), nameof(MemberForm.Address));
        builder.CloseComponent();
        builder.CloseElement();
    }
}
