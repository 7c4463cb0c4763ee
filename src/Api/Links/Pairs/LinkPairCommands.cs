using System.Security.Cryptography;
using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Links.Pairs;

/// <summary>A pair with its two ends, as a command leaves them.</summary>
public sealed record LinkPairState(LinkPairEntity Pair, LinkEntity A, LinkEntity B);

/// <summary>
/// The one implementation of changing a host-to-host striper link (issue 20): create, change, delete a pair, each in
/// one transaction over the pair's row and both its ends. The ends are ordinary links written through
/// <see cref="LinkCommands"/>' staging steps (revision, audit, event, generation, change feed, overview cache), so each
/// end reaches its agent through the usual desired-state path with commit-confirm, and agents need nothing new. The
/// Api generates the key (never shown by the pair's resource), picks the ports (<see cref="StriperPairEnds.Ports"/>)
/// and the tunnel addresses, and refuses (422, field errors) a pair whose paths cannot connect.
/// </summary>
public sealed class LinkPairCommands(FleetDbContext db, LinkCommands links, AuditLog audit, StriperKeyProtection keys, TimeProvider clock)
{
    private const string ForbiddenText = "Only operators and admins may change links.";

    /// <summary>A new pair and its two ends at generation 1.</summary>
    public async Task<CommandResult<LinkPairState>> CreateAsync(Caller caller, LinkPairSpec? spec, string? reason, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var errors = LinkPairValidation.Validate(spec);
        LinkRefusals.CheckReason(reason, errors);
        if (errors.Count > 0 || spec is null)
        {
            return errors;
        }

        var hosts = await HostsAsync(spec, cancellationToken);
        if (hosts.Refusal is { } refused)
        {
            return refused;
        }

        var (a, b) = hosts.Value!.Value;
        foreach (var (host, field) in new[] { (a, "spec.a.hostId"), (b, "spec.b.hostId") })
        {
            if (await links.NameTakenAsync(host.Id, spec.Name, exceptLinkId: null, cancellationToken))
            {
                return LinkRefusals.NameConflict(host, spec.Name) with { Field = field };
            }
        }

        var resolved = await WithTunnelAsync(spec, current: null, cancellationToken);
        if (resolved.Refusal is { } noTunnel)
        {
            return noTunnel;
        }

        var ends = await EndsAsync(resolved.Value!, a, b, NewKey(), current: null, cancellationToken);
        if (ends.Value is not { } built)
        {
            return ends.Refusal!;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var pairId = Guid.CreateVersion7();
        var endA = links.StageCreate(caller, a, built.A, reason, pairId, now);
        var endB = links.StageCreate(caller, b, built.B, reason, pairId, now);
        var pair = new LinkPairEntity
        {
            Id = pairId,
            Name = spec.Name,
            Spec = resolved.Value!,
            Generation = 1,
            AEndLinkId = endA.Id,
            BEndLinkId = endB.Id,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.LinkPairs.Add(pair);
        audit.Record(caller.Actor, "link_pair.create", "link_pair", pair.Id, before: null, after: AuditState(pair));
        if (await links.SaveAsync(cancellationToken) is { } failure)
        {
            return failure == LinkCommands.SaveFailure.Conflict
                ? CommandRefusal.Conflict($"Host '{a.Name}' or '{b.Name}' already has a link named '{spec.Name}'.", "spec.name")
                : new CommandRefusal(RefusalKind.Stale, "The hosts' links changed meanwhile.");
        }

        links.Committed(LinkChangeKind.Created, endA);
        links.Committed(LinkChangeKind.Created, endB);
        return new LinkPairState(pair, endA, endB);
    }

    /// <summary>
    /// <paramref name="spec"/> as the pair's next generation, if <paramref name="precondition"/> (required) holds: each
    /// end whose spec changes gets its next generation in the same transaction. An equivalent spec changes nothing.
    /// </summary>
    public async Task<CommandResult<LinkPairState>> ChangeSpecAsync(
        Caller caller, Guid pairId, LinkPairSpec? spec, LinkPrecondition precondition, string? reason, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        if (await FindLiveAsync(db, pairId, tracking: true, cancellationToken) is not { } state)
        {
            return PairNotFound(pairId);
        }

        var pair = state.Pair;
        if (precondition.IsNone)
        {
            return new CommandRefusal(
                RefusalKind.PreconditionRequired,
                $"Send If-Match with the pair's current ETag ({LinkMapping.ETag(pair.Id, pair.Generation)}, from GET /api/v1/link-pairs/{pair.Id}) to change it.",
                CurrentVersion: pair.Generation);
        }

        var errors = LinkPairValidation.Validate(spec);
        LinkRefusals.CheckReason(reason, errors);
        if (errors.Count > 0 || spec is null)
        {
            return errors;
        }

        if (!precondition.Holds(pair.Id, pair.Generation))
        {
            return Stale(pair.Generation);
        }

        if (spec.A.HostId != pair.Spec.A.HostId || spec.B.HostId != pair.Spec.B.HostId)
        {
            return CommandRefusal.Unprocessable(
                "A pair's hosts cannot change", "A pair joins the hosts it was created for; delete it and create a pair between the other hosts instead.", "spec.a.hostId");
        }

        var (endA, endB) = (state.A, state.B);
        foreach (var (end, field) in new[] { (endA, "spec.a.hostId"), (endB, "spec.b.hostId") })
        {
            if (LinkRefusals.HostRefusal(end.Host!, LinkKind.Striper) is { } refused)
            {
                return refused;
            }

            if (spec.Name != end.Name && await links.NameTakenAsync(end.HostId, spec.Name, end.Id, cancellationToken))
            {
                return LinkRefusals.NameConflict(end.Host!, spec.Name) with { Field = field };
            }
        }

        var resolved = await WithTunnelAsync(spec, pair.Spec, cancellationToken);
        if (resolved.Refusal is { } noTunnel)
        {
            return noTunnel;
        }

        var current = (keys.FromStorage(endA.Spec), keys.FromStorage(endB.Spec));
        var ends = await EndsAsync(resolved.Value!, endA.Host!, endB.Host!, current.Item1.Striper!.Key, state, cancellationToken);
        if (ends.Value is not { } built)
        {
            return ends.Refusal!;
        }

        var changed = new List<LinkEntity>();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (end, wanted, was) in new[] { (endA, built.A, current.Item1), (endB, built.B, current.Item2) })
        {
            if (!LinkSpecEquality.AreEquivalent(wanted, was))
            {
                await links.StageGenerationAsync(caller, end, wanted, reason, revertedFrom: null, now, cancellationToken);
                changed.Add(end);
            }
        }

        if (changed.Count == 0 && JsonColumn.Comparer<LinkPairSpec>().Equals(resolved.Value, pair.Spec))
        {
            return state;
        }

        var before = AuditState(pair);
        pair.Spec = resolved.Value!;
        pair.Name = spec.Name;
        pair.Generation++;
        pair.UpdatedAt = now;
        audit.Record(caller.Actor, "link_pair.spec.update", "link_pair", pair.Id, before, AuditState(pair));
        if (await links.SaveAsync(cancellationToken) is { } failure)
        {
            var generation = await db.LinkPairs.AsNoTracking().Where(p => p.Id == pair.Id).Select(p => p.Generation).SingleAsync(cancellationToken);
            return failure == LinkCommands.SaveFailure.Conflict && generation == pair.Generation - 1
                ? CommandRefusal.Conflict($"A host of the pair already has a link named '{spec.Name}'.", "spec.name")
                : Stale(generation);
        }

        foreach (var end in changed)
        {
            links.Committed(LinkChangeKind.SpecChanged, end);
        }

        return state;
    }

    /// <summary>Marks the pair and both its ends deleted (each agent tears its end down; history stays).</summary>
    public async Task<CommandResult<LinkPairState>> DeleteAsync(Caller caller, Guid pairId, LinkPrecondition precondition, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        if (await FindLiveAsync(db, pairId, tracking: true, cancellationToken) is not { } state)
        {
            return PairNotFound(pairId);
        }

        var pair = state.Pair;
        if (!precondition.Holds(pair.Id, pair.Generation))
        {
            return Stale(pair.Generation);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var before = AuditState(pair);
        links.StageDelete(caller, state.A, now);
        links.StageDelete(caller, state.B, now);
        pair.DeletedAt = now;
        audit.Record(caller.Actor, "link_pair.delete", "link_pair", pair.Id, before, AuditState(pair));
        if (await links.SaveAsync(cancellationToken) is not null)
        {
            return Stale(await db.LinkPairs.AsNoTracking().Where(p => p.Id == pair.Id).Select(p => p.Generation).SingleAsync(cancellationToken));
        }

        links.Committed(LinkChangeKind.Deleted, state.A);
        links.Committed(LinkChangeKind.Deleted, state.B);
        return state;
    }

    /// <summary>A live pair with both its ends (members and hosts included).</summary>
    public static async Task<LinkPairState?> FindLiveAsync(FleetDbContext db, Guid id, bool tracking, CancellationToken cancellationToken)
    {
        var query = db.LinkPairs.Where(p => p.Id == id && p.DeletedAt == null);
        var pair = await (tracking ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken);
        if (pair is null)
        {
            return null;
        }

        var a = await LinkCommands.FindLiveAsync(db, pair.AEndLinkId, tracking, cancellationToken);
        var b = await LinkCommands.FindLiveAsync(db, pair.BEndLinkId, tracking, cancellationToken);
        return a is null || b is null ? null : new LinkPairState(pair, a, b);
    }

    /// <summary>The pair's two hosts, or why a link cannot go on one of them.</summary>
    private async Task<(CommandRefusal? Refusal, (HostEntity A, HostEntity B)? Value)> HostsAsync(LinkPairSpec spec, CancellationToken cancellationToken)
    {
        var found = await db.Hosts.AsNoTracking().Where(h => h.Id == spec.A.HostId || h.Id == spec.B.HostId).ToListAsync(cancellationToken);
        var a = found.FirstOrDefault(h => h.Id == spec.A.HostId);
        var b = found.FirstOrDefault(h => h.Id == spec.B.HostId);
        if (a is null || b is null)
        {
            return (CommandRefusal.NotFound($"Host {(a is null ? spec.A.HostId : spec.B.HostId)}", a is null ? "spec.a.hostId" : "spec.b.hostId"), null);
        }

        var refused = LinkRefusals.HostRefusal(a, LinkKind.Striper) ?? LinkRefusals.HostRefusal(b, LinkKind.Striper);
        return refused is null ? (null, (a, b)) : (refused, null);
    }

    /// <summary>The spec with its tunnel addresses: as given, else the pair's current ones, else a free /30 of the pool.</summary>
    private async Task<(CommandRefusal? Refusal, LinkPairSpec? Value)> WithTunnelAsync(LinkPairSpec spec, LinkPairSpec? current, CancellationToken cancellationToken)
    {
        if (spec.A.TunnelAddress is not null)
        {
            return (null, spec);
        }

        if (current is not null)
        {
            return (null, spec with { A = spec.A with { TunnelAddress = current.A.TunnelAddress }, B = spec.B with { TunnelAddress = current.B.TunnelAddress } });
        }

        // Every live link's tunnel addresses, fleet-wide: the /30 picked must clash with none of them.
        var specs = await db.Links.AsNoTracking().Where(l => l.DeletedAt == null).Select(l => l.Spec).ToListAsync(cancellationToken);
        var used = specs.SelectMany(StriperPairEnds.TunnelAddresses).ToHashSet();
        return StriperPairEnds.FreeTunnel(used) is { } tunnel
            ? (null, spec with { A = spec.A with { TunnelAddress = tunnel.A }, B = spec.B with { TunnelAddress = tunnel.B } })
            : (CommandRefusal.Conflict($"Every /30 of {StriperPairEnds.TunnelPool}/16 is in use; give the pair's tunnel addresses.", "spec.a.tunnelAddress"), null);
    }

    /// <summary>Both ends' specs, with ports free on each host; a path that cannot connect is a 422 with its field errors.</summary>
    private async Task<(CommandRefusal? Refusal, (LinkSpec A, LinkSpec B)? Value)> EndsAsync(
        LinkPairSpec spec, HostEntity a, HostEntity b, string key, LinkPairState? current, CancellationToken cancellationToken)
    {
        var currentSpecs = current is null ? ((LinkSpec, LinkSpec)?)null : (current.A.Spec, current.B.Spec);
        var ports = StriperPairEnds.Ports(
            spec, currentSpecs, await UsedPortsAsync(a.Id, current?.A.Id, cancellationToken), await UsedPortsAsync(b.Id, current?.B.Id, cancellationToken));
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (StriperPairEnds.Build(spec, a, b, key, ports, errors) is { } built)
        {
            return (null, built);
        }

        return (StriperReachability.Refusal("A path of the pair cannot connect: its listening end has no address the other end could send to.", errors), null);
    }

    /// <summary>The local ports of the host's other live striper links (this pair's own end excluded, so it keeps its ports).</summary>
    private async Task<ISet<int>> UsedPortsAsync(Guid hostId, Guid? exceptLinkId, CancellationToken cancellationToken)
    {
        var others = await db.Links.AsNoTracking()
            .Where(l => l.HostId == hostId && l.DeletedAt == null && l.Kind == LinkKind.Striper && l.Id != exceptLinkId)
            .Select(l => l.Spec).ToListAsync(cancellationToken);
        return others.SelectMany(s => s.Members).Select(m => m.LocalPort).OfType<int>().ToHashSet();
    }

    /// <summary>A new striper key: 32 random bytes, base64.</summary>
    internal static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static object AuditState(LinkPairEntity pair) => new { pair.Name, pair.Spec, pair.Generation, pair.AEndLinkId, pair.BEndLinkId, pair.DeletedAt };

    private static CommandRefusal PairNotFound(Guid id) => CommandRefusal.NotFound($"Link pair {id}");

    private static CommandRefusal Stale(long generation) => new(
        RefusalKind.Stale,
        $"The pair changed meanwhile; it is now generation {generation}. GET it again, re-apply your change and send the new ETag.",
        CurrentVersion: generation);
}
