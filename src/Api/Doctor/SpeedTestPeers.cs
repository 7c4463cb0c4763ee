using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>
/// Both directions of a striper pair's path speed test (docs/doctor.md, "Both directions"). A test measures what the end
/// that runs it can send; when the link is one end of a pair, both ends are Fleet hosts, so once this end reported, the
/// Api orders the same test from the other end's agent and stores that direction beside the first in the one result
/// resource. The first direction completes the test as before (the diagnosis uses it at once); the other has its own
/// state and its own timeout from its order.
/// </summary>
public static class SpeedTestPeers
{
    /// <summary>The pair's other live end of <paramref name="pairId"/>, if any (its link, host and device name).</summary>
    public static async Task<(Guid Link, Guid Host, string Name)?> OtherEndAsync(FleetDbContext db, Guid? pairId, Guid linkId, CancellationToken cancellationToken)
    {
        if (pairId is null)
        {
            return null;
        }

        var other = await db.Links.AsNoTracking()
            .Where(l => l.PairId == pairId && l.Id != linkId && l.DeletedAt == null)
            .Select(l => new { l.Id, l.HostId, l.Name })
            .FirstOrDefaultAsync(cancellationToken);
        return other is null ? null : (other.Id, other.HostId, other.Name);
    }

    /// <summary>
    /// After this end's report: the order for the other end, with the test marked pending for that direction; or null,
    /// with the reason stored, when there is none to order (the end is gone, its agent offline, it runs its own test).
    /// </summary>
    public static async Task<SpeedTestOrder?> OrderAsync(FleetDbContext db, SpeedTestEntity test, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (test.PeerLinkId is not { } peerLink || test.State != SpeedTestState.Completed)
        {
            return null;
        }

        var other = await db.Links.AsNoTracking()
            .Where(l => l.Id == peerLink && l.DeletedAt == null)
            .Select(l => new { l.Name, l.HostId, l.Host!.ConnectedSince, l.Host.LastSeenAt })
            .SingleOrDefaultAsync(cancellationToken);
        var busy = await db.SpeedTests.AnyAsync(t => t.LinkId == peerLink && t.State == SpeedTestState.Pending, cancellationToken);
        var why = other is null ? "the pair's other end no longer exists"
            : other.HostId != test.PeerHostId ? "the pair's other end moved to another host"
            : !HostPresence.IsOnline(other.ConnectedSince, other.LastSeenAt, now) ? "the other end's agent is offline"
            : busy ? "the other end runs a speed test of its own"
            : null;
        if (why is not null)
        {
            test.PeerState = SpeedTestState.Failed;
            test.PeerError = $"the other direction was not measured: {why}";
            return null;
        }

        test.PeerState = SpeedTestState.Pending;
        test.PeerOrderedAt = UtcDateTimeConverter.ToStore(now.UtcDateTime);
        return new SpeedTestOrder(test.Id, peerLink, other!.Name, test.MaxMbitPerPath * 1e6);
    }

    /// <summary>Whether <paramref name="report"/> from <paramref name="hostId"/> is the other end's answer to <paramref name="test"/>.</summary>
    public static bool IsPeerReport(SpeedTestEntity test, Guid hostId, SpeedTestReport report) =>
        test.PeerHostId == hostId && test.PeerLinkId == report.LinkId;

    /// <summary>Whether the other direction is pending but past <see cref="SpeedTestCommands.Timeout"/> from its order.</summary>
    public static bool IsExpired(SpeedTestEntity test, DateTimeOffset now) =>
        test.PeerState == SpeedTestState.Pending && test.PeerOrderedAt is { } at && now.UtcDateTime - at >= SpeedTestCommands.Timeout;

    /// <summary>The other direction as REST shows it; null for a link that is not a pair's end.</summary>
    public static SpeedTestPeerDto? ToDto(SpeedTestEntity test, DateTimeOffset now)
    {
        if (test.PeerLinkId is not { } peerLink)
        {
            return null;
        }

        var expired = IsExpired(test, now);
        var state = expired ? SpeedTestState.TimedOut : test.PeerState ?? (test.State == SpeedTestState.Pending ? SpeedTestState.Pending : SpeedTestState.Failed);
        var error = expired
            ? $"the other end's agent did not answer within {SpeedTestCommands.Timeout.TotalSeconds:0} s"
            : test.PeerError ?? (test.PeerState is null && test.State != SpeedTestState.Pending ? "the other direction was not measured: this end's test did not complete" : null);
        return new SpeedTestPeerDto { LinkId = peerLink, State = state, Error = error, Result = test.PeerResult };
    }
}
