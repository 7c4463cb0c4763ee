using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Classes;
using Fleet.Striper.Health;
using Fleet.Striper.Scheduling;

namespace Fleet.Striper.Engine;

public sealed partial class StriperEngine
{
    /// <summary>Whether <paramref name="desired"/> differs from the spec in force only in what <see cref="Update(LinkSpec)"/> can change live.</summary>
    public bool CanUpdateLive(LinkSpec desired) => LiveSpecChange.WhyNot(Spec, desired) is null;

    /// <summary>
    /// Applies a new spec while traffic flows: scheduler and its parameters, member weights, hints, admin states and
    /// tiers, traffic classes, probe interval, health thresholds, hold time and rekey interval. The session, sequence
    /// numbers and buffers are kept, and so is the classes' state (pins, open FEC blocks) when the classes and tiers
    /// did not change. Anything else (members, ports, peers, key, cipher, device, MTU) needs a new engine; that throws
    /// here.
    /// </summary>
    public void Update(LinkSpec desired)
    {
        var errors = LinkSpecValidator.Validate(desired);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid striper spec: " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")), nameof(desired));
        }

        if (LiveSpecChange.WhyNot(Spec, desired) is { } reason)
        {
            throw new InvalidOperationException($"cannot change live: {reason}");
        }

        var current = Spec;
        var striper = desired.Striper!;
        if (striper.Scheduler != current.Striper!.Scheduler || !LiveSpecChange.SameParameters(striper.SchedulerParameters, current.Striper.SchedulerParameters))
        {
            Volatile.Write(ref _scheduler, StripeSchedulers.Create(striper.Scheduler, striper.SchedulerParameters));
            LogSchedulerChanged(LogName, LinkSpecValidator.SchedulerName(striper.Scheduler));
        }

        Volatile.Write(ref _thresholds, ThresholdsFrom(striper));
        var policy = StriperPolicy.Of(desired);
        if (!StriperPolicy.Same(policy, Policy))
        {
            Volatile.Write(ref _classes, ClassTable.Build(policy, desired, TunMtu, Classes));
            LogPolicyChanged(LogName, policy.Classes.Count, string.Join(", ", desired.Members.Select((m, i) => $"{m.Interface} {policy.TierOf(i, m)}")));
        }

        ApplyMembers(desired, policy);
        Volatile.Write(ref _policy, policy);
        Volatile.Write(ref _spec, desired);
    }

    internal static HealthThresholds ThresholdsFrom(StriperOptions striper) => new(
        striper.ProbeIntervalMs / 1000.0,
        striper.DownAfterMissedProbes,
        striper.UpAfterProbes,
        striper.DegradedLossPercent / 100);

    private void ApplyMembers(LinkSpec spec, StriperPolicy policy)
    {
        for (var i = 0; i < Paths.Length; i++)
        {
            var member = spec.Members[i];
            Paths[i].Member = member;
            Paths[i].Tier = policy.TierOf(i, member);
            PathSet.Weight[i] = member.Weight ?? 1;
            PathSet.RateHintBitsPerSecond[i] = member.RateBitsPerSecond is { } rate ? rate : double.NaN;
            PathSet.LagHintSeconds[i] = member.LagMilliseconds is { } lag ? lag / 1000.0 : double.NaN;
        }
    }
}
