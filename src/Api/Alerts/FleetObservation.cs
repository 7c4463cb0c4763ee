using Fleet.Contracts.Links;

namespace Fleet.Api.Alerts;

/// <summary>What the rules look at: every live host and link as the database holds it at one moment.</summary>
public sealed record FleetObservation(IReadOnlyList<ObservedHost> Hosts, IReadOnlyList<ObservedLink> Links);

/// <summary>A host that is not decommissioned, and whether its agent is connected now.</summary>
public sealed record ObservedHost(Guid Id, string Name, bool Online);

/// <summary>A live link with its rollout phase and its members' health.</summary>
public sealed record ObservedLink(Guid Id, Guid HostId, string Name, LinkPhase Phase, IReadOnlyList<ObservedMember> Members);

/// <summary>A member's last reported health.</summary>
public sealed record ObservedMember(string Interface, MemberAdminState AdminState, MemberHealth Health);
