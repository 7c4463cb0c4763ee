using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts;

/// <summary>Alert and silence rows as REST and the notifications show them.</summary>
public static class AlertMapping
{
    public static AlertDto ToDto(AlertEntity alert) => new()
    {
        Id = alert.Id,
        Rule = alert.Rule,
        CustomRuleId = alert.CustomRuleId,
        CustomRuleName = alert.CustomRuleName,
        Severity = alert.Severity,
        Status = alert.Status,
        HostId = alert.HostId,
        HostName = alert.HostName,
        LinkId = alert.LinkId,
        LinkName = alert.LinkName,
        Member = alert.Member,
        Summary = alert.Summary,
        StartsAt = Utc(alert.StartsAt),
        FiredAt = Utc(alert.FiredAt),
        ResolvedAt = alert.ResolvedAt is { } resolved ? Utc(resolved) : null,
        SilencedBy = alert.SilencedBy,
        AcknowledgedBy = alert.AcknowledgedBy,
        AcknowledgedAt = alert.AcknowledgedAt is { } acknowledged ? Utc(acknowledged) : null,
    };

    public static AlertSilenceDto ToDto(AlertSilenceEntity silence) => new()
    {
        Id = silence.Id,
        HostId = silence.HostId,
        LinkId = silence.LinkId,
        Member = silence.Member,
        Rule = silence.Rule,
        StartsAt = Utc(silence.StartsAt),
        EndsAt = Utc(silence.EndsAt),
        Author = silence.Author,
        Reason = silence.Reason,
        CreatedAt = Utc(silence.CreatedAt),
    };

    /// <summary>The alert's strong ETag: its id and version.</summary>
    public static string ETag(AlertEntity alert) => $"\"alert-{alert.Id:N}-{alert.Version}\"";

    /// <summary>The dashboard page of what the alert is about (its link, else its host), or null without a dashboard URL.</summary>
    public static Uri? DashboardLink(AlertEntity alert, Uri? dashboardUrl) => dashboardUrl is null
        ? null
        : new Uri(dashboardUrl, alert.LinkId is { } link ? $"links/{link}" : $"hosts/{alert.HostId}");

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
