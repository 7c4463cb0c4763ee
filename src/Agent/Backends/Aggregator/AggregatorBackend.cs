using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Backends.Striper;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Aggregator;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Backends.Aggregator;

/// <summary>
/// Links of kind aggregator (docs/aggregator.md): the striper aggregator (<see cref="StriperAggregator"/>) hosted in the
/// agent's process, one per link, serving every site of the link's options on one UDP port and one TUN device.
/// Applying starts it and puts the spec's addresses and routes on the device; a change of sites (added, removed, their
/// keys, schedulers or prefixes) is applied to the running aggregator while the other sites carry traffic; a change of
/// device, interface, address, port or MTU restarts it (every site reconnects by itself). Removing stops it, which
/// deletes the TUN device with its addresses and routes. Observed: the one member of the spec (the socket's interface,
/// with the aggregator's own drops and the sites in its detail), then per site its session and its paths as the
/// aggregator sees them (<see cref="AggregatorTraffic"/>), so the aggregator's throughput is its sites' paths'.
/// </summary>
public sealed partial class AggregatorBackend(KernelContext context, ILogger<AggregatorBackend> logger, HealthChangeSignal? healthChanges = null)
    : ILinkBackend, IDisposable
{
    private readonly DeviceAddressing _addressing = new(context);
    private readonly HostedEngines<StriperAggregator> _aggregators = new(context);

    /// <inheritdoc />
    public LinkKind Kind => LinkKind.Aggregator;

    /// <inheritdoc />
    public BackendAvailability CheckAvailability() => HostedEngines<StriperAggregator>.Availability();

    /// <inheritdoc />
    public async Task<ApplyResult> ApplyAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
    {
        if (desired.Kind != LinkKind.Aggregator || desired.Aggregator is null || desired.Members.Count != 1)
        {
            return ApplyResult.Failed($"{desired.Name}: not an aggregator spec");
        }

        var availability = CheckAvailability();
        if (!availability.Available)
        {
            return ApplyResult.Failed(availability.Reason ?? "the aggregator is not available");
        }

        using var gate = await _aggregators.EnterAsync(cancellationToken);
        try
        {
            if (current is not null && current.Name != desired.Name)
            {
                Stop(current.Name);
            }

            var spec = AggregatorOptions.ToAggregatorSpec(desired);
            var restarted = false;
            if (_aggregators.Running(desired.Name) is { } aggregator && CanUpdateLive(aggregator.Spec, spec))
            {
                aggregator.Update(spec);
            }
            else
            {
                Stop(desired.Name);
                aggregator = StriperAggregator.Start(spec, _aggregators.Options(healthChanges), logger);
                _aggregators.Run(desired.Name, aggregator);
                restarted = true;
            }

            var error = await _addressing.ApplyAsync(aggregator.DeviceName, desired, current, cancellationToken);
            if (error is not null)
            {
                LogApplyFailed(desired.Name, error);
                return ApplyResult.Failed(error);
            }

            LogApplied(desired.Name, spec.Sites.Count, restarted ? "started" : "updated live", context.Description);
            return ApplyResult.Ok;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or TimeoutException)
        {
            // The kernel's or the validator's words: "TUNSETIFF(agg0) failed: EBUSY", "bind(...) on eth9: ENODEV".
            var message = HostedEngines<StriperAggregator>.Describe(ex);
            LogApplyFailed(desired.Name, message);
            return ApplyResult.Failed($"{desired.Name}: {message}");
        }
    }

    /// <inheritdoc />
    public async Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken)
    {
        using var gate = await _aggregators.EnterAsync(cancellationToken);

        // Closing the TUN device deletes it, and its addresses and routes with it.
        Stop(current.Name);
        return ApplyResult.Ok;
    }

    /// <inheritdoc />
    /// <remarks>As the striper's: a device made persistent before the adoption stays when the aggregator closes it.</remarks>
    public Task<ApplyResult> ReleaseAsync(LinkSpec current, CancellationToken cancellationToken) => RemoveAsync(current, cancellationToken);

    /// <inheritdoc />
    public async Task<LinkObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken)
    {
        var aggregator = await _aggregators.FindAsync(applied.Name, cancellationToken);
        if (aggregator is null)
        {
            var missing = applied.Members.Select(m => new MemberObservation { Interface = m.Interface, Health = MemberHealth.Unknown, Detail = "aggregator not running" }).ToArray();
            return new LinkObservation(false, missing, $"aggregator {applied.Name} is not running");
        }

        var snapshot = aggregator.GetSnapshot();
        var members = AggregatorTraffic.Members(snapshot, applied.Members[0].Interface);
        var drift = new List<string>(await _addressing.DriftAsync(snapshot.Device, applied, cancellationToken));
        if (!LinkSpecEquality.AreEquivalent(aggregator.Spec, AggregatorOptions.ToAggregatorSpec(applied)))
        {
            drift.Add($"the aggregator runs another spec than the one applied for {applied.Name}");
        }

        return new LinkObservation(true, members, drift.Count == 0 ? null : string.Join("; ", drift));
    }

    /// <summary>The running aggregator of a link (tests and diagnostics).</summary>
    internal StriperAggregator? AggregatorFor(string name) => _aggregators.Find(name);

    /// <inheritdoc />
    public void Dispose() => _aggregators.Dispose();

    /// <summary>What <see cref="StriperAggregator.Update"/> takes: everything but the device, the socket and the MTU.</summary>
    private static bool CanUpdateLive(AggregatorSpec running, AggregatorSpec desired) =>
        running.Name == desired.Name && running.Interface == desired.Interface && running.Address == desired.Address
        && running.Port == desired.Port && running.Mtu == desired.Mtu;

    private void Stop(string name)
    {
        if (_aggregators.Stop(name))
        {
            LogStopped(name);
        }
    }

    [LoggerMessage(EventId = 4250, Level = LogLevel.Information, Message = "Aggregator link {Link} applied: {Sites} sites, {How} ({Where})")]
    private partial void LogApplied(string link, int sites, string how, string where);

    [LoggerMessage(EventId = 4251, Level = LogLevel.Warning, Message = "Aggregator link {Link} could not be applied: {Error}")]
    private partial void LogApplyFailed(string link, string error);

    [LoggerMessage(EventId = 4252, Level = LogLevel.Information, Message = "Aggregator link {Link} stopped")]
    private partial void LogStopped(string link);
}
