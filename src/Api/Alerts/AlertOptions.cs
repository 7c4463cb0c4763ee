using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Rest;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts;

/// <summary>
/// The <c>Fleet:Alerts</c> section: the built-in rules' thresholds, damping, and where alerts are delivered
/// (docs/alerts.md). Receivers are configuration, not REST resources, so their secrets live where the Api's other
/// configuration secrets do (environment, a mounted file) and never in the database or a response.
/// </summary>
public sealed class AlertOptions
{
    public const string Section = "Fleet:Alerts";

    /// <summary>Evaluate the rules at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the fleet's observed state is read and the rules evaluated.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a condition must have been clear before its alert resolves.</summary>
    public TimeSpan HoldDown { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A member that changes between down and up more than this many times within <see cref="FlapWindow"/> is flapping.</summary>
    public int FlapChanges { get; set; } = 6;

    /// <summary>The window <see cref="FlapChanges"/> counts in.</summary>
    public TimeSpan FlapWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long each rule's condition must hold before it fires ("for"), and whether it runs.</summary>
    public AlertRulesOptions Rules { get; set; } = new();

    /// <summary>Base address of the dashboard for links in notifications (<c>https://fleet.example.net/</c>); none when empty.</summary>
    public Uri? DashboardUrl { get; set; }

    /// <summary>How often firing alerts are sent to Alertmanager again (it resolves alerts that stop arriving).</summary>
    public TimeSpan AlertmanagerResendInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>First retry delay of a failed delivery; each next one doubles, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two attempts of one delivery.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A delivery still failing this long after it was queued is abandoned (logged, kept in the outbox table).</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Timeout of one delivery attempt.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where alerts go.</summary>
    public List<AlertReceiverOptions> Receivers { get; set; } = [];

    /// <summary>
    /// A member's newest sample older than this is not judged by the threshold and custom rules (its agent stopped
    /// sending: <c>agent_offline</c> speaks for it).
    /// </summary>
    public TimeSpan SampleMaxAge { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the capped members' usage is counted again from the stored samples.</summary>
    public TimeSpan CapRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The "for" of <paramref name="rule"/>.</summary>
    public TimeSpan For(AlertRule rule) => Rules.Of(rule).For;

    /// <summary>Whether <paramref name="rule"/> runs.</summary>
    public bool IsEnabled(AlertRule rule) => Rules.Of(rule).Enabled;
}

/// <summary>What every rule's settings have.</summary>
public interface IAlertRuleSettings
{
    bool Enabled { get; }

    /// <summary>How long the condition must hold before the alert fires.</summary>
    TimeSpan For { get; }
}

/// <summary>One rule's settings.</summary>
public sealed class AlertRuleOptions : IAlertRuleSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>How long the condition must hold before the alert fires.</summary>
    public TimeSpan For { get; set; }
}

/// <summary>A threshold rule's settings: its rule fires when a member's value stays above <see cref="Threshold"/> for <see cref="For"/>.</summary>
public sealed class ThresholdRuleOptions : IAlertRuleSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>How long the value must stay above the threshold before the alert fires.</summary>
    public TimeSpan For { get; set; }

    /// <summary>The value not to exceed, in the counter's unit (docs/alerts.md, "Rules").</summary>
    public double Threshold { get; set; }
}

/// <summary>The settings of a rule about something that happened: it holds while the last time is within <see cref="Window"/>.</summary>
public sealed class WindowRuleOptions : IAlertRuleSettings
{
    public bool Enabled { get; set; } = true;

    public TimeSpan For { get; set; }

    /// <summary>How long after the last occurrence the condition still holds.</summary>
    public TimeSpan Window { get; set; }
}

/// <summary>The <c>aggregation_lost</c> rule's settings (docs/alerts.md, "Rules").</summary>
public sealed class AggregationRuleOptions : IAlertRuleSettings
{
    public bool Enabled { get; set; } = true;

    public TimeSpan For { get; set; }

    /// <summary>How long a member's best throughput is remembered (whole minutes).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The link carries less than this share of the sum of its members' recent best: aggregation is lost.</summary>
    public double Share { get; set; } = 0.7;

    /// <summary>Demand: some member carries at least this share of its own recent best.</summary>
    public double DemandShare { get; set; } = 0.8;

    /// <summary>The time constant of the members' smoothed throughput.</summary>
    public TimeSpan Smoothing { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Members whose recent best is below this do not count as carrying (at least two must).</summary>
    public double MinMemberBitsPerSecond { get; set; } = 1_000_000;
}

/// <summary>The built-in rules, one property each (<c>Fleet:Alerts:Rules:MemberDown:For</c>).</summary>
public sealed class AlertRulesOptions
{
    public AlertRuleOptions MemberDown { get; set; } = new() { For = TimeSpan.FromSeconds(30) };

    public AlertRuleOptions MemberFlapping { get; set; } = new() { For = TimeSpan.Zero };

    public AlertRuleOptions LinkDegraded { get; set; } = new() { For = TimeSpan.FromSeconds(30) };

    public AlertRuleOptions LinkDown { get; set; } = new() { For = TimeSpan.FromSeconds(10) };

    public AlertRuleOptions AgentOffline { get; set; } = new() { For = TimeSpan.FromSeconds(60) };

    public AlertRuleOptions RolloutFailed { get; set; } = new() { For = TimeSpan.Zero };

    /// <summary>Loss in percent over a member's sampling interval.</summary>
    public ThresholdRuleOptions LossHigh { get; set; } = new() { For = TimeSpan.FromSeconds(30), Threshold = 5 };

    /// <summary>A member's smoothed round-trip time in milliseconds.</summary>
    public ThresholdRuleOptions LatencyHigh { get; set; } = new() { For = TimeSpan.FromSeconds(60), Threshold = 300 };

    /// <summary>A member's jitter in milliseconds (the RTT rule's companion: "RTT above X or jitter above Y").</summary>
    public ThresholdRuleOptions JitterHigh { get; set; } = new() { For = TimeSpan.FromSeconds(60), Threshold = 30 };

    /// <summary>The deepest reordering in a member's sampling interval, in packets.</summary>
    public ThresholdRuleOptions ReorderHigh { get; set; } = new() { For = TimeSpan.FromSeconds(30), Threshold = 256 };

    /// <summary>A link that carries much less than its members did recently, while there is demand (<see cref="Rules.AggregationTracker"/>).</summary>
    public AggregationRuleOptions AggregationLost { get; set; } = new() { For = TimeSpan.FromSeconds(60) };

    /// <summary>A link whose phase stays Drifted (the agent repairs drift itself when its policy says so: only lasting drift is news).</summary>
    public AlertRuleOptions DriftDetected { get; set; } = new() { For = TimeSpan.FromMinutes(5) };

    /// <summary>A host whose agent reported a queue overflow within <see cref="WindowRuleOptions.Window"/>.</summary>
    public WindowRuleOptions AgentQueueOverflow { get; set; } = new() { For = TimeSpan.Zero, Window = TimeSpan.FromMinutes(10) };

    /// <summary>A member's usage of its data cap in percent (<see cref="ThresholdRuleOptions.Threshold"/>, below <see cref="DataCapCritical"/>'s).</summary>
    public ThresholdRuleOptions DataCapWarning { get; set; } = new() { For = TimeSpan.Zero, Threshold = 75 };

    /// <summary>A member's usage of its data cap in percent (below 100).</summary>
    public ThresholdRuleOptions DataCapCritical { get; set; } = new() { For = TimeSpan.Zero, Threshold = 95 };

    /// <summary>A member used all of its data cap; its link's policy may demote it (docs/alerts.md, "Data caps").</summary>
    public AlertRuleOptions DataCapExhausted { get; set; } = new() { For = TimeSpan.Zero };

    /// <summary>Every custom rule at once (<c>Enabled</c>; each rule has its own <c>for</c>, so <c>For</c> is not used).</summary>
    public AlertRuleOptions Custom { get; set; } = new();

    /// <summary>The threshold rules and the counter each watches.</summary>
    public IEnumerable<(AlertRule Rule, ThresholdRuleOptions Options, MemberCounter Counter)> Thresholds =>
    [
        (AlertRule.LossHigh, LossHigh, MemberCounter.LossPercent),
        (AlertRule.LatencyHigh, LatencyHigh, MemberCounter.RttMs),
        (AlertRule.JitterHigh, JitterHigh, MemberCounter.JitterMs),
        (AlertRule.ReorderHigh, ReorderHigh, MemberCounter.ReorderDepthMax),
    ];

    public IAlertRuleSettings Of(AlertRule rule) => rule switch
    {
        AlertRule.MemberDown => MemberDown,
        AlertRule.MemberFlapping => MemberFlapping,
        AlertRule.LinkDegraded => LinkDegraded,
        AlertRule.LinkDown => LinkDown,
        AlertRule.AgentOffline => AgentOffline,
        AlertRule.RolloutFailed => RolloutFailed,
        AlertRule.LossHigh => LossHigh,
        AlertRule.LatencyHigh => LatencyHigh,
        AlertRule.JitterHigh => JitterHigh,
        AlertRule.ReorderHigh => ReorderHigh,
        AlertRule.AggregationLost => AggregationLost,
        AlertRule.DriftDetected => DriftDetected,
        AlertRule.AgentQueueOverflow => AgentQueueOverflow,
        AlertRule.DataCapWarning => DataCapWarning,
        AlertRule.DataCapCritical => DataCapCritical,
        AlertRule.DataCapExhausted => DataCapExhausted,
        AlertRule.Custom => Custom,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown rule"),
    };
}

/// <summary>One place alerts are delivered to.</summary>
public sealed class AlertReceiverOptions
{
    /// <summary>Unique name: the outbox and the logs name the receiver by it.</summary>
    public string Name { get; set; } = "";

    public AlertReceiverKind Kind { get; set; }

    /// <summary>Alertmanager: its base address (<c>http://alertmanager:9093/</c>); webhook: the URL posted to.</summary>
    public Uri? Url { get; set; }

    /// <summary>Webhook: the HMAC-SHA256 key of the signature header (at least 32 characters). Never logged.</summary>
    public string? Secret { get; set; }

    /// <summary>Only alerts of this severity or worse.</summary>
    public AlertSeverity MinSeverity { get; set; } = AlertSeverity.Warning;
}

/// <summary>Checks <see cref="AlertOptions"/> at start and reports every error at once.</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public const int MinSecretLength = 32;

    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var errors = new List<string>();
        const string S = AlertOptions.Section;
        Range(errors, $"{S}:EvaluationInterval", options.EvaluationInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        Range(errors, $"{S}:HoldDown", options.HoldDown, TimeSpan.Zero, TimeSpan.FromDays(1));
        Range(errors, $"{S}:FlapWindow", options.FlapWindow, TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));
        Range(errors, $"{S}:AlertmanagerResendInterval", options.AlertmanagerResendInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Range(errors, $"{S}:RetryMinDelay", options.RetryMinDelay, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Range(errors, $"{S}:RetryMaxDelay", options.RetryMaxDelay, options.RetryMinDelay, TimeSpan.FromDays(1));
        Range(errors, $"{S}:GiveUpAfter", options.GiveUpAfter, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        Range(errors, $"{S}:DeliveryTimeout", options.DeliveryTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        if (options.FlapChanges is < 2 or > 1000)
        {
            errors.Add($"{S}:FlapChanges must be 2…1000");
        }

        Range(errors, $"{S}:Rules:AgentQueueOverflow:Window", options.Rules.AgentQueueOverflow.Window, TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));
        var aggregation = options.Rules.AggregationLost;
        Range(errors, $"{S}:Rules:AggregationLost:Window", aggregation.Window, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        Range(errors, $"{S}:Rules:AggregationLost:Smoothing", aggregation.Smoothing, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        if (aggregation.Share is not (> 0 and < 1) || aggregation.DemandShare is not (> 0 and <= 1) || !(aggregation.MinMemberBitsPerSecond >= 0))
        {
            errors.Add($"{S}:Rules:AggregationLost: Share must be in (0, 1), DemandShare in (0, 1] and MinMemberBitsPerSecond ≥ 0");
        }

        Range(errors, $"{S}:SampleMaxAge", options.SampleMaxAge, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Range(errors, $"{S}:CapRefreshInterval", options.CapRefreshInterval, TimeSpan.Zero, TimeSpan.FromHours(1));
        var (capWarning, capCritical) = (options.Rules.DataCapWarning.Threshold, options.Rules.DataCapCritical.Threshold);
        if (!(capWarning > 0 && capWarning < capCritical && capCritical < 100))
        {
            errors.Add($"{S}:Rules:DataCapWarning:Threshold and DataCapCritical:Threshold must be percentages with 0 < warning < critical < 100");
        }
        foreach (var rule in Enum.GetValues<AlertRule>())
        {
            Range(errors, $"{S}:Rules:{rule}:For", options.For(rule), TimeSpan.Zero, TimeSpan.FromDays(1));
        }

        foreach (var (rule, threshold, counter) in options.Rules.Thresholds)
        {
            var info = MemberCounterCatalog.Of(counter);
            if (!double.IsFinite(threshold.Threshold) || threshold.Threshold < info.Minimum || threshold.Threshold >= info.Maximum)
            {
                errors.Add($"{S}:Rules:{rule}:Threshold must be a number from {info.Minimum} and below {info.Maximum} ({info.Unit})");
            }
        }

        if (options.DashboardUrl is { } dashboard && (!dashboard.IsAbsoluteUri || dashboard.Scheme is not ("http" or "https")))
        {
            errors.Add($"{S}:DashboardUrl must be an absolute http or https address");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Receivers.Count; i++)
        {
            var receiver = options.Receivers[i];
            var at = $"{S}:Receivers:{i}";
            if (string.IsNullOrWhiteSpace(receiver.Name) || receiver.Name.Length > 100 || !names.Add(receiver.Name))
            {
                errors.Add($"{at}:Name must be 1…100 characters and unique");
            }

            if (receiver.Url is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
            {
                errors.Add($"{at}:Url must be an absolute http or https address");
            }

            if (!Enum.IsDefined(receiver.Kind))
            {
                errors.Add($"{at}:Kind must be Alertmanager or Webhook");
            }
            else if (receiver.Kind == AlertReceiverKind.Webhook && (receiver.Secret is null || receiver.Secret.Length < MinSecretLength))
            {
                errors.Add($"{at}:Secret must be at least {MinSecretLength} characters for a webhook");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be {min:c}…{max:c}");
        }
    }
}
