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
/// The policy editor's change: the steps of <c>PUT /api/v1/links/{id}/spec</c> — the shared validator, optimistic
/// concurrency on the desired generation, a new generation in Pending, member rows kept equal to the spec, the pending
/// revision superseded, a revision and an audit entry, then the link change feed that pushes the spec to the agent.
/// </summary>
public sealed class DashboardPolicyCommands(
    FleetDbContext db,
    AuditLog audit,
    ILinkChangeFeed feed,
    IHttpContextAccessor http,
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

        var now = clock.GetUtcNow().UtcDateTime;
        var before = AuditState(link);
        foreach (var pending in await db.PolicyRevisions.Where(r => r.LinkId == link.Id && r.Outcome == PolicyOutcome.Pending).ToListAsync(cancellationToken))
        {
            pending.Outcome = PolicyOutcome.Superseded;
            pending.OutcomeAt = now;
        }

        link.Spec = spec;
        link.DesiredGeneration++;
        link.Phase = LinkPhase.Pending;
        link.LastError = null;
        link.PhaseChangedAt = now;
        link.UpdatedAt = now;
        SyncMembers(link, spec);
        db.PolicyRevisions.Add(new PolicyRevisionEntity
        {
            Id = Guid.CreateVersion7(),
            LinkId = link.Id,
            Generation = link.DesiredGeneration,
            Spec = spec,
            Author = user.ToActor(),
            CreatedAt = now,
            Outcome = PolicyOutcome.Pending,
        });
        audit.Record(user, "link.spec.update", "link", link.Id, before, AuditState(link));
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
        return new PolicyChangeResult.Accepted(link.DesiredGeneration);
    }

    private static object AuditState(LinkEntity link) => new { link.Name, link.Kind, link.DesiredGeneration, link.Spec };

    /// <summary>Member rows follow the spec by interface name: kept rows keep their observed health.</summary>
    private void SyncMembers(LinkEntity link, LinkSpec spec)
    {
        var wanted = spec.Members.Select((m, i) => (Spec: m, Position: i)).ToDictionary(m => m.Spec.Interface, StringComparer.Ordinal);
        foreach (var member in link.Members.Where(m => !wanted.ContainsKey(m.Interface)).ToList())
        {
            link.Members.Remove(member);
            db.Members.Remove(member);
        }

        foreach (var (name, (memberSpec, position)) in wanted)
        {
            var member = link.Members.FirstOrDefault(m => m.Interface == name);
            if (member is null)
            {
                member = new MemberEntity { Id = Guid.CreateVersion7(), LinkId = link.Id, Interface = name, Health = MemberHealth.Unknown };
                link.Members.Add(member);
            }

            member.Position = position;
            member.AdminState = memberSpec.AdminState;
            member.RateHintBitsPerSecond = memberSpec.RateBitsPerSecond;
            member.LagHintMs = memberSpec.LagMilliseconds;
            member.Weight = memberSpec.Weight;
        }
    }
}
