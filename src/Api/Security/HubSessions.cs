using System.Collections.Concurrent;
using System.Security.Claims;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Security;

/// <summary>
/// Keeps hub connections (<c>/hubs/live</c>, <c>/hubs/agent</c>) no longer alive than what authenticated them. A hub
/// authenticates once, at connect; afterwards this checks every open connection's principal against the database —
/// API key revoked or expired, user deleted, disabled or given a new security stamp (role or password change), session
/// past its lifetime, agent credential revoked or host decommissioned — and aborts the connections that fail. It runs
/// every <see cref="SecurityOptions.HubRevalidationInterval"/> (which catches changes made on another replica or in the
/// database) and at once when this replica changes a credential (<see cref="RevalidateSoon"/>).
/// Registered as a hub filter for every hub, which is how it learns of connections.
/// </summary>
public sealed partial class HubSessions(
    IDbContextFactory<FleetDbContext> contexts,
    IOptions<FleetOptions> options,
    TimeProvider time,
    ILogger<HubSessions> logger) : BackgroundService, IHubFilter
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _connections = new();
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Open hub connections this replica holds.</summary>
    public int Count => _connections.Count;

    /// <summary>Checks the open connections now (a credential or user just changed on this replica).</summary>
    public void RevalidateSoon()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A check is already due.
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        _connections[context.Context.ConnectionId] = context.Context;
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _connections.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    /// <summary>Aborts every open connection whose principal is no longer valid; returns how many.</summary>
    public async Task<int> RevalidateAsync(CancellationToken cancellationToken)
    {
        if (_connections.IsEmpty)
        {
            return 0;
        }

        var open = _connections.Values.Select(c => (Context: c, Principal: c.User ?? new ClaimsPrincipal())).ToList();
        var now = time.GetUtcNow();
        var byKind = open.ToLookup(c => c.Principal.FindFirstValue(FleetClaims.Kind) ?? "");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        var userIds = Ids(byKind[PrincipalKinds.User]);
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);

        var keyIds = Ids(byKind[PrincipalKinds.ApiKey]);
        var keys = (await db.ApiKeys.AsNoTracking().Where(k => keyIds.Contains(k.Id)).ToListAsync(cancellationToken))
            .Where(k => CredentialRules.IsUsable(k, now.UtcDateTime)).Select(k => k.Id).ToHashSet();

        var credentialIds = Ids(byKind[PrincipalKinds.Agent]);
        var credentials = (await db.AgentCredentials.AsNoTracking()
                .Where(c => credentialIds.Contains(c.Id) && c.RevokedAt == null && !db.Hosts.Any(h => h.Id == c.HostId && h.DecommissionedAt != null))
                .Select(c => c.Id)
                .ToListAsync(cancellationToken))
            .ToHashSet();

        var aborted = 0;
        foreach (var (context, principal) in open)
        {
            var kind = principal.FindFirstValue(FleetClaims.Kind) ?? "";
            var id = Id(principal);
            var valid = kind switch
            {
                PrincipalKinds.User => id is { } user && SessionRules.IsValid(principal, users.GetValueOrDefault(user), now, options.Value.Security),
                PrincipalKinds.ApiKey => id is { } key && keys.Contains(key),
                PrincipalKinds.Agent => id is { } credential && credentials.Contains(credential),
                _ => false,
            };
            if (!valid)
            {
                LogAborted(logger, context.ConnectionId, principal.ToActor());
                _connections.TryRemove(context.ConnectionId, out _);
                context.Abort();
                aborted++;
            }
        }

        return aborted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _wake.WaitAsync(options.Value.Security.HubRevalidationInterval, stoppingToken);
                try
                {
                    await RevalidateAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private static List<Guid> Ids(IEnumerable<(HubCallerContext Context, ClaimsPrincipal Principal)> connections) =>
        [.. connections.Select(c => Id(c.Principal)).OfType<Guid>().Distinct()];

    private static Guid? Id(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Hub connection {ConnectionId} of {Actor} closed: its credential, user or session is no longer valid")]
    private static partial void LogAborted(ILogger logger, string connectionId, string actor);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Revalidating hub connections failed; retrying on the next round")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
