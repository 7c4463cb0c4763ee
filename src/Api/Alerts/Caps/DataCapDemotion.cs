using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts.Caps;

/// <summary>
/// What a link's policy may ask at 100 % of a member's cap (<see cref="DataCap.DemoteWhenExhausted"/>): the member
/// demoted to backup — a striper member to tier backup, another kind's to admin state backup — as the link's next
/// generation through <see cref="LinkCommands.ChangeSpecAsync"/>, so it is validated, audited under
/// <see cref="Actor"/>, and rolled out with commit-confirm like any operator's change. Undoing it at the next cycle is
/// the operator's decision.
/// </summary>
public sealed partial class DataCapDemotion(IServiceScopeFactory scopes, ILogger<DataCapDemotion> logger)
{
    /// <summary>Who the audit log names for a demotion.</summary>
    public const string Actor = "system:data-cap";

    /// <summary>Demotes <paramref name="member"/> of <paramref name="linkId"/> when its cap asks for it; true when a new generation was stored.</summary>
    public async Task<bool> DemoteAsync(Guid linkId, string member, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FleetDbContext>();
        var keys = scope.ServiceProvider.GetRequiredService<StriperKeyProtection>();
        var link = await db.Links.AsNoTracking().SingleOrDefaultAsync(l => l.Id == linkId && l.DeletedAt == null, cancellationToken);
        if (link is null)
        {
            return false;
        }

        var spec = keys.FromStorage(link.Spec);
        var index = spec.Members.ToList().FindIndex(m => m.Interface == member);
        if (index < 0 || spec.Members[index] is not { Cap.DemoteWhenExhausted: true } capped || IsBackup(spec.Kind, capped))
        {
            return false;
        }

        var members = spec.Members.ToList();
        members[index] = Demoted(spec.Kind, capped);
        var commands = scope.ServiceProvider.GetRequiredService<LinkCommands>();
        var result = await commands.ChangeSpecAsync(
            Caller.System(Actor), linkId, spec with { Members = members }, LinkPrecondition.AtGeneration(link.DesiredGeneration),
            $"data cap of {member} exhausted: demoted to backup by the link's policy", cancellationToken);
        if (result.Value is not null)
        {
            LogDemoted(member, link.Name, linkId);
            return true;
        }

        var why = result.Errors is { } errors ? string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")) : result.Refusal?.Detail ?? "refused";
        LogRefused(member, link.Name, linkId, why);
        return false;
    }

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
