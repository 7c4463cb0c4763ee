using Fleet.Api.Data;
using Fleet.Api.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Metrics;

/// <summary>
/// The names the metrics are labelled with — hosts (with their labels), links (kind, phase) and members — read from
/// the database every <see cref="MetricsOptions.CatalogRefresh"/> and soon after a link is created, changed or deleted,
/// never on a scrape. <see cref="CatalogSnapshot.Build"/> applies the cardinality limits; <see cref="LiveCounters"/>
/// forgets what is gone.
/// </summary>
public sealed partial class MetricsCatalog(
    IDbContextFactory<FleetDbContext> contexts,
    ILinkChangeFeed changes,
    LiveCounters counters,
    IOptions<MetricsOptions> options,
    TimeProvider clock,
    ILogger<MetricsCatalog> logger) : BackgroundService
{
    /// <summary>A change is folded in after this quiet time, so a burst of changes costs one reload.</summary>
    private static readonly TimeSpan s_changeDelay = TimeSpan.FromMilliseconds(500);

    private volatile CatalogSnapshot _current = CatalogSnapshot.Empty;

    /// <summary>The latest reading (empty until the first one is done).</summary>
    public CatalogSnapshot Current => _current;

    /// <summary>Reads the catalog now (also what the background loop does).</summary>
    public async Task<CatalogSnapshot> ReloadAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var loadedAt = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hosts = await db.Hosts.AsNoTracking()
            .Where(h => h.DecommissionedAt == null)
            .Select(h => new { h.Id, h.Name, Labels = h.Labels.Select(l => new { l.Key, l.Value }).ToList() })
            .ToListAsync(cancellationToken);
        var links = await db.Links.AsNoTracking()
            .Where(l => l.DeletedAt == null)
            .Select(l => new
            {
                l.Id,
                l.HostId,
                l.Name,
                l.Kind,
                l.Phase,
                Members = l.Members.OrderBy(m => m.Position).Select(m => new { m.Interface, m.AdminState }).ToList(),
            })
            .ToListAsync(cancellationToken);

        var snapshot = CatalogSnapshot.Build(
            settings,
            loadedAt,
            hosts.Select(h => new CatalogHostRow(h.Id, h.Name, [.. h.Labels.Select(l => KeyValuePair.Create(l.Key, l.Value))])),
            links.Select(l => new CatalogLinkRow(l.Id, l.HostId, l.Name, l.Kind, l.Phase, [.. l.Members.Select(m => (m.Interface, m.AdminState))])));
        _current = snapshot;
        counters.Retain(links.Select(l => l.Id).ToHashSet(), hosts.Select(h => h.Id).ToHashSet());
        if (snapshot.OmittedMembers > 0)
        {
            LogOmitted(snapshot.OmittedMembers, settings.MaxMembers);
        }

        return snapshot;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = changes.Subscribe();
        var refresh = options.Value.CatalogRefresh;
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = refresh;
            try
            {
                await ReloadAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be migrating or briefly away: keep the last reading and try again soon.
                LogReloadFailed(ex);
                next = TimeSpan.FromSeconds(1);
            }

            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(next);
                if (await subscription.Reader.WaitToReadAsync(wait.Token))
                {
                    await Task.Delay(s_changeDelay, clock, stoppingToken);
                    while (subscription.Reader.TryRead(out _))
                    {
                    }
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The refresh interval passed without a change.
            }
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Metrics: reading hosts and links failed; the previous reading stays")]
    private partial void LogReloadFailed(Exception exception);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Metrics: {Omitted} members are not published (Fleet:Metrics:MaxMembers is {Max}); set Fleet:Metrics:HostLabel or raise the limit")]
    private partial void LogOmitted(int omitted, int max);
}
