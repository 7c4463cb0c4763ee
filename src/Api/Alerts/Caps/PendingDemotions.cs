namespace Fleet.Api.Alerts.Caps;

/// <summary>
/// The demotions the alert loop owes: one per firing data-cap-exhausted alert until it is done or not needed. A refused
/// attempt (a concurrent change of the link, a host that could not take the spec then) is tried again after a delay that
/// doubles from <see cref="FirstRetry"/> to <see cref="LastRetry"/>; the alert resolving drops it. The loop fills it
/// again from the firing alerts when its evaluator starts over (an Api restart included), so a demotion the previous
/// process recorded the alert for but never made is made. Not thread-safe: the alert loop owns it.
/// </summary>
public sealed class PendingDemotions(DataCapDemotion demotion, TimeProvider time)
{
    /// <summary>The wait after the first refusal.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two attempts.</summary>
    public static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(5);

    private readonly Dictionary<Guid, Pending> _pending = [];

    /// <summary>How many demotions are owed.</summary>
    public int Count => _pending.Count;

    /// <summary>Owes the demotion of <paramref name="member"/> of <paramref name="linkId"/> for alert <paramref name="alertId"/>, due now.</summary>
    public void Add(Guid alertId, Guid linkId, string member, DateTimeOffset firingSince) =>
        _pending[alertId] = new Pending(linkId, member, firingSince, time.GetUtcNow(), FirstRetry);

    /// <summary>The alert resolved: its demotion is no longer owed.</summary>
    public void Remove(Guid alertId) => _pending.Remove(alertId);

    public void Clear() => _pending.Clear();

    /// <summary>Tries each demotion that is due, in the order they were owed; a done or needless one is dropped.</summary>
    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            // The alert loop calls this every evaluation; almost always nothing is owed.
            return;
        }

        foreach (var (alertId, pending) in _pending.Where(p => p.Value.Due <= time.GetUtcNow()).ToList())
        {
            var outcome = await demotion.DemoteAsync(pending.LinkId, pending.Member, pending.FiringSince, cancellationToken);
            switch (outcome)
            {
                case DemotionOutcome.Demoted:
                case DemotionOutcome.NotNeeded:
                    _pending.Remove(alertId);
                    break;
                case DemotionOutcome.Refused:
                    var wait = pending.Wait;
                    _pending[alertId] = pending with { Due = time.GetUtcNow() + wait, Wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LastRetry.Ticks)) };
                    break;
                default:
                    throw new InvalidOperationException($"unknown demotion outcome {outcome}");
            }
        }
    }

    private sealed record Pending(Guid LinkId, string Member, DateTimeOffset FiringSince, DateTimeOffset Due, TimeSpan Wait);
}
