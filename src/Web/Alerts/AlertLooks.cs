using Fleet.Contracts.Rest;
using Fleet.Web.Formatting;

namespace Fleet.Web.Alerts;

/// <summary>How alerts and silences read in every list (Alerts page, host and link pages): by word and shape, not colour alone.</summary>
public static class AlertLooks
{
    /// <summary>The severity's CSS modifier of <c>.severity</c>, its shape and its word.</summary>
    public static (string Modifier, string Icon, string Text) Of(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Warning => ("warning", "▲", "warning"),
        AlertSeverity.Critical => ("error", "■", "critical"),
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "not a severity"),
    };

    /// <summary>A silence's state as a word.</summary>
    public static string Of(SilenceState state) => state switch
    {
        SilenceState.Active => "active",
        SilenceState.Scheduled => "scheduled",
        SilenceState.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not a silence state"),
    };

    /// <summary>The rule's wire name (<c>member_down</c>), as REST, Alertmanager and webhooks name it.</summary>
    public static string Rule(AlertRule rule) => WireNames.Of(rule);

    /// <summary>What a silence covers, in words: the scope fields it sets (every alert when it sets none).</summary>
    public static string Scope(SilenceRow silence)
    {
        var parts = new List<string>();
        if (silence.Rule is { } rule)
        {
            parts.Add(Rule(rule));
        }

        if (silence.HostName is { } host)
        {
            parts.Add("host " + host);
        }
        else if (silence.HostId is { } hostId)
        {
            parts.Add("host " + hostId);
        }

        if (silence.LinkName is { } link)
        {
            parts.Add("link " + link);
        }
        else if (silence.LinkId is { } linkId)
        {
            parts.Add("link " + linkId);
        }

        if (silence.Member is { } member)
        {
            parts.Add("member " + member);
        }

        return parts.Count == 0 ? "every alert" : string.Join(", ", parts);
    }
}
