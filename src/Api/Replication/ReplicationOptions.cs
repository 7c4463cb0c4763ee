using Microsoft.Extensions.Options;

namespace Fleet.Api.Replication;

/// <summary>
/// The <c>Fleet:Replication</c> section: how replicas on one PostgreSQL exchange link changes and live data
/// (docs/architecture.md, "Replicas"). Ignored on SQLite.
/// </summary>
public sealed class ReplicationOptions
{
    public const string Section = "Fleet:Replication";

    /// <summary>First wait before the listening connection is opened again after it was lost (doubles up to <see cref="ReconnectMaxDelay"/>).</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between two attempts to open the listening connection.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Npgsql keepalive of the listening connection, in seconds: how soon a silently dead connection is noticed.</summary>
    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>Relay samples this replica stores to the dashboards of the other replicas.</summary>
    public bool RelayLiveSamples { get; set; } = true;

    /// <summary>Most samples relayed per stored batch (the newest; a replayed backlog is not pushed live in full).</summary>
    public int MaxRelayedSamplesPerBatch { get; set; } = 2_000;

    /// <summary>Live payloads waiting to be sent; more are dropped (live data is best effort, the database has it all).</summary>
    public int MaxQueuedLivePayloads { get; set; } = 20_000;
}

internal sealed class ReplicationOptionsValidator : IValidateOptions<ReplicationOptions>
{
    public ValidateOptionsResult Validate(string? name, ReplicationOptions options)
    {
        var errors = new List<string>();
        if (options.ReconnectMinDelay <= TimeSpan.Zero)
        {
            errors.Add($"{ReplicationOptions.Section}:ReconnectMinDelay must be positive");
        }

        if (options.ReconnectMaxDelay < options.ReconnectMinDelay)
        {
            errors.Add($"{ReplicationOptions.Section}:ReconnectMaxDelay must be at least ReconnectMinDelay");
        }

        if (options.KeepAliveSeconds is < 1 or > 3600)
        {
            errors.Add($"{ReplicationOptions.Section}:KeepAliveSeconds must be 1…3600");
        }

        if (options.MaxRelayedSamplesPerBatch is < 1 or > 100_000)
        {
            errors.Add($"{ReplicationOptions.Section}:MaxRelayedSamplesPerBatch must be 1…100000");
        }

        if (options.MaxQueuedLivePayloads is < 16 or > 1_000_000)
        {
            errors.Add($"{ReplicationOptions.Section}:MaxQueuedLivePayloads must be 16…1000000");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>This process among the replicas: a random id named in every notification it sends, so it ignores its own.</summary>
public sealed class ReplicaIdentity
{
    public Guid Id { get; } = Guid.NewGuid();
}
