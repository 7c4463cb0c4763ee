using Fleet.Api.Alerts.Caps;
using Fleet.Api.Alerts.Rules;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Api.Alerts;

/// <summary>
/// What the rules look at: every live host and link as the database holds it at one moment, each member's newest live
/// sample, the enabled custom rules, and the capped members' usage in their cycle.
/// </summary>
public sealed record FleetObservation(
    IReadOnlyList<ObservedHost> Hosts, IReadOnlyList<ObservedLink> Links, IReadOnlyList<CustomAlertRule>? CustomRules = null, IReadOnlyList<CapUsage>? Caps = null);

/// <summary>
/// A host that is not decommissioned, and whether its agent is connected now; its labels when a custom rule selects by
/// label; its agent's last queue overflow within <c>agent_queue_overflow</c>'s window, or null.
/// </summary>
public sealed record ObservedHost(Guid Id, string Name, bool Online, IReadOnlyDictionary<string, string>? Labels = null, DateTimeOffset? QueueOverflowAt = null);

/// <summary>A live link with its rollout phase and its members' health.</summary>
public sealed record ObservedLink(Guid Id, Guid HostId, string Name, LinkPhase Phase, IReadOnlyList<ObservedMember> Members);

/// <summary>A member's last reported health and its newest sample this replica heard (null: none).</summary>
public sealed record ObservedMember(string Interface, MemberAdminState AdminState, MemberHealth Health, MemberSample? Latest = null);
