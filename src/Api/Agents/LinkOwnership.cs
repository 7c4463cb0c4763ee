using System.Collections.Concurrent;
using Fleet.Api.Data;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>
/// Which host each link belongs to and which members it may report, cached, so the agent hub checks every sample of
/// every batch against the caller's host without a database round trip.
/// <list type="bullet">
/// <item>A link never moves to another host, so its owner never goes stale (deleted links keep their row and owner).</item>
/// <item>Its members do change with its spec. A sample may name a member of the desired spec or of any generation
/// from the one observed in force up to it (an agent still on the old spec during a rollout); anything else is not
/// stored (issue 10: samples for invented member names would grow every per-member structure of the Api): the agent
/// hub stores the batch without them and says so in the acknowledgement (a member enslaved by hand, a drift, must not
/// cost the real members' samples). The member set is dropped when the link changes (<see cref="Changed"/>, from the
/// link change feed) and read again, at most every <see cref="MemberRefreshInterval"/>, when a sample names a member
/// it lacks.</item>
/// <item>What is not cached is loaded by one loop for all callers at once (<see cref="CoalescingLoader{TKey,TValue}"/>):
/// after an Api restart every agent's first batch misses, together.</item>
/// </list>
/// </summary>
public sealed class LinkOwnership(IDbContextFactory<FleetDbContext> contexts, TimeProvider time) : BackgroundService
{
    /// <summary>Least time between two reads of one link's members prompted by samples of unknown members.</summary>
    public static readonly TimeSpan MemberRefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>Most links read in one round trip.</summary>
    public const int MaxLinksPerRound = 500;

    private static readonly IReadOnlySet<(Guid, string)> s_none = new HashSet<(Guid, string)>();

    private readonly ConcurrentDictionary<Guid, Guid> _owners = new();
    private readonly ConcurrentDictionary<Guid, MemberSet> _members = new();
    private CoalescingLoader<Guid, LinkFacts>? _loader;

    private CoalescingLoader<Guid, LinkFacts> Loader => LazyInitializer.EnsureInitialized(ref _loader, () => new CoalescingLoader<Guid, LinkFacts>(LoadAsync, MaxLinksPerRound));

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

        if (missing is not null)
        {
            // All asked at once, so they share one round.
            var loads = missing.Select(id => Loader.LoadAsync(id, cancellationToken)).ToList();
            await Task.WhenAll(loads);
            for (var i = 0; i < missing.Count; i++)
            {
                if (loads[i].Result is { } facts)
                {
                    result[missing[i]] = facts.Owner;
                }
            }
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
        await Task.WhenAll(stale
            .Where(id => !_members.TryGetValue(id, out var set) || time.GetElapsedTime(set.LoadedAt, now) >= MemberRefreshInterval)
            .Select(id => Loader.LoadAsync(id, cancellationToken)));

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

    /// <summary>
    /// True when the cache alone shows that every link <paramref name="batch"/> names is <paramref name="hostId"/>'s and
    /// every sample's member one its link may report: the common case, answered without a lookup or an allocation.
    /// False means "not known from the cache", not "foreign": the caller asks <see cref="OwnersAsync"/> and
    /// <see cref="NonMembersAsync"/>.
    /// </summary>
    public bool IsKnownOwnBatch(Guid hostId, SampleBatch batch)
    {
        var samples = batch.Samples;
        for (var i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            if (!IsOwn(hostId, sample.LinkId) || !_members.TryGetValue(sample.LinkId, out var set) || !set.Members.Contains(sample.Member))
            {
                return false;
            }
        }

        for (var i = 0; i < batch.Events.Count; i++)
        {
            if (batch.Events[i].LinkId is { } link && !IsOwn(hostId, link))
            {
                return false;
            }
        }

        if (batch.Striper is { } striper)
        {
            for (var i = 0; i < striper.Classes.Count; i++)
            {
                if (!IsOwn(hostId, striper.Classes[i].LinkId))
                {
                    return false;
                }
            }

            for (var i = 0; i < striper.MemberStates.Count; i++)
            {
                if (!IsOwn(hostId, striper.MemberStates[i].LinkId))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private bool IsOwn(Guid hostId, Guid linkId) => _owners.TryGetValue(linkId, out var owner) && owner == hostId;

    /// <summary>Records a link's owner (links created while the Api runs).</summary>
    public void Remember(Guid linkId, Guid hostId) => _owners[linkId] = hostId;

    /// <summary>The link was created or its spec changed: records its owner and forgets its members.</summary>
    public void Changed(Guid linkId, Guid hostId)
    {
        _owners[linkId] = hostId;
        _members.TryRemove(linkId, out _);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Loader.RunAsync(stoppingToken);

    /// <summary>Owners and member sets of <paramref name="linkIds"/>, in two queries, cached as they arrive.</summary>
    private async Task<IReadOnlyDictionary<Guid, LinkFacts>> LoadAsync(IReadOnlyList<Guid> linkIds, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var links = await db.Links.AsNoTracking()
            .Where(l => linkIds.Contains(l.Id))
            .Select(l => new { l.Id, l.HostId, l.Spec })
            .ToListAsync(cancellationToken);
        var revisions = await db.PolicyRevisions.AsNoTracking()
            .Where(r => linkIds.Contains(r.LinkId))
            .Join(db.Links, r => r.LinkId, l => l.Id, (r, l) => new { r.LinkId, r.Generation, r.Spec, l.ObservedGeneration })
            .Where(r => r.Generation >= r.ObservedGeneration)
            .Select(r => new { r.LinkId, r.Spec })
            .ToListAsync(cancellationToken);
        var loadedAt = time.GetTimestamp();
        var facts = new Dictionary<Guid, LinkFacts>(links.Count);
        foreach (var link in links)
        {
            var members = new HashSet<string>(StringComparer.Ordinal);
            AddMembers(members, link.Spec);
            foreach (var revision in revisions.Where(r => r.LinkId == link.Id))
            {
                AddMembers(members, revision.Spec);
            }

            _owners[link.Id] = link.HostId;
            _members[link.Id] = new MemberSet(members, loadedAt);
            facts[link.Id] = new LinkFacts(link.HostId);
        }

        return facts;
    }

    private static void AddMembers(HashSet<string> members, LinkSpec spec)
    {
        foreach (var member in spec.Members)
        {
            members.Add(member.Interface);
        }

        // An aggregator reports each site's session and paths as members too (docs/aggregator.md, "Watching it").
        members.UnionWith(AggregatorSiteMembers.Of(spec.Aggregator?.Sites));
    }

    private sealed record MemberSet(HashSet<string> Members, long LoadedAt);

    private sealed record LinkFacts(Guid Owner);
}
