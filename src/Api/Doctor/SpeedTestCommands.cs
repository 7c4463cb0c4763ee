using Fleet.Agent.Doctor;
using Fleet.Api.Agents;
using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>
/// Starts a path speed test of a link (operator or admin): the one command behind <c>POST
/// /api/v1/links/{id}/speed-tests</c> and the dashboard's Doctor panel (docs/doctor.md, "Path speed test"). The test is
/// stored pending and audited in one transaction, then ordered from the host's agent, which answers through the agent
/// hub (<see cref="SpeedTestReports"/>).
/// </summary>
public sealed class SpeedTestCommands(FleetDbContext db, AuditLog audit, HostAgentsPush push, TimeProvider time)
{
    /// <summary>How long a test may stay pending: a test takes about a second per path, the agent's own door waits 60 s.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>The rate limit per path when the request names none, Mbit/s (the agent's default).</summary>
    public const int DefaultMaxMbitPerPath = 100;

    /// <summary>The highest rate limit per path, Mbit/s (what the striper accepts).</summary>
    public const int MaxMbitPerPath = 100_000;

    /// <summary>What is wrong with a rate limit per path (Mbit/s), or null when it is in range.</summary>
    public static string? MaxMbitError(int mbit) => mbit is < 1 or > MaxMbitPerPath ? $"must be 1 to {MaxMbitPerPath} (Mbit/s per path)" : null;

    /// <summary>The refusal for a link that has no in-band test (not a striper link), or null for a striper link.</summary>
    public static CommandRefusal? NotTestable(string name, LinkKind kind) =>
        HostSpeedTests.WhyNotMeasured(kind) is { } why
            ? CommandRefusal.Conflict($"Only striper links can be speed-tested; {name} is a {LinkKinds.Of(kind).WireName} link, {why}.")
            : null;

    public async Task<CommandResult<SpeedTestEntity>> StartAsync(Caller caller, Guid linkId, StartSpeedTestRequest? request, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden("Starting a speed test needs the operator or admin role.");
        }

        var mbit = request?.MaxMbitPerPath ?? DefaultMaxMbitPerPath;
        if (MaxMbitError(mbit) is { } error)
        {
            return new Dictionary<string, string[]> { ["maxMbitPerPath"] = [error] };
        }

        var link = await db.Links.AsNoTracking()
            .Where(l => l.Id == linkId && l.DeletedAt == null)
            .Select(l => new { l.Id, l.HostId, l.Kind, l.Name, l.PairId })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null)
        {
            return CommandRefusal.NotFound($"Link {linkId}");
        }

        if (NotTestable(link.Name, link.Kind) is { } notTestable)
        {
            return notTestable;
        }

        var now = time.GetUtcNow();
        var host = await db.Hosts.AsNoTracking().Where(h => h.Id == link.HostId).Select(h => new { h.ConnectedSince, h.LastSeenAt }).SingleAsync(cancellationToken);
        if (!HostPresence.IsOnline(host.ConnectedSince, host.LastSeenAt, now))
        {
            return CommandRefusal.Conflict("The link's agent is offline: a speed test runs on the host, so it needs the agent connected.");
        }

        foreach (var pending in await db.SpeedTests.Where(t => t.LinkId == linkId && t.State == SpeedTestState.Pending).ToListAsync(cancellationToken))
        {
            if (!SpeedTestMapping.IsExpired(pending, now))
            {
                return CommandRefusal.Conflict($"Speed test {pending.Id} of this link is still running; wait for its result (at most {Timeout.TotalSeconds:0} s).");
            }

            SpeedTestMapping.Expire(pending);
        }

        // A pair's end: its other end measures the other direction once this one reported (SpeedTestPeers).
        var peer = await SpeedTestPeers.OtherEndAsync(db, link.PairId, link.Id, cancellationToken);
        var test = new SpeedTestEntity
        {
            PeerLinkId = peer?.Link,
            PeerHostId = peer?.Host,
            Id = Guid.CreateVersion7(),
            LinkId = link.Id,
            HostId = link.HostId,
            State = SpeedTestState.Pending,
            RequestedBy = caller.Actor.Length > 200 ? caller.Actor[..200] : caller.Actor,
            RequestedAt = UtcDateTimeConverter.ToStore(now.UtcDateTime),
            MaxMbitPerPath = mbit,
        };
        db.SpeedTests.Add(test);
        audit.Record(caller.Actor, "link.speed_test.started", "link", link.Id, null, new { testId = test.Id, maxMbitPerPath = mbit });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            return CommandRefusal.Conflict("Another speed test of this link started at the same moment; wait for its result.");
        }

        var order = new SpeedTestOrder(test.Id, link.Id, link.Name, mbit * 1e6);
        await push.ToHostAsync(link.HostId, agent => agent.RunSpeedTest(order));
        return test;
    }
}
