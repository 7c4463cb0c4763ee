using System.Collections.Concurrent;
using Fleet.Api.Data;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>
/// Which host each link belongs to and which members it may report, cached, so the agent hub checks every sample of
/// every batch against the caller's host without a database round trip.
/// <list type="bullet">
/// <item>A link never moves to another host, so its owner never goes stale (deleted links keep their row and owner).</item>
/// <item>Its members do change with its spec. A sample may name a member of the desired spec or of any generation
/// from the one observed in force up to it (an agent still on the old spec during a rollout); anything else is refused
/// (issue 10: samples for invented member names would grow every per-member structure of the Api): the agent hub
/// stores the batch without them and says so in the acknowledgement (a member enslaved by hand, a drift, must not cost
/// the real members' samples). The member set is
/// dropped when the link changes (<see cref="Changed"/>, from the link change feed) and read again, at most every
/// <see cref="MemberRefreshInterval"/>, when a sample names a member it lacks.</item>
/// </list>
/// </summary>
public sealed class LinkOwnership(IDbContextFactory<FleetDbContext> contexts, TimeProvider time)
{
    /// <summary>Least time between two reads of one link's members prompted by samples of unknown members.</summary>
    public static readonly TimeSpan MemberRefreshInterval = TimeSpan.FromSeconds(5);

    private static readonly IReadOnlySet<(Guid, string)> s_none = new HashSet<(Guid, string)>();

    private readonly ConcurrentDictionary<Guid, Guid> _owners = new();
    private readonly ConcurrentDictionary<Guid, MemberSet> _members = new();

    /// <summary>The owning host of each link in <paramref name="linkIds"/>; unknown links are absent from the answer.</summary>
    public async ValueTask<IReadOnlyDictionary<Guid, Guid>> OwnersAsync(IReadOnlyCollection<Guid> linkIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<Guid, Guid>(linkIds.Count);
        List<Guid>? missing = null;
        foreach (var id in linkIds)
        {
            if (_owners.TryGetValue(id, out var host))
            {
                result[id] = host;
            }
            else
            {
                (missing ??= []).Add(id);
            }
        }

        if (missing is null)
        {
            return result;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Links.AsNoTracking()
            .Where(l => missing.Contains(l.Id))
            .Select(l => new { l.Id, l.HostId })
            .ToListAsync(cancellationToken);
        foreach (var link in found)
        {
            _owners[link.Id] = link.HostId;
            result[link.Id] = link.HostId;
        }

        return result;
    }

    /// <summary>
    /// The (link, member) pairs of <paramref name="samples"/> that are not members the link may report; empty when all
    /// are. The links must be the caller's (checked with <see cref="OwnersAsync"/> first).
    /// </summary>
    public async ValueTask<IReadOnlySet<(Guid Link, string Member)>> NonMembersAsync(IReadOnlyList<MemberSample> samples, CancellationToken cancellationToken)
    {
        HashSet<Guid>? stale = null;
        foreach (var sample in samples)
        {
            if (!_members.TryGetValue(sample.LinkId, out var set) || !set.Members.Contains(sample.Member))
            {
                (stale ??= []).Add(sample.LinkId);
            }
        }

        if (stale is null)
        {
            return s_none;
        }

        var now = time.GetTimestamp();
        var reload = stale.Where(id => !_members.TryGetValue(id, out var set) || time.GetElapsedTime(set.LoadedAt, now) >= MemberRefreshInterval).ToList();
        if (reload.Count > 0)
        {
            await LoadMembersAsync(reload, now, cancellationToken);
        }

        var unknown = new HashSet<(Guid, string)>();
        foreach (var sample in samples)
        {
            if (stale.Contains(sample.LinkId) && (!_members.TryGetValue(sample.LinkId, out var set) || !set.Members.Contains(sample.Member)))
            {
                unknown.Add((sample.LinkId, sample.Member));
            }
        }

        return unknown;
    }

    /// <summary>Records a link's owner (links created while the Api runs).</summary>
    public void Remember(Guid linkId, Guid hostId) => _owners[linkId] = hostId;

    /// <summary>The link was created or its spec changed: records its owner and forgets its members.</summary>
    public void Changed(Guid linkId, Guid hostId)
    {
        _owners[linkId] = hostId;
        _members.TryRemove(linkId, out _);
    }

    private async Task LoadMembersAsync(List<Guid> linkIds, long now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var links = await db.Links.AsNoTracking()
            .Where(l => linkIds.Contains(l.Id))
            .Select(l => new { l.Id, l.Spec, l.ObservedGeneration, l.DesiredGeneration })
            .ToListAsync(cancellationToken);
        var revisions = await db.PolicyRevisions.AsNoTracking()
            .Where(r => linkIds.Contains(r.LinkId))
            .Join(db.Links, r => r.LinkId, l => l.Id, (r, l) => new { r.LinkId, r.Generation, r.Spec, l.ObservedGeneration })
            .Where(r => r.Generation >= r.ObservedGeneration)
            .Select(r => new { r.LinkId, r.Spec })
            .ToListAsync(cancellationToken);
        foreach (var link in links)
        {
            var members = new HashSet<string>(StringComparer.Ordinal);
            AddMembers(members, link.Spec);
            foreach (var revision in revisions.Where(r => r.LinkId == link.Id))
            {
                AddMembers(members, revision.Spec);
            }

            _members[link.Id] = new MemberSet(members, now);
        }
    }

    private static void AddMembers(HashSet<string> members, LinkSpec spec)
    {
        foreach (var member in spec.Members)
        {
            members.Add(member.Interface);
        }
    }

    private sealed record MemberSet(HashSet<string> Members, long LoadedAt);
}
