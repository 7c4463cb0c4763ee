using Microsoft.Extensions.Options;

namespace Fleet.Api.Replication;

/// <summary>
/// The <c>Fleet:Replication</c> section: how replicas sharing one PostgreSQL and one Redis
/// (<c>ConnectionStrings:Redis</c>) keep agents and dashboards whole (docs/architecture.md, "Replicas").
/// </summary>
public sealed class ReplicationOptions
{
    public const string Section = "Fleet:Replication";

    /// <summary>
    /// How often each replica sends pending specs again to the agents connected to it: a push lost on the backplane
    /// (Redis restarting) only delays a rollout by this much. Also how soon a host decommissioned on another replica
    /// loses its connection here.
    /// </summary>
    public TimeSpan PendingSpecResendInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Relay samples this replica stores to the dashboards of the other replicas.</summary>
    public bool RelayLiveSamples { get; set; } = true;

    /// <summary>Most samples relayed per stored batch (the newest; a replayed backlog is not pushed live in full).</summary>
    public int MaxRelayedSamplesPerBatch { get; set; } = 2_000;
}

internal sealed class ReplicationOptionsValidator : IValidateOptions<ReplicationOptions>
{
    public ValidateOptionsResult Validate(string? name, ReplicationOptions options)
    {
        var errors = new List<string>();
        if (options.PendingSpecResendInterval < TimeSpan.FromMilliseconds(100) || options.PendingSpecResendInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{ReplicationOptions.Section}:PendingSpecResendInterval must be 00:00:00.1…00:10:00");
        }

        if (options.MaxRelayedSamplesPerBatch is < 1 or > 100_000)
        {
            errors.Add($"{ReplicationOptions.Section}:MaxRelayedSamplesPerBatch must be 1…100000");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>This process among the replicas: a random id named in every live message it relays, so it ignores its own.</summary>
public sealed class ReplicaIdentity
{
    public Guid Id { get; } = Guid.NewGuid();
}
