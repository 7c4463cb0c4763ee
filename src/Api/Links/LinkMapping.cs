using System.Security.Claims;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Links;

/// <summary>Entity → DTO for links, members and revisions, and the spec's ETag.</summary>
public static class LinkMapping
{
    /// <summary>What viewers see instead of a striper link's pre-shared key.</summary>
    public const string RedactedKey = "***";

    /// <summary>Strong ETag of a link's desired spec: link id and generation.</summary>
    public static string ETag(Guid linkId, long generation) => $"\"{linkId:N}.{generation}\"";

    /// <summary>
    /// The stored spec as <paramref name="user"/> may see it: operators and admins (who may set the key) get it whole,
    /// the key decrypted; viewers get <c>striper.key</c> redacted.
    /// </summary>
    public static LinkSpec ForCaller(LinkSpec spec, ClaimsPrincipal user, StriperKeyProtection keys)
    {
        return user.GetFleetRole() is FleetRole.Operator or FleetRole.Admin
            ? keys.FromStorage(spec)
            : StriperKeyProtection.MapKeys(spec, _ => RedactedKey);
    }

    public static LinkDto ToDto(LinkEntity link, ClaimsPrincipal user, StriperKeyProtection keys) => new()
    {
        Id = link.Id,
        HostId = link.HostId,
        Name = link.Name,
        Kind = link.Kind,
        Spec = ForCaller(link.Spec, user, keys),
        DesiredGeneration = link.DesiredGeneration,
        ObservedGeneration = link.ObservedGeneration,
        Phase = link.Phase,
        LastError = link.LastError,
        Health = LinkHealthRule.Of(link.Phase, link.Members.Select(m => (m.AdminState, m.Health, (double?)null))),
        PhaseChangedAt = link.PhaseChangedAt,
        CreatedAt = link.CreatedAt,
        UpdatedAt = link.UpdatedAt,
        ETag = ETag(link.Id, link.DesiredGeneration),
        Members = [.. link.Members.OrderBy(m => m.Position).Select(ToDto)],
    };

    public static MemberDto ToDto(MemberEntity member) => new()
    {
        Interface = member.Interface,
        Position = member.Position,
        AdminState = member.AdminState,
        RateBitsPerSecond = member.RateHintBitsPerSecond,
        LagMilliseconds = member.LagHintMs,
        Weight = member.Weight,
        Health = member.Health,
        HealthChangedAt = member.HealthChangedAt,
        Tier = member.Tier,
        IdleReason = member.IdleReason,
    };

    public static PolicyRevisionDto ToDto(PolicyRevisionEntity revision, ClaimsPrincipal user, StriperKeyProtection keys) => new()
    {
        LinkId = revision.LinkId,
        Generation = revision.Generation,
        Spec = ForCaller(revision.Spec, user, keys),
        Author = revision.Author,
        Reason = revision.Reason,
        CreatedAt = revision.CreatedAt,
        RevertedFromGeneration = revision.RevertedFromGeneration,
        Outcome = revision.Outcome,
        OutcomeMessage = revision.OutcomeMessage,
        OutcomeAt = revision.OutcomeAt,
    };

    /// <summary>The audit view of a link: its desired state (the audit log redacts the key, stored encrypted anyway).</summary>
    public static object AuditState(LinkEntity link) => new
    {
        link.HostId,
        link.Name,
        link.Kind,
        link.DesiredGeneration,
        link.Spec,
        link.DeletedAt,
    };
}
