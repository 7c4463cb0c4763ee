using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts.Caps;

/// <summary>What one attempt to demote a member gave.</summary>
public enum DemotionOutcome
{
    /// <summary>A new generation with the member at backup was stored.</summary>
    Demoted,

    /// <summary>Nothing to do: the link or member is gone, its policy does not ask, it is backup already, or this firing demoted it before.</summary>
    NotNeeded,

    /// <summary>The change was refused (a concurrent change, the host unable to take the spec, ...): worth trying again.</summary>
    Refused,
}

/// <summary>
/// What a link's policy may ask at 100 % of a member's cap (<see cref="DataCap.DemoteWhenExhausted"/>): the member
/// demoted to backup — a striper member to tier backup, another kind's to admin state backup — as the link's next
/// generation through <see cref="LinkCommands.ChangeSpecAsync"/>, so it is validated, audited under
/// <see cref="Actor"/>, and rolled out with commit-confirm like any operator's change. Undoing it at the next cycle is
/// the operator's decision, and so is promoting the member again within the cycle: one firing demotes at most once
/// (its revision, by <see cref="Actor"/> since the alert started, says it was done). A refused demotion is tried again
/// by <see cref="PendingDemotions"/>.
/// </summary>
public sealed partial class DataCapDemotion(IServiceScopeFactory scopes, ILogger<DataCapDemotion> logger)
{
    /// <summary>Who the audit log names for a demotion.</summary>
    public const string Actor = "system:data-cap";

    /// <summary>
    /// Demotes <paramref name="member"/> of <paramref name="linkId"/> for the data-cap alert firing since
    /// <paramref name="firingSince"/>, when its cap asks for it and this firing has not demoted it yet.
    /// </summary>
    public async Task<DemotionOutcome> DemoteAsync(Guid linkId, string member, DateTimeOffset firingSince, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FleetDbContext>();
        var keys = scope.ServiceProvider.GetRequiredService<StriperKeyProtection>();
        var link = await db.Links.AsNoTracking().SingleOrDefaultAsync(l => l.Id == linkId && l.DeletedAt == null, cancellationToken);
        if (link is null)
        {
            return DemotionOutcome.NotNeeded;
        }

        var spec = keys.FromStorage(link.Spec);
        var index = spec.Members.ToList().FindIndex(m => m.Interface == member);
        if (index < 0 || spec.Members[index] is not { Cap.DemoteWhenExhausted: true } capped || IsBackup(spec.Kind, capped))
        {
            return DemotionOutcome.NotNeeded;
        }

        var reason = Reason(member);
        var since = UtcDateTimeConverter.ToStore(firingSince.UtcDateTime);
        if (await db.PolicyRevisions.AnyAsync(r => r.LinkId == linkId && r.Author == Actor && r.Reason == reason && r.CreatedAt >= since, cancellationToken))
        {
            // Demoted once for this firing, and promoted again since by an operator: theirs is the last word.
            return DemotionOutcome.NotNeeded;
        }

        var members = spec.Members.ToList();
        members[index] = Demoted(spec.Kind, capped);
        var commands = scope.ServiceProvider.GetRequiredService<LinkCommands>();
        var result = await commands.ChangeSpecAsync(
            Caller.System(Actor), linkId, spec with { Members = members }, LinkPrecondition.AtGeneration(link.DesiredGeneration), reason, cancellationToken);
        if (result.Value is not null)
        {
            LogDemoted(member, link.Name, linkId);
            return DemotionOutcome.Demoted;
        }

        LogRefused(member, link.Name, linkId, result.FailureText ?? "refused");
        return DemotionOutcome.Refused;
    }

    private static string Reason(string member) => $"data cap of {member} exhausted: demoted to backup by the link's policy";

    private static bool IsBackup(LinkKind kind, MemberSpec member) => kind switch
    {
        LinkKind.Striper => LinkTiers.Of(member) == LinkTier.Backup,
        LinkKind.Bond or LinkKind.Teql or LinkKind.Mptcp or LinkKind.Aggregator => member.AdminState == MemberAdminState.Backup,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown link kind"),
    };

    private static MemberSpec Demoted(LinkKind kind, MemberSpec member) => kind switch
    {
        LinkKind.Striper => member with { Tier = LinkTier.Backup },
        // An aggregator's one member is its socket: the validator refuses demoting it, which is logged as refused.
        LinkKind.Bond or LinkKind.Teql or LinkKind.Mptcp or LinkKind.Aggregator => member with { AdminState = MemberAdminState.Backup },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown link kind"),
    };

    [LoggerMessage(EventId = 3430, Level = LogLevel.Warning, Message = "Member {Member} of {Link} ({LinkId}) exhausted its data cap: demoted to backup by the link's policy")]
    private partial void LogDemoted(string member, string link, Guid linkId);

    [LoggerMessage(EventId = 3431, Level = LogLevel.Error, Message = "Member {Member} of {Link} ({LinkId}) exhausted its data cap, but demoting it was refused: {Reason}")]
    private partial void LogRefused(string member, string link, Guid linkId, string reason);
}
