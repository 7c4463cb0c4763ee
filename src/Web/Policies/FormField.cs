using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Policies;

/// <summary>
/// Base of the policy editor's field components: a value posted as <c>Form.{Name}</c>, the JSON path its errors are
/// reported at (the validator's), and the label, hint and error wiring every accessible field needs.
/// </summary>
public abstract class FormField : ComponentBase
{
    /// <summary>Where errors come from.</summary>
    [Parameter, EditorRequired]
    public IFieldErrorSource Form { get; set; } = default!;

    /// <summary>JSON path of the field (<c>bond.miimonMs</c>).</summary>
    [Parameter]
    public string Path { get; set; } = "";

    /// <summary>Form property name.</summary>
    [Parameter, EditorRequired]
    public string Name { get; set; } = "";

    /// <summary>Visible label.</summary>
    [Parameter, EditorRequired]
    public string Label { get; set; } = "";

    /// <summary>Current text.</summary>
    [Parameter]
    public string? Value { get; set; }

    /// <summary>Help text below the field.</summary>
    [Parameter]
    public string? Hint { get; set; }

    /// <summary>Virtual keyboard hint (<c>numeric</c>, <c>decimal</c>).</summary>
    [Parameter]
    public string? InputMode { get; set; }

    /// <summary>A secret: typed as a password and never rendered back.</summary>
    [Parameter]
    public bool Secret { get; set; }

    /// <summary>Choices of a select.</summary>
    [Parameter]
    public IReadOnlyList<string> Choices { get; set; } = [];

    /// <summary>Whether a select offers "(default)".</summary>
    [Parameter]
    public bool AllowNone { get; set; }

    protected IReadOnlyList<string> Messages => Form.ErrorsBelow(Path);

    protected bool HasErrors => Messages.Count > 0;

    protected string FieldId => Form.Id(Path);

    protected string ErrorId => FieldId + "-error";

    protected string HintId => FieldId + "-hint";

    protected string? DescribedBy
    {
        get
        {
            var ids = new List<string>(2);
            if (Hint is not null)
            {
                ids.Add(HintId);
            }

            if (HasErrors)
            {
                ids.Add(ErrorId);
            }

            return ids.Count == 0 ? null : string.Join(' ', ids);
        }
    }
}
