using Fleet.Api.Common;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Links;

/// <summary>
/// The steps every change of a link's desired state is made of, each added to the unit of work unsaved (a new link, its
/// next generation, its deletion, each with its revision, audit entry or event), then the save in one transaction and
/// the publication after commit. The commands of this class run them, and so do the commands that change several
/// links in one transaction (<c>LinkPairCommands</c>, <c>AggregatorSiteCommands</c>).
/// </summary>
public sealed partial class LinkCommands
{
    /// <summary>
    /// Adds a new link at generation 1 with its revision and audit entry to the unit of work, unsaved: for
    /// <see cref="CreateAsync"/> and for services that create several links in one transaction (<c>LinkPairCommands</c>),
    /// which have checked the spec, the host and the name first.
    /// </summary>
    internal LinkEntity StageCreate(Caller caller, HostEntity host, LinkSpec spec, string? reason, Guid? pairId, DateTime now)
    {
        var link = new LinkEntity
        {
            Id = Guid.CreateVersion7(),
            HostId = host.Id,
            Name = spec.Name,
            Kind = spec.Kind,
            Spec = keys.ForStorage(spec),
            DesiredGeneration = 1,
            Phase = LinkPhase.Pending,
            PhaseChangedAt = now,
            CreatedAt = now,
            UpdatedAt = now,
            PairId = pairId,
        };
        MemberSync.Apply(link, spec, []);
        db.Links.Add(link);
        db.PolicyRevisions.Add(NewRevision(link, caller, reason, revertedFrom: null, now));
        audit.Record(caller.Actor, "link.create", "link", link.Id, before: null, after: LinkMapping.AuditState(link));
        return link;
    }

    /// <summary>Marks a tracked link deleted, with its audit entry and event, unsaved (see <see cref="StageCreate"/>).</summary>
    internal void StageDelete(Caller caller, LinkEntity link, DateTime now)
    {
        var before = LinkMapping.AuditState(link);
        link.DeletedAt = now;
        audit.Record(caller.Actor, "link.delete", "link", link.Id, before, LinkMapping.AuditState(link));

        // The host's event log is where an operator looks for what happened to a link (issue 20): the deletion is
        // recorded there too, not only in the audit log.
        db.Events.Add(new EventEntity
        {
            Id = Guid.CreateVersion7(),
            Time = now,
            HostId = link.HostId,
            LinkId = link.Id,
            Kind = AgentEventKind.LinkDeleted,
            Severity = EventSeverity.Info,
            Message = $"Link '{link.Name}' deleted by {caller.Actor} at generation {link.DesiredGeneration}; its agent tears it down.",
        });
    }

    /// <summary>
    /// Makes <paramref name="spec"/> the tracked link's next generation (a pending one superseded) with its revision and
    /// audit entry, unsaved (see <see cref="StageCreate"/>).
    /// </summary>
    internal async Task StageGenerationAsync(
        Caller caller, LinkEntity link, LinkSpec spec, string? reason, long? revertedFrom, DateTime now, CancellationToken cancellationToken)
    {
        var before = LinkMapping.AuditState(link);
        foreach (var pending in await db.PolicyRevisions.Where(r => r.LinkId == link.Id && r.Outcome == PolicyOutcome.Pending).ToListAsync(cancellationToken))
        {
            pending.Outcome = PolicyOutcome.Superseded;
            pending.OutcomeAt = now;
        }

        var removed = new List<MemberEntity>();
        link.Spec = keys.ForStorage(spec);
        link.Name = spec.Name;
        link.DesiredGeneration++;
        link.Phase = LinkPhase.Pending;
        link.LastError = null;
        link.PhaseChangedAt = now;
        link.UpdatedAt = now;
        MemberSync.Apply(link, spec, removed);
        db.Members.RemoveRange(removed);
        db.PolicyRevisions.Add(NewRevision(link, caller, reason, revertedFrom, now));
        audit.Record(caller.Actor, revertedFrom is null ? "link.spec.update" : "link.revert", "link", link.Id, before, LinkMapping.AuditState(link));
    }

    /// <summary>After commit: the agent and live dashboards hear of it now, and the overview shows it on its next page.</summary>
    internal void Committed(LinkChangeKind kind, LinkEntity link)
    {
        feed.Publish(new LinkChange(kind, link.HostId, link.Id, link.DesiredGeneration));
        overview.Invalidate();
    }

    private static PolicyRevisionEntity NewRevision(LinkEntity link, Caller caller, string? reason, long? revertedFrom, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        LinkId = link.Id,
        Generation = link.DesiredGeneration,
        Spec = link.Spec,
        Author = caller.Actor,
        Reason = reason,
        CreatedAt = now,
        RevertedFromGeneration = revertedFrom,
        Outcome = PolicyOutcome.Pending,
    };

    internal enum SaveFailure
    {
        Conflict,
        Concurrency,
    }

    /// <summary>Saves the unit of work in one transaction; a lost compare-and-swap or a unique index refuses it.</summary>
    internal async Task<SaveFailure?> SaveAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return SaveFailure.Concurrency;
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Two writers raced for the same interface name or the same generation.
            return SaveFailure.Conflict;
        }
    }
}
