using Fleet.Contracts.Links;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Policies.Kinds;

/// <summary>
/// Base of a kind's fieldset in the policy editor. Its fields post as <c>Form.Options[PATH]</c>, PATH being the
/// validator's path of the field (<see cref="Contracts.Links.Kinds.BondFields"/>, …), so the form, the field's id and
/// its errors all use the one name the validator reports.
/// </summary>
public abstract class KindSection : ComponentBase
{
    /// <summary>Where the fields' errors come from (the editor page).</summary>
    [Parameter, EditorRequired]
    public IFieldErrorSource Page { get; set; } = default!;

    /// <summary>The form being edited.</summary>
    [Parameter, EditorRequired]
    public PolicyForm Values { get; set; } = default!;

    /// <summary>The spec in force.</summary>
    [Parameter, EditorRequired]
    public LinkSpec Current { get; set; } = default!;

    /// <summary>The form property name of the field at <paramref name="path"/>, for <see cref="FormField.Name"/>.</summary>
    protected static string Name(string path) => PolicyForm.OptionName(path);

    /// <summary>The text of the field at <paramref name="path"/>.</summary>
    protected string? Value(string path) => Values.Option(path);
}
