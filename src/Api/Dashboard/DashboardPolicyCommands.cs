using System.Security.Claims;
using Fleet.Api.Audit;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Links;
using Fleet.Api.Security;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Contracts.Rest;
using Fleet.Web.Policies;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// The policy editor's change, with the steps and building blocks of <c>PUT /api/v1/links/{id}/spec</c>
/// (<c>LinksApi.ChangeSpecAsync</c>): the shared validator and capability check, optimistic concurrency on the desired
/// generation, a new generation in Pending, <see cref="MemberSync"/>, the pending revision superseded, a revision and an
/// audit entry, then the link change feed, which pushes the spec to the agent and the new state to live dashboards.
/// </summary>
public sealed class DashboardPolicyCommands(
    FleetDbContext db,
    AuditLog audit,
    ILinkChangeFeed feed,
    IHttpContextAccessor http,
    FleetSnapshotCache overview,
    StriperKeyProtection keys,
    TimeProvider clock) : IPolicyCommands
{
    public async Task<PolicyChangeResult> ChangeAsync(Guid linkId, LinkSpec spec, long expectedGeneration, CancellationToken cancellationToken)
    {
        var user = http.HttpContext?.User ?? new ClaimsPrincipal();
        if (user.GetFleetRole() is not (FleetRole.Operator or FleetRole.Admin))
        {
            return new PolicyChangeResult.Forbidden();
        }

        var link = await db.Links.Include(l => l.Host).Include(l => l.Members)
            .SingleOrDefaultAsync(l => l.Id == linkId && l.DeletedAt == null, cancellationToken);
        if (link is null || link.Host is null || link.Host.DecommissionedAt is not null)
        {
            return new PolicyChangeResult.NotFound();
        }

        var errors = LinkSpecValidator.Validate(spec).ToList();
        if (spec.Kind != link.Kind)
        {
            errors.Add(new ValidationError("kind", "a link's kind cannot change"));
        }

        if (spec.Name != link.Name)
        {
            errors.Add(new ValidationError("name", "the policy editor does not rename links"));
        }

        if (errors.Count > 0)
        {
            return new PolicyChangeResult.Invalid(errors);
        }

        if (link.DesiredGeneration != expectedGeneration)
        {
            return new PolicyChangeResult.Conflict(link.DesiredGeneration);
        }

        if (LinkSpecChecks.CapabilityProblem(link.Host, spec.Kind) is { } capability)
        {
            return new PolicyChangeResult.Invalid([new ValidationError("kind", capability)]);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var before = LinkMapping.AuditState(link);
        foreach (var pending in await db.PolicyRevisions.Where(r => r.LinkId == link.Id && r.Outcome == PolicyOutcome.Pending).ToListAsync(cancellationToken))
        {
            pending.Outcome = PolicyOutcome.Superseded;
            pending.OutcomeAt = now;
        }

        link.Spec = keys.ForStorage(spec);
        link.DesiredGeneration++;
        link.Phase = LinkPhase.Pending;
        link.LastError = null;
        link.PhaseChangedAt = now;
        link.UpdatedAt = now;
        var removed = new List<MemberEntity>();
        MemberSync.Apply(link, spec, removed);
        db.Members.RemoveRange(removed);
        db.PolicyRevisions.Add(new PolicyRevisionEntity
        {
            Id = Guid.CreateVersion7(),
            LinkId = link.Id,
            Generation = link.DesiredGeneration,
            Spec = link.Spec,
            Author = user.ToActor(),
            CreatedAt = now,
            Outcome = PolicyOutcome.Pending,
        });
        audit.Record(user, "link.spec.update", "link", link.Id, before, LinkMapping.AuditState(link));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // DesiredGeneration is a concurrency token: someone stored a generation between our read and write.
            var current = await db.Links.AsNoTracking().Where(l => l.Id == linkId).Select(l => l.DesiredGeneration).SingleAsync(cancellationToken);
            return new PolicyChangeResult.Conflict(current);
        }

        feed.Publish(new LinkChange(LinkChangeKind.SpecChanged, link.HostId, link.Id, link.DesiredGeneration));
        overview.Invalidate();
        return new PolicyChangeResult.Accepted(link.DesiredGeneration);
    }
}
