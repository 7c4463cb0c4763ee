using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Policies;

/// <summary>A field's error messages, right below it.</summary>
public partial class FieldErrors
{
    /// <summary>The messages (none renders nothing).</summary>
    [Parameter]
    public IReadOnlyList<string> Messages { get; set; } = [];

    /// <summary>Element id the field's <c>aria-describedby</c> points at.</summary>
    [Parameter]
    public string? Id { get; set; }
}
