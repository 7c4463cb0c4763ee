using Fleet.Api.Agents;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Api.Samples.Ingest;

/// <summary>Checks a batch's shape before anything of it is stored. Ownership of its links is checked separately.</summary>
public static class BatchValidator
{
    /// <summary>Most samples in one batch (an agent splits bigger intervals).</summary>
    public const int MaxSamples = 10_000;

    /// <summary>Most class samples in one batch.</summary>
    public const int MaxClassSamples = 10_000;

    /// <summary>Most events in one batch.</summary>
    public const int MaxEvents = 1_000;

    /// <summary>How far in the future a sample may lie (agent clock skew).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromHours(1);

    /// <summary>The problems with <paramref name="batch"/> (at most a handful, for the rejection message); empty when valid.</summary>
    public static IReadOnlyList<string> Validate(SampleBatch? batch, DateTimeOffset now)
    {
        var problems = new List<string>();
        if (batch is null)
        {
            problems.Add("the batch is empty");
            return problems;
        }

        if (batch.Sequence < 1)
        {
            problems.Add("sequence must be at least 1");
        }

        if (batch.PendingBatches < 0)
        {
            problems.Add("pendingBatches must not be negative");
        }

        if (batch.Samples is null || batch.Samples.Count > MaxSamples)
        {
            problems.Add($"a batch carries 0 to {MaxSamples} samples");
            return problems;
        }

        if (batch.Events is null || batch.Events.Count > MaxEvents)
        {
            problems.Add($"a batch carries 0 to {MaxEvents} events");
            return problems;
        }

        if (batch.Striper is { } striper && (striper.Classes is null || striper.MemberStates is null))
        {
            problems.Add("striper needs its classes and memberStates lists");
            return problems;
        }

        if (batch.Striper?.Classes is { Count: > MaxClassSamples })
        {
            problems.Add($"a batch carries 0 to {MaxClassSamples} class samples");
            return problems;
        }

        var latest = now + MaxClockSkew;
        for (var i = 0; i < batch.Samples.Count && problems.Count < 5; i++)
        {
            var s = batch.Samples[i];
            if (s is null)
            {
                problems.Add($"samples[{i}] is null");
                continue;
            }

            if (InterfaceName.Check(s.Member) is { } memberProblem)
            {
                problems.Add($"samples[{i}].member: {memberProblem}");
            }

            if (s.LinkId == Guid.Empty)
            {
                problems.Add($"samples[{i}].linkId is empty");
            }

            if (s.Time > latest || s.Time.Year < 2000)
            {
                problems.Add($"samples[{i}].time {s.Time:O} is implausible");
            }

            if (s.IntervalMs is < 1 or > 3_600_000)
            {
                problems.Add($"samples[{i}].intervalMs must be between 1 and 3600000");
            }

            CheckCounters(s, i, problems);
        }

        for (var i = 0; i < batch.Events.Count && problems.Count < 5; i++)
        {
            var e = batch.Events[i];
            if (e is null || e.Message is null)
            {
                problems.Add($"events[{i}] needs a message");
                continue;
            }

            if (!Enum.IsDefined(e.Kind) || !Enum.IsDefined(e.Severity))
            {
                problems.Add($"events[{i}]: unknown kind or severity");
            }

            if (AgentText.Problem(e.Message) is { } textProblem)
            {
                problems.Add($"events[{i}].message {textProblem}");
            }

            if (e.Member is not null && InterfaceName.Check(e.Member) is { } memberProblem)
            {
                problems.Add($"events[{i}].member: {memberProblem}");
            }

            if (e.Time > latest || e.Time.Year < 2000)
            {
                problems.Add($"events[{i}].time {e.Time:O} is implausible");
            }
        }

        ValidateClasses(batch.Striper?.Classes ?? [], latest, problems);
        ValidateMemberStates(batch.Striper?.MemberStates ?? [], latest, problems);
        return problems;
    }

    /// <summary>
    /// Each counter of the catalogue against its range: the whole-number counters in one problem (they share their
    /// only rule, ≥ 0), then each measurement and the health in its own.
    /// </summary>
    private static void CheckCounters(MemberSample sample, int index, List<string> problems)
    {
        // Indexed loops: this runs per sample on the ingest path, and foreach over the interface allocates. Nearly every
        // sample is valid, so one pass that finds nothing is all it costs (two passes were a tenth of the Api's CPU samples
        // in a profile at 1,000 sites, docs/scaling.md); the passes that word the problems run only for a sample that has one.
        var counters = MemberCounterCatalog.All;
        var valid = true;
        for (var c = 0; c < counters.Count && valid; c++)
        {
            valid = counters[c].Problem(counters[c].Value(sample)) is null;
        }

        if (valid)
        {
            return;
        }

        for (var c = 0; c < counters.Count; c++)
        {
            if (IsWhole(counters[c].Kind) && counters[c].Problem(counters[c].Value(sample)) is not null)
            {
                problems.Add($"samples[{index}]: counters cannot be negative");
                break;
            }
        }

        for (var c = 0; c < counters.Count; c++)
        {
            if (!IsWhole(counters[c].Kind) && counters[c].Problem(counters[c].Value(sample)) is { } problem)
            {
                problems.Add($"samples[{index}].{counters[c].Name} {problem}");
            }
        }
    }

    private static bool IsWhole(CounterKind kind) => kind switch
    {
        CounterKind.Delta or CounterKind.Level or CounterKind.Peak => true,
        CounterKind.Measured or CounterKind.Health => false,
        _ => throw new InvalidOperationException($"counter kind {kind} is not known"),
    };

    private static void ValidateMemberStates(IReadOnlyList<MemberState> states, DateTimeOffset latest, List<string> problems)
    {
        if (states.Count > MaxClassSamples)
        {
            problems.Add($"a batch carries 0 to {MaxClassSamples} member states");
            return;
        }

        for (var i = 0; i < states.Count && problems.Count < 5; i++)
        {
            var m = states[i];
            if (m is null)
            {
                problems.Add($"striper.memberStates[{i}] is null");
                continue;
            }

            if (m.LinkId == Guid.Empty)
            {
                problems.Add($"striper.memberStates[{i}].linkId is empty");
            }

            if (InterfaceName.Check(m.Member) is { } memberProblem)
            {
                problems.Add($"striper.memberStates[{i}].member: {memberProblem}");
            }

            if (!Enum.IsDefined(m.Tier))
            {
                problems.Add($"striper.memberStates[{i}].tier is not a known tier");
            }

            if (m.IdleReason is not null && AgentText.Problem(m.IdleReason) is { } textProblem)
            {
                problems.Add($"striper.memberStates[{i}].idleReason {textProblem}");
            }

            if (m.Time > latest || m.Time.Year < 2000)
            {
                problems.Add($"striper.memberStates[{i}].time {m.Time:O} is implausible");
            }
        }
    }

    private static void ValidateClasses(IReadOnlyList<ClassSample> classes, DateTimeOffset latest, List<string> problems)
    {
        for (var i = 0; i < classes.Count && problems.Count < 5; i++)
        {
            var c = classes[i];
            if (c is null)
            {
                problems.Add($"striper.classes[{i}] is null");
                continue;
            }

            if (c.LinkId == Guid.Empty)
            {
                problems.Add($"striper.classes[{i}].linkId is empty");
            }

            // The validator's class names (lower-case, at most 32 characters) and the action's wire names.
            if (c.Class is not { Length: > 0 and <= ClassSampleEntity.MaxNameLength } || AgentText.Problem(c.Class) is not null)
            {
                problems.Add($"striper.classes[{i}].class must be a class name of 1 to {ClassSampleEntity.MaxNameLength} characters");
            }

            if (c.Action is not ("default" or "stripe" or "pin" or "duplicate" or "fec"))
            {
                problems.Add($"striper.classes[{i}].action is not a known action");
            }

            if (c.PinnedMember is not null && InterfaceName.Check(c.PinnedMember) is { } memberProblem)
            {
                problems.Add($"striper.classes[{i}].pinnedMember: {memberProblem}");
            }

            if (c.Time > latest || c.Time.Year < 2000)
            {
                problems.Add($"striper.classes[{i}].time {c.Time:O} is implausible");
            }

            if (c.IntervalMs is < 1 or > 3_600_000)
            {
                problems.Add($"striper.classes[{i}].intervalMs must be between 1 and 3600000");
            }

            if (c.TxPackets < 0 || c.TxBytes < 0 || c.DuplicatesSent < 0 || c.DuplicateBytes < 0 || c.FecBlocks < 0 || c.FecParityPackets < 0
                || c.FecParityBytes < 0 || c.DropNoPath < 0 || c.RxPackets < 0 || c.RxBytes < 0 || c.DuplicatesDropped < 0 || c.FecRecovered < 0 || c.FecLost < 0)
            {
                problems.Add($"striper.classes[{i}]: counters cannot be negative");
            }
        }
    }

    /// <summary>The distinct links a batch names (samples, class samples, member states and events).</summary>
    public static HashSet<Guid> LinksOf(SampleBatch batch)
    {
        var links = new HashSet<Guid>();
        foreach (var sample in batch.Samples)
        {
            links.Add(sample.LinkId);
        }

        foreach (var sample in batch.Striper?.Classes ?? [])
        {
            links.Add(sample.LinkId);
        }

        foreach (var state in batch.Striper?.MemberStates ?? [])
        {
            links.Add(state.LinkId);
        }

        foreach (var e in batch.Events)
        {
            if (e.LinkId is { } link)
            {
                links.Add(link);
            }
        }

        return links;
    }
}
