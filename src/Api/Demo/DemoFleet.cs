using Fleet.Agent.Simulation;
using Fleet.Api.Common;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Enrollment;
using Fleet.Api.Links;
using Fleet.Api.Links.Aggregators;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Demo;

/// <summary>
/// <c>fleet-api --demo</c>: once the Api listens, a small simulated fleet joins it through the real front door — an
/// enrollment token the demo creates, <c>POST /api/v1/agents/enroll</c>, and <c>/hubs/agent</c> over WebSockets — with
/// one link per host (bond, striper, MPTCP, teql mixed; an aggregator and its sites, made by the site command as
/// <c>POST /api/v1/links/{id}/sites</c>) applied through the agents' in-memory backends. Identities are
/// kept in <c>demo-fleet.json</c> (mode 0600) in the data directory, so a restart reuses the same hosts.
/// </summary>
public sealed partial class DemoFleet(
    IServer server,
    IHostApplicationLifetime lifetime,
    DatabaseReadiness readiness,
    IDbContextFactory<FleetDbContext> contexts,
    IServiceScopeFactory scopes,
    IOptions<FleetOptions> options,
    TimeProvider time,
    IEnumerable<ILoggerProvider> loggerProviders,
    ILogger<DemoFleet> logger) : BackgroundService
{
    /// <summary>Hosts in the demo fleet: those with a link of their own, the aggregator, its sites.</summary>
    public const int Hosts = DemoSpecs.LinkHosts + 1 + DemoSpecs.Sites;

    /// <summary>The identities file in the data directory.</summary>
    public const string IdentityFileName = "demo-fleet.json";

    private const string Prefix = "demo";

    /// <summary>Who the audit log and policy history say made the demo's token and links.</summary>
    private static readonly Caller s_demo = Caller.System("system:demo");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            var server = ServerUrl();
            var identityFile = Path.GetFullPath(Path.Combine(options.Value.DataDirectory, IdentityFileName));
            await ForgetStaleIdentitiesAsync(identityFile, server, stoppingToken);
            var simulator = new FleetSimulator(
                new FleetSimulatorOptions
                {
                    Server = server,

                    // The demo's agents run in this process and reach it at one of its own (loopback) addresses: plain
                    // HTTP never leaves the machine.
                    AllowInsecureHttp = true,
                    Agents = Hosts,
                    Members = DemoSpecs.Members,
                    NamePrefix = Prefix,
                    Seed = 42,
                    MemberFailuresPerHour = 6,
                    IdentityFile = identityFile,
                },
                SimulatorLoggers(),
                time);
            var token = await CreateTokenAsync(stoppingToken);
            var enrolled = await simulator.EnrollAsync(token, stoppingToken);
            await CreateLinksAsync(simulator, stoppingToken);
            LogStarted(Hosts, enrolled, server);
            await simulator.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogFailed(ex);
        }
    }

    /// <summary>
    /// The simulated agents log through the Api's providers, warnings and up only, without the SignalR client's own
    /// reports of every dropped connection (the agents log those themselves, once, as warnings).
    /// </summary>
    private LoggerFactory SimulatorLoggers()
    {
        var filter = new LoggerFilterOptions { MinLevel = LogLevel.Warning };
        filter.Rules.Add(new LoggerFilterRule(null, "Microsoft.AspNetCore.SignalR.Client", LogLevel.None, null));
        filter.Rules.Add(new LoggerFilterRule(null, "Microsoft.AspNetCore.Http.Connections.Client", LogLevel.None, null));
        filter.Rules.Add(new LoggerFilterRule(null, "Fleet.Agent.Simulation", LogLevel.Information, null));
        return new LoggerFactory(loggerProviders, filter);
    }

    private async Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(cancellationToken);
        }

        while (readiness.Problem is not null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }
    }

    /// <summary>A loopback URL of this Api (a wildcard listen address is reached on 127.0.0.1).</summary>
    private Uri ServerUrl()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the Api listens nowhere");
        var uri = new UriBuilder(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri;
    }

    /// <summary>A database that was reset (or another one) does not know the hosts of an old identity file.</summary>
    private async Task ForgetStaleIdentitiesAsync(string identityFile, Uri server, CancellationToken cancellationToken)
    {
        var identities = FleetSimulator.ReadIdentityFile(identityFile);
        if (identities.Count == 0)
        {
            return;
        }

        var ids = identities.Select(i => i.HostId).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var live = await db.Hosts.CountAsync(h => ids.Contains(h.Id) && h.DecommissionedAt == null, cancellationToken);
        if (live != identities.Count || identities.Any(i => i.ServerUrl != server))
        {
            File.Delete(identityFile);
        }
    }

    private async Task<string> CreateTokenAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<EnrollmentTokenCommands>();
        var result = await tokens.CreateAsync(s_demo, "demo fleet", expiresInSeconds: 600, maxUses: Hosts, cancellationToken);
        return result.Value?.Secret ?? throw new InvalidOperationException($"the demo's enrollment token was refused: {Describe(result)}");
    }

    /// <summary>
    /// One link per demo host that has none yet, through the same command as <c>POST /api/v1/links</c>; the aggregator's
    /// sites through the command behind <c>POST /api/v1/links/{id}/sites</c>, each site's link on its own host.
    /// </summary>
    private async Task CreateLinksAsync(FleetSimulator simulator, CancellationToken cancellationToken)
    {
        Guid? aggregator = null;
        for (var i = 0; i <= DemoSpecs.LinkHosts && i < simulator.Agents.Count; i++)
        {
            var hostId = simulator.Agents[i].Identity.HostId;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FleetDbContext>();
            if (await db.Links.Where(l => l.HostId == hostId && l.DeletedAt == null).Select(l => (Guid?)l.Id).FirstOrDefaultAsync(cancellationToken) is { } existing)
            {
                aggregator = i == DemoSpecs.LinkHosts ? existing : aggregator;
                continue;
            }

            var links = scope.ServiceProvider.GetRequiredService<LinkCommands>();
            var spec = i < DemoSpecs.LinkHosts ? DemoSpecs.For(i) : DemoSpecs.Aggregator();
            var result = await links.CreateAsync(s_demo, hostId, spec, "demo fleet", cancellationToken);
            aggregator = i == DemoSpecs.LinkHosts ? result.Value?.Id : aggregator;
            if (result.Value is null)
            {
                LogLinkRefused(hostId, Describe(result));
            }
        }

        if (aggregator is { } aggregatorId)
        {
            await CreateSitesAsync(simulator, aggregatorId, cancellationToken);
        }
    }

    private async Task CreateSitesAsync(FleetSimulator simulator, Guid aggregatorId, CancellationToken cancellationToken)
    {
        for (var i = DemoSpecs.LinkHosts + 1; i < simulator.Agents.Count; i++)
        {
            var hostId = simulator.Agents[i].Identity.HostId;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FleetDbContext>();
            if (await db.Links.AnyAsync(l => l.HostId == hostId && l.DeletedAt == null, cancellationToken))
            {
                continue;
            }

            var sites = scope.ServiceProvider.GetRequiredService<AggregatorSiteCommands>();
            var request = new CreateAggregatorSiteRequest { HostId = hostId, Name = "site0", Members = DemoSpecs.SiteMembers(), Reason = "demo fleet" };
            var result = await sites.CreateAsync(s_demo, aggregatorId, request, cancellationToken);
            if (result.Value is null)
            {
                LogLinkRefused(hostId, Describe(result));
            }
        }
    }

    private static string Describe<T>(CommandResult<T> result)
        where T : class =>
        result.Errors is { } errors
            ? string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))
            : result.Refusal?.Detail ?? "";

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Demo fleet: {Hosts} simulated hosts ({Enrolled} enrolled now) reporting to {Server}")]
    private partial void LogStarted(int hosts, int enrolled, Uri server);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Error, Message = "The demo fleet failed")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Demo fleet: no link for host {HostId}: {Reason}")]
    private partial void LogLinkRefused(Guid hostId, string reason);
}
