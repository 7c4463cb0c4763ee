using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Components;

/// <summary>
/// An instant in the viewer's time zone, as a <c>&lt;time&gt;</c> element carrying the exact UTC value, so the
/// script can re-render it in the browser's zone when the server did not know it yet.
/// </summary>
public partial class LocalTime
{
    /// <summary>The instant; null renders <see cref="Placeholder"/>.</summary>
    [Parameter]
    public DateTimeOffset? Value { get; set; }

    /// <summary><c>full</c> (date and time), <c>time</c> or <c>ago</c> (relative, with the full time as tooltip).</summary>
    [Parameter]
    public string Style { get; set; } = "full";

    /// <summary>Shown when there is no value.</summary>
    [Parameter]
    public string Placeholder { get; set; } = "never";

    [Inject]
    private ViewerTimeZone Zone { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    private static string Iso(DateTimeOffset value) => ViewerTimeZone.Iso(value);

    private string Title(DateTimeOffset value) => Zone.Tooltip(value);

    private string Text(DateTimeOffset value) => Style switch
    {
        "time" => Zone.FormatTime(value),
        "ago" => ViewerTimeZone.Ago(value, Clock.GetUtcNow()),
        _ => Zone.Format(value),
    };
}
