using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>Creates a scheduler from a spec's method and parameters (names as LinkSpecValidator accepts them).</summary>
public static class StripeSchedulers
{
    /// <summary>A new scheduler instance for <paramref name="kind"/>.</summary>
    public static IStripeScheduler Create(StripeSchedulerKind kind, IReadOnlyDictionary<string, double>? parameters = null)
    {
        double Parameter(string name, double fallback) =>
            parameters is not null && parameters.TryGetValue(name, out var value) ? value : fallback;

        return kind switch
        {
            StripeSchedulerKind.RoundRobin => new RoundRobinScheduler(),
            StripeSchedulerKind.Weighted => new WeightedScheduler(Parameter("quantumBytes", WeightedScheduler.DefaultQuantumBytes)),
            StripeSchedulerKind.BwPoll => new BwPollScheduler(Parameter("decay", BwPollScheduler.DefaultDecay)),
            StripeSchedulerKind.EarliestArrival => new EarliestArrivalScheduler(),
            StripeSchedulerKind.BwLag => new BwLagScheduler(),
            StripeSchedulerKind.Adaptive => new AdaptiveScheduler(Parameter("smoothing", AdaptiveScheduler.DefaultSmoothing)),
            StripeSchedulerKind.Redundant => new RedundantScheduler((int)Parameter("copies", RedundantScheduler.DefaultCopies)),
            StripeSchedulerKind.ActiveBackup => new ActiveBackupScheduler(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown scheduler"),
        };
    }
}
