namespace Fleet.Contracts.Rest;

/// <summary>A built-in alert rule (docs/alerts.md, "Rules").</summary>
public enum AlertRule
{
    /// <summary>A member of a link reports Down while the link still carries traffic.</summary>
    MemberDown,

    /// <summary>A member changed between down and up more often than the flap threshold allows.</summary>
    MemberFlapping,

    /// <summary>Fewer members are up than the link counts, for a reason no member alert names.</summary>
    LinkDegraded,

    /// <summary>No member of the link is up.</summary>
    LinkDown,

    /// <summary>The host's agent is not connected.</summary>
    AgentOffline,

    /// <summary>The link's last rollout ended Failed or RolledBack.</summary>
    RolloutFailed,

    /// <summary>A member's packet loss is above the threshold.</summary>
    LossHigh,

    /// <summary>A member's round-trip time is above the threshold.</summary>
    LatencyHigh,

    /// <summary>A member's jitter (the smoothed variation of its probe round-trip times) is above the threshold.</summary>
    JitterHigh,

    /// <summary>A member's deepest reordering in an interval is above the threshold.</summary>
    ReorderHigh,

    /// <summary>A link carries much less than its members carried recently while one of them is at its best: traffic no longer spreads over them.</summary>
    AggregationLost,

    /// <summary>The host's state no longer matches the link's applied spec, and the agent has not repaired it.</summary>
    DriftDetected,

    /// <summary>The host's agent reported that its on-disk queue was full and dropped its oldest batches.</summary>
    AgentQueueOverflow,

    /// <summary>A member used the warning share (75 % by default) of its data cap in the current cycle.</summary>
    DataCapWarning,

    /// <summary>A member used the critical share (95 % by default) of its data cap in the current cycle.</summary>
    DataCapCritical,

    /// <summary>A member used all of its data cap in the current cycle (its link's policy may demote it to backup).</summary>
    DataCapExhausted,

    /// <summary>A rule an operator defined over REST (<c>/api/v1/alert-rules</c>); the alert names it.</summary>
    Custom,
}

/// <summary>How urgent an alert is.</summary>
public enum AlertSeverity
{
    /// <summary>Needs attention soon; traffic still flows.</summary>
    Warning,

    /// <summary>Needs attention now: a link or a host carries no traffic.</summary>
    Critical,
}

/// <summary>Where an alert is in its life.</summary>
public enum AlertStatus
{
    /// <summary>The condition held for the rule's <c>for</c> duration and has not been clear for the hold-down since.</summary>
    Firing,

    /// <summary>The condition was clear for the hold-down time.</summary>
    Resolved,
}

/// <summary>One alert: a rule that fired for one host, link or member.</summary>
public sealed record AlertDto
{
    /// <summary>Alert id (time-ordered by firing).</summary>
    public required Guid Id { get; init; }

    /// <summary>The rule that fired.</summary>
    public required AlertRule Rule { get; init; }

    /// <summary>How urgent.</summary>
    public required AlertSeverity Severity { get; init; }

    /// <summary>Firing or resolved.</summary>
    public required AlertStatus Status { get; init; }

    /// <summary>The host.</summary>
    public required Guid HostId { get; init; }

    /// <summary>The host's name when the alert fired.</summary>
    public required string HostName { get; init; }

    /// <summary>The link, for link and member rules.</summary>
    public Guid? LinkId { get; init; }

    /// <summary>The link's interface name when the alert fired.</summary>
    public string? LinkName { get; init; }

    /// <summary>The member's interface name, for member rules.</summary>
    public string? Member { get; init; }

    /// <summary>A <see cref="AlertRule.Custom"/> alert's rule id (the rule may have been deleted since).</summary>
    public Guid? CustomRuleId { get; init; }

    /// <summary>A <see cref="AlertRule.Custom"/> alert's rule name when it fired.</summary>
    public string? CustomRuleName { get; init; }

    /// <summary>One sentence for a person.</summary>
    public required string Summary { get; init; }

    /// <summary>When the condition began to hold (the firing time minus the rule's <c>for</c>).</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>When the alert fired.</summary>
    public required DateTimeOffset FiredAt { get; init; }

    /// <summary>When it resolved; null while firing.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>The silence that kept it from being delivered, if any.</summary>
    public Guid? SilencedBy { get; init; }

    /// <summary>Who acknowledged it (<c>user:NAME</c>, <c>api_key:NAME</c>); null until someone does.</summary>
    public string? AcknowledgedBy { get; init; }

    /// <summary>When it was acknowledged.</summary>
    public DateTimeOffset? AcknowledgedAt { get; init; }
}

/// <summary>A silence: alerts it matches while active are recorded but not delivered.</summary>
public sealed record AlertSilenceDto
{
    /// <summary>Silence id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Only alerts of this host; null: any host.</summary>
    public Guid? HostId { get; init; }

    /// <summary>Only alerts of this link; null: any link.</summary>
    public Guid? LinkId { get; init; }

    /// <summary>Only alerts of this member (of <see cref="LinkId"/>); null: any member.</summary>
    public string? Member { get; init; }

    /// <summary>Only alerts of this rule; null: any rule.</summary>
    public AlertRule? Rule { get; init; }

    /// <summary>Active from.</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>Active until.</summary>
    public required DateTimeOffset EndsAt { get; init; }

    /// <summary>Who created it.</summary>
    public required string Author { get; init; }

    /// <summary>Why (a maintenance window, a known outage).</summary>
    public required string Reason { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Body of <c>POST /api/v1/silences</c>: at least one of host, link or rule scopes it.</summary>
public sealed record CreateAlertSilenceRequest
{
    /// <summary>Only alerts of this host.</summary>
    public Guid? HostId { get; init; }

    /// <summary>Only alerts of this link.</summary>
    public Guid? LinkId { get; init; }

    /// <summary>Only alerts of this member; needs <see cref="LinkId"/>.</summary>
    public string? Member { get; init; }

    /// <summary>Only alerts of this rule.</summary>
    public AlertRule? Rule { get; init; }

    /// <summary>Active from; now when absent.</summary>
    public DateTimeOffset? StartsAt { get; init; }

    /// <summary>Active until; after <see cref="StartsAt"/>, at most 90 days later.</summary>
    public required DateTimeOffset EndsAt { get; init; }

    /// <summary>Why; required.</summary>
    public required string Reason { get; init; }
}
