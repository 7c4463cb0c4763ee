using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Policies;

/// <summary>A member's text field in the members table, posted as <c>Form.Members[i].{Name}</c>.</summary>
public partial class MemberField
{
    /// <summary>Where errors come from.</summary>
    [Parameter, EditorRequired]
    public IFieldErrorSource Form { get; set; } = default!;

    /// <summary>The member's position.</summary>
    [Parameter]
    public int Index { get; set; }

    /// <summary>JSON field name within the member (<c>weight</c>).</summary>
    [Parameter, EditorRequired]
    public string Field { get; set; } = "";

    /// <summary>Form property name within the member (<c>Weight</c>).</summary>
    [Parameter, EditorRequired]
    public string Name { get; set; } = "";

    /// <summary>Label (visually hidden; the column header shows it).</summary>
    [Parameter, EditorRequired]
    public string Label { get; set; } = "";

    /// <summary>Current text.</summary>
    [Parameter]
    public string? Value { get; set; }

    /// <summary>Virtual keyboard hint.</summary>
    [Parameter]
    public string? InputMode { get; set; }

    /// <summary>The id of a <c>datalist</c> the field suggests from (the host's interfaces).</summary>
    [Parameter]
    public string? List { get; set; }

    private string Path => PolicyPaths.MemberField(Index, Field);

    private IReadOnlyList<string> Messages => Form.Errors(Path);

    private bool HasErrors => Messages.Count > 0;

    private string FieldId => Form.Id(Path);

    private string ErrorId => FieldId + "-error";
}
