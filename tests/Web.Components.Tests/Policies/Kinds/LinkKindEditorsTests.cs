using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Web.Policies.Kinds;

namespace Fleet.Web.Components.Tests.Policies.Kinds;

/// <summary>Every shipped kind has its editor, and the editor's fields are the validator's paths of that kind.</summary>
public sealed class LinkKindEditorsTests
{
    public static TheoryData<LinkKind> ShippedKinds() => new(Enum.GetValues<LinkKind>());

    [Theory]
    [MemberData(nameof(ShippedKinds))]
    public void Of_ShippedKind_EditsThatKindsOwnOptions(LinkKind kind)
    {
        var editor = LinkKindEditors.Of(kind);
        var descriptor = LinkKinds.Of(kind);

        Assert.Equal(kind, editor.Kind);
        Assert.All(editor.EditedFields, field => Assert.StartsWith(descriptor.OptionsPath + ".", field, StringComparison.Ordinal));
    }
}
