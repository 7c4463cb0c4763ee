namespace Fleet.Contracts.Rest;

/// <summary>How a rule compares a metric's value with its threshold.</summary>
public enum AlertComparison
{
    /// <summary>value &gt; threshold.</summary>
    Above,

    /// <summary>value ≥ threshold.</summary>
    AtLeast,

    /// <summary>value &lt; threshold.</summary>
    Below,

    /// <summary>value ≤ threshold.</summary>
    AtMost,
}

/// <summary>Which hosts a custom rule watches.</summary>
public enum AlertRuleScope
{
    /// <summary>Every host.</summary>
    All,

    /// <summary>One host (<see cref="AlertRuleRequest.HostId"/>).</summary>
    Host,

    /// <summary>One link (<see cref="AlertRuleRequest.LinkId"/>).</summary>
    Link,

    /// <summary>Hosts that carry every label of <see cref="AlertRuleRequest.Labels"/>.</summary>
    Labels,
}

/// <summary>Whether a custom rule judges each member or each link (its members' values combined).</summary>
public enum AlertRuleSubject
{
    /// <summary>Each member's value; one alert per member.</summary>
    Member,

    /// <summary>Each link's value: the sum of its members' for counted quantities (bytes, packets, drops, errors), the largest otherwise; one alert per link.</summary>
    Link,
}

/// <summary>A rule as <c>GET /api/v1/alert-rules</c> lists it: a built-in rule (its configured settings) or a custom one.</summary>
public sealed record AlertRuleDto
{
    /// <summary>The rule's name: a built-in rule's wire name (<c>member_down</c>) or the custom rule's.</summary>
    public required string Name { get; init; }

    /// <summary>Built-in (configuration, read-only here) or custom (REST).</summary>
    public required bool BuiltIn { get; init; }

    /// <summary>The built-in rule; <see cref="AlertRule.Custom"/> for a custom one.</summary>
    public required AlertRule Rule { get; init; }

    /// <summary>Whether it is evaluated.</summary>
    public required bool Enabled { get; init; }

    /// <summary>How urgent its alerts are.</summary>
    public required AlertSeverity Severity { get; init; }

    /// <summary>How long the condition must hold before the alert fires.</summary>
    public required TimeSpan For { get; init; }

    /// <summary>A custom rule's id (its ETag and URL name it); null for a built-in rule.</summary>
    public Guid? Id { get; init; }

    /// <summary>The sample counter compared (<c>lossPercent</c>, <c>rxBytes</c>, …): custom and threshold rules.</summary>
    public string? Metric { get; init; }

    /// <summary>How the value is compared: custom and threshold rules.</summary>
    public AlertComparison? Comparison { get; init; }

    /// <summary>The threshold: custom and threshold rules (counted quantities per second).</summary>
    public double? Threshold { get; init; }

    /// <summary>Custom: which hosts.</summary>
    public AlertRuleScope? Scope { get; init; }

    /// <summary>Custom: member or link.</summary>
    public AlertRuleSubject? Subject { get; init; }

    /// <summary>Custom, scope host: the host.</summary>
    public Guid? HostId { get; init; }

    /// <summary>Custom, scope link: the link.</summary>
    public Guid? LinkId { get; init; }

    /// <summary>Custom, scope labels: the labels a host must all carry.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Custom: who last changed it.</summary>
    public string? UpdatedBy { get; init; }

    /// <summary>Custom: when it was last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>Body of <c>POST /api/v1/alert-rules</c> and <c>PUT /api/v1/alert-rules/{id}</c>: a custom rule.</summary>
public sealed record AlertRuleRequest
{
    /// <summary>1–64 characters of a–z, 0–9 and <c>_</c>, starting with a letter; unique; not a built-in rule's name.</summary>
    public string? Name { get; init; }

    /// <summary>A sample counter's name (<c>lossPercent</c>, <c>rttMs</c>, <c>rxDrops</c>, …; docs/alerts.md).</summary>
    public string? Metric { get; init; }

    public AlertComparison? Comparison { get; init; }

    /// <summary>A finite number; counted quantities (bytes, packets, drops, errors) are compared per second.</summary>
    public double? Threshold { get; init; }

    /// <summary>How long the condition must hold before the alert fires (0 … 1 day); 0 when absent.</summary>
    public TimeSpan? For { get; init; }

    /// <summary>Which hosts; all when absent.</summary>
    public AlertRuleScope? Scope { get; init; }

    /// <summary>Member (default) or link.</summary>
    public AlertRuleSubject? Subject { get; init; }

    /// <summary>Scope host: the host.</summary>
    public Guid? HostId { get; init; }

    /// <summary>Scope link: the link.</summary>
    public Guid? LinkId { get; init; }

    /// <summary>Scope labels: 1–10 labels a host must all carry.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Warning when absent.</summary>
    public AlertSeverity? Severity { get; init; }

    /// <summary>True when absent.</summary>
    public bool? Enabled { get; init; }
}
