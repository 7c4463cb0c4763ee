using System.Linq.Expressions;
using Fleet.Api.Data.Entities;

namespace Fleet.Api.Alerts;

/// <summary>The one rule of what a silence covers: every scope field it sets matches, and it is active at the time asked.</summary>
public static class AlertSilenceRule
{
    public static bool Covers(AlertSilenceEntity silence, AlertSubject subject, DateTime at) =>
        IsActive(silence, at)
        && (silence.HostId is null || silence.HostId == subject.HostId)
        && (silence.LinkId is null || silence.LinkId == subject.LinkId)
        && (silence.Member is null || silence.Member == subject.Member)
        && (silence.Rule is null || silence.Rule == subject.Rule);

    /// <summary>The first of <paramref name="silences"/> that covers <paramref name="subject"/> at <paramref name="at"/>, or null.</summary>
    public static AlertSilenceEntity? FirstCovering(IEnumerable<AlertSilenceEntity> silences, AlertSubject subject, DateTime at) =>
        silences.FirstOrDefault(s => Covers(s, subject, at));

    /// <summary>Whether the silence is in force at <paramref name="at"/> (its start included, its end not).</summary>
    public static bool IsActive(AlertSilenceEntity silence, DateTime at) => silence.StartsAt <= at && at < silence.EndsAt;

    /// <summary><see cref="IsActive"/> as a database query's filter.</summary>
    public static Expression<Func<AlertSilenceEntity, bool>> ActiveAt(DateTime at) => s => s.StartsAt <= at && at < s.EndsAt;
}
