namespace Fleet.Agent.Runtime;

/// <summary>Settings of one <see cref="AgentRuntime"/>.</summary>
public sealed class AgentRuntimeOptions
{
    /// <summary>One sample per member per this interval.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where to write <c>status.json</c>; null for nowhere (simulated agents).</summary>
    public string? StatusFile { get; init; }

    /// <summary>Most samples in one batch; a larger interval's samples are split (keeps hub messages small).</summary>
    public int MaxSamplesPerBatch { get; init; } = 2048;
}
