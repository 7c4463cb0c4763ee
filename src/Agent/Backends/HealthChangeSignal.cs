using System.Threading.Channels;

namespace Fleet.Agent.Backends;

/// <summary>
/// A backend's "a member's health just changed" (issue 20): the agent samples at once instead of at the next interval,
/// so the change reaches the Api and the dashboards in milliseconds, not up to a sampling interval later. Notifications
/// coalesce: however many arrive before the agent wakes, it samples once (docs/agent.md, "Health changes").
/// Safe to call from any thread; never blocks.
/// </summary>
public sealed class HealthChangeSignal
{
    private readonly Channel<bool> _pending = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>Says that some member's health changed.</summary>
    public void Notify() => _pending.Writer.TryWrite(true);

    /// <summary>Completes when a notification is pending (at once if one already is); does not take it.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _pending.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Takes the pending notification, if any: later changes notify again.</summary>
    public bool TryTake() => _pending.Reader.TryRead(out _);
}
