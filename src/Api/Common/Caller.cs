using System.Security.Claims;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Common;

/// <summary>
/// Who runs an application command (<c>LinkCommands</c>, <c>UserCommands</c>, …): the actor the audit log and the
/// policy history record, and the role the command checks. Every door builds one: REST and the dashboard from the
/// request's principal, the demo fleet as <see cref="System"/>.
/// </summary>
/// <param name="Actor"><c>user:NAME</c>, <c>api_key:NAME</c>, <c>system:…</c>.</param>
/// <param name="Role">The caller's role; null for principals without one (agents, anonymous).</param>
public sealed record Caller(string Actor, FleetRole? Role)
{
    public static Caller Of(ClaimsPrincipal principal) => new(principal.ToActor(), principal.GetFleetRole());

    /// <summary>The Api acting on its own (the demo fleet): an admin recorded under <paramref name="actor"/>.</summary>
    public static Caller System(string actor) => new(actor, FleetRole.Admin);

    /// <summary>Whether the caller holds <paramref name="role"/> or a role that includes it (admin ⊃ operator ⊃ viewer).</summary>
    public bool Has(FleetRole role) => (role, Role) switch
    {
        (FleetRole.Viewer, FleetRole.Viewer or FleetRole.Operator or FleetRole.Admin) => true,
        (FleetRole.Operator, FleetRole.Operator or FleetRole.Admin) => true,
        (FleetRole.Admin, FleetRole.Admin) => true,
        (FleetRole.Metrics, FleetRole.Metrics) => true,
        _ => false,
    };
}
