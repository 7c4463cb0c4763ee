using Fleet.Agent.Status;
using Fleet.Agent.Storage;
using Fleet.Contracts.Agents;

namespace Fleet.Agent.Doctor;

/// <summary>What the doctor measured on the host.</summary>
/// <param name="From">When the measurement started.</param>
/// <param name="To">When it ended.</param>
/// <param name="Samples">The daemon's samples seen meanwhile, each once (the last one before the start included).</param>
/// <param name="AgentRunning">Whether the daemon ran: without it there are no counters to read.</param>
public sealed record LocalMeasurement(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<MemberSample> Samples, bool AgentRunning)
{
    /// <summary>Each bond's driver report (<see cref="LinkStatus.Bond"/>) as the last read of the status file had it.</summary>
    public IReadOnlyDictionary<Guid, ObservedBond> Bonds { get; init; } = new Dictionary<Guid, ObservedBond>();
}

/// <summary>
/// A short live measurement: the agent keeps no window of counters on the host (its samples leave with the batches the
/// Api acknowledges), only the last interval's samples in <c>status.json</c>. The doctor reads that file for a few
/// seconds and keeps every interval it sees. The daemon's samples, not a second sampler, because the striper's counters
/// live inside the daemon's process and a second reader of the kernel counters would only repeat its work.
/// </summary>
public sealed class LiveMeasurement(string dataDirectory, TimeProvider time)
{
    /// <summary>Reads the daemon's samples for <paramref name="duration"/>; at once when the daemon does not run.</summary>
    /// <exception cref="IOException">The status file cannot be read.</exception>
    /// <exception cref="System.Text.Json.JsonException">The status file is not the agent's JSON.</exception>
    public async Task<LocalMeasurement> MeasureAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = time.GetUtcNow();
        var status = Read();
        if (status is null || !StatusCommand.IsRunning(status, time))
        {
            return new LocalMeasurement(start, start, [], AgentRunning: false);
        }

        // A few reads per interval, so a sample is not missed when the daemon samples early for a health change.
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(status.SampleIntervalMs / 4, 50, 1_000));
        var seen = new Dictionary<(Guid, string, DateTimeOffset), MemberSample>();
        Keep(status, seen);
        while (time.GetUtcNow() - start < duration)
        {
            await Task.Delay(poll, time, cancellationToken);
            if (Read() is { } next)
            {
                Keep(next, seen);
                status = next;
            }
        }

        return new LocalMeasurement(start, time.GetUtcNow(), [.. seen.Values.OrderBy(s => s.Time)], AgentRunning: true)
        {
            Bonds = status.Links.Where(l => l.Bond is not null).ToDictionary(l => l.LinkId, l => l.Bond!),
        };
    }

    private AgentStatus? Read() => AtomicFile.ReadJson<AgentStatus>(DataDirectory.StatusFile(dataDirectory));

    private static void Keep(AgentStatus status, Dictionary<(Guid, string, DateTimeOffset), MemberSample> seen)
    {
        foreach (var sample in status.Links.SelectMany(l => l.Samples))
        {
            seen.TryAdd((sample.LinkId, sample.Member, sample.Time), sample);
        }
    }
}
