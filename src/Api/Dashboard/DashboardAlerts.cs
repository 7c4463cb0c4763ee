using System.Security.Claims;
using Fleet.Api.Alerts;
using Fleet.Api.Alerts.Receivers;
using Fleet.Api.Alerts.Rules;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Fleet.Web.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Dashboard;

/// <summary>
/// The Alerts page's data and its door to <see cref="AlertCommands"/> (the commands behind <c>POST
/// /api/v1/alerts/{id}/ack</c> and <c>/api/v1/silences</c>, which check the operator role and audit, whatever the page
/// did). Lists filter with <see cref="AlertQueries"/> and judge silences with <see cref="AlertSilenceRule"/>, as REST
/// and the engine do.
/// </summary>
public sealed class DashboardAlerts(
    FleetDbContext db, AlertCommands commands, AlertRuleCommands rules, TimeProvider time, IHttpContextAccessor http, IOptions<AlertOptions> options)
    : IAlertQuery, IAlertCommands
{
    /// <summary>Most firing alerts a list shows; a fleet with more has bigger problems than this page.</summary>
    public const int MaxFiring = 500;

    private Caller Caller => Caller.Of(http.HttpContext?.User ?? new ClaimsPrincipal());

    public async Task<AlertsOverview> GetAlertsAsync(AlertFilter filter, CancellationToken cancellationToken)
    {
        var now = Now;
        var active = await ActiveSilencesAsync(now, cancellationToken);
        var firing = await FiringAsync(Filtered(filter, AlertStatus.Firing), active, now, cancellationToken);
        var resolved = Filtered(filter, AlertStatus.Resolved);
        var total = await resolved.CountAsync(cancellationToken);
        var page = Math.Max(1, filter.HistoryPage);
        var history = await resolved.OrderByDescending(a => a.Id)
            .Skip((page - 1) * AlertFilter.HistoryPageSize).Take(AlertFilter.HistoryPageSize).ToListAsync(cancellationToken);
        var silences = await db.AlertSilences.AsNoTracking().OrderByDescending(s => s.Id).Take(AlertFilter.MaxSilences).ToListAsync(cancellationToken);
        return new AlertsOverview(firing, [.. history.Select(a => ToRow(a, coveredBy: null))], total, await SilenceRowsAsync(silences, now, cancellationToken));
    }

    public async Task<IReadOnlyList<AlertRow>> GetFiringAsync(Guid? hostId, Guid? linkId, CancellationToken cancellationToken)
    {
        var now = Now;
        var rows = db.Alerts.AsNoTracking().Matching(AlertStatus.Firing, hostId, linkId);
        return await FiringAsync(rows, await ActiveSilencesAsync(now, cancellationToken), now, cancellationToken);
    }

    public Task<int> CountFiringAsync(CancellationToken cancellationToken) =>
        db.Alerts.AsNoTracking().Matching(AlertStatus.Firing, null, null).CountAsync(cancellationToken);

    public async Task<IReadOnlyList<AlertRuleDto>> GetRulesAsync(CancellationToken cancellationToken) =>
        await AlertRulesApi.ListAsync(db, options.Value, cancellationToken);

    public async Task<IReadOnlyList<AlertReceiverDto>> GetReceiversAsync(CancellationToken cancellationToken) =>
        await AlertReceiversApi.ListAsync(db, options.Value, admin: false, cancellationToken);

    public async Task<IReadOnlyList<AlertDeliveryDto>> GetDeliveriesAsync(string receiver, int count, CancellationToken cancellationToken) =>
        await AlertDeliveryLog.ListAsync(db, receiver, null, count, cancellationToken);

    public async Task<AlertCommandResult> AcknowledgeAsync(Guid alertId, CancellationToken cancellationToken) =>
        ToResult(await commands.AcknowledgeAsync(Caller, alertId, ifMatch: null, cancellationToken));

    public async Task<AlertCommandResult> SilenceAsync(SilenceRequest request, CancellationToken cancellationToken)
    {
        // Both ends from one reading of the clock: a silence of 24 hours lasts 24 hours, not 24 hours less the time
        // the command took to validate before it read the clock for its default start.
        var now = time.GetUtcNow();
        return ToResult(await commands.CreateSilenceAsync(Caller, new CreateAlertSilenceRequest
        {
            HostId = request.HostId,
            LinkId = request.LinkId,
            Member = request.Member,
            Rule = request.Rule,
            StartsAt = now,
            EndsAt = now + request.Duration,
            Reason = request.Reason,
        }, cancellationToken));
    }

    public async Task<AlertCommandResult> DeleteSilenceAsync(Guid silenceId, CancellationToken cancellationToken) =>
        ToResult(await commands.DeleteSilenceAsync(Caller, silenceId, cancellationToken));

    public async Task<AlertCommandResult> CreateRuleAsync(RuleDraft draft, CancellationToken cancellationToken)
    {
        var request = draft.Request;
        switch (request.Scope)
        {
            case AlertRuleScope.Host:
                var host = await db.Hosts.AsNoTracking().Where(h => h.Name == draft.Target).Select(h => (Guid?)h.Id).FirstOrDefaultAsync(cancellationToken);
                if (host is null)
                {
                    return AlertCommandResult.Error("target", $"no host is named \"{draft.Target}\"");
                }

                request = request with { HostId = host };
                break;
            case AlertRuleScope.Link:
                var slash = draft.Target?.IndexOf('/', StringComparison.Ordinal) ?? -1;
                var (hostName, linkName) = slash > 0 ? (draft.Target![..slash], draft.Target[(slash + 1)..]) : ("", "");
                var link = await db.Links.AsNoTracking().Where(l => l.Name == linkName && l.DeletedAt == null)
                    .Join(db.Hosts.Where(h => h.Name == hostName), l => l.HostId, h => h.Id, (l, _) => (Guid?)l.Id).FirstOrDefaultAsync(cancellationToken);
                if (link is null)
                {
                    return AlertCommandResult.Error("target", $"no link \"{draft.Target}\" (HOST/LINK, as the overview names them)");
                }

                request = request with { LinkId = link };
                break;
            case AlertRuleScope.All or AlertRuleScope.Labels or null:
                break;
        }

        return ToResult(await rules.CreateAsync(Caller, request, cancellationToken));
    }

    public async Task<AlertCommandResult> DeleteRuleAsync(Guid ruleId, CancellationToken cancellationToken) =>
        ToResult(await rules.DeleteAsync(Caller, ruleId, ifMatch: null, cancellationToken));

    private DateTime Now => UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);

    private IQueryable<AlertEntity> Filtered(AlertFilter filter, AlertStatus status)
    {
        var rows = db.Alerts.AsNoTracking().Matching(status, filter.HostId, filter.LinkId);
        if (filter.Severity is { } severity)
        {
            rows = rows.Where(a => a.Severity == severity);
        }

        return filter.Rule is { } rule ? rows.Where(a => a.Rule == rule) : rows;
    }

    private Task<List<AlertSilenceEntity>> ActiveSilencesAsync(DateTime now, CancellationToken cancellationToken) =>
        db.AlertSilences.AsNoTracking().Where(AlertSilenceRule.ActiveAt(now)).ToListAsync(cancellationToken);

    /// <summary>
    /// Firing alerts, critical first and then newest first (ordered here: severities are stored as words), each with
    /// the silence that covers it now, if any.
    /// </summary>
    private static async Task<IReadOnlyList<AlertRow>> FiringAsync(IQueryable<AlertEntity> rows, List<AlertSilenceEntity> active, DateTime now, CancellationToken cancellationToken)
    {
        var firing = await rows.OrderByDescending(a => a.Id).Take(MaxFiring).ToListAsync(cancellationToken);
        return [.. firing
            .OrderByDescending(a => a.Severity == AlertSeverity.Critical)
            .ThenByDescending(a => a.Id)
            .Select(a => ToRow(a, AlertSilenceRule.FirstCovering(active, new AlertSubject(a.Rule, a.HostId, a.LinkId, a.Member), now)?.Id))];
    }

    private async Task<IReadOnlyList<SilenceRow>> SilenceRowsAsync(List<AlertSilenceEntity> silences, DateTime now, CancellationToken cancellationToken)
    {
        var hostIds = silences.Where(s => s.HostId is not null).Select(s => s.HostId!.Value).Distinct().ToList();
        var linkIds = silences.Where(s => s.LinkId is not null).Select(s => s.LinkId!.Value).Distinct().ToList();
        var hosts = await db.Hosts.AsNoTracking().Where(h => hostIds.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.Name, cancellationToken);
        var links = await db.Links.AsNoTracking().Where(l => linkIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, l => l.Name, cancellationToken);
        return [.. silences.Select(s => new SilenceRow(
            s.Id,
            AlertSilenceRule.IsActive(s, now) ? SilenceState.Active : s.StartsAt > now ? SilenceState.Scheduled : SilenceState.Expired,
            s.HostId,
            s.HostId is { } host ? hosts.GetValueOrDefault(host) : null,
            s.LinkId,
            s.LinkId is { } link ? links.GetValueOrDefault(link) : null,
            s.Member,
            s.Rule,
            Utc(s.StartsAt),
            Utc(s.EndsAt),
            s.Author,
            s.Reason))];
    }

    private static AlertRow ToRow(AlertEntity a, Guid? coveredBy) => new(
        a.Id, a.Rule, a.Severity, a.Status, a.HostId, a.HostName, a.LinkId, a.LinkName, a.Member, a.Summary,
        Utc(a.FiredAt), a.ResolvedAt is { } resolved ? Utc(resolved) : null, a.SilencedBy, a.AcknowledgedBy,
        a.AcknowledgedAt is { } acknowledged ? Utc(acknowledged) : null, coveredBy);

    /// <summary>A command's result as the page shows it: field errors as they are, a refusal's sentence next to its field (or on its own).</summary>
    private static AlertCommandResult ToResult<T>(CommandResult<T> result)
        where T : class
    {
        if (result.Errors is { } errors)
        {
            return new AlertCommandResult(errors);
        }

        return result.Refusal is { } refusal ? AlertCommandResult.Error(refusal.Field ?? "", refusal.Detail) : AlertCommandResult.Ok;
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
