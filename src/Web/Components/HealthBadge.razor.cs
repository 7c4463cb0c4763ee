using Fleet.Contracts.Links;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Components;

/// <summary>
/// Health shown by colour and by text and shape (so it reads without colour, WCAG 1.4.1): a link's
/// <see cref="LinkHealth"/> or a member's <see cref="MemberHealth"/>.
/// </summary>
public partial class HealthBadge
{
    /// <summary>A link's or host's health.</summary>
    [Parameter]
    public LinkHealth? Link { get; set; }

    /// <summary>A member's health (used when <see cref="Link"/> is null).</summary>
    [Parameter]
    public MemberHealth? Member { get; set; }

    /// <summary>Overrides the text (e.g. "Offline").</summary>
    [Parameter]
    public string? Label { get; set; }

    /// <summary>Tooltip.</summary>
    [Parameter]
    public string? Title { get; set; }

    private string CssModifier => Look.Modifier;

    private string Icon => Look.Icon;

    private string Text => Label ?? Look.Text;

    private (string Modifier, string Icon, string Text) Look => LookOf(Link, Member);

    /// <summary>
    /// How a health reads: the CSS modifier (colour), the shape and the word. Also used by markup that renders many
    /// badges inline (the overview's rows) instead of as one component each.
    /// </summary>
    public static (string Modifier, string Icon, string Text) LookOf(LinkHealth? link, MemberHealth? member) => (link, member) switch
    {
        (LinkHealth.Healthy, _) => ("ok", "●", "Healthy"),
        (LinkHealth.Degraded, _) => ("warn", "▲", "Degraded"),
        (LinkHealth.Down, _) => ("bad", "■", "Down"),
        (LinkHealth.Unknown, _) => ("unknown", "?", "Unknown"),
        (null, MemberHealth.Up) => ("ok", "●", "Up"),
        (null, MemberHealth.Degraded) => ("warn", "▲", "Degraded"),
        (null, MemberHealth.Down) => ("bad", "■", "Down"),
        (null, MemberHealth.Unknown or null) => ("unknown", "?", "Unknown"),
        _ => throw new ArgumentOutOfRangeException(nameof(link), (link, member), "not a health"),
    };
}
