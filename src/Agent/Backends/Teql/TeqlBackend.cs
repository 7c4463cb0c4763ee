using System.Globalization;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Backends.Teql;

/// <summary>
/// The trivial link equalizer (<c>sch_teql</c>, tc-teql): the link's device is <c>teqlN</c>, which the module creates
/// when it loads (<c>max_equalizers</c> of them); each member joins by getting <c>teqlN</c> as its root qdisc.
/// teql has no health of its own and keeps sending on a dead member, so this backend probes every member's path to
/// its <see cref="MemberSpec.ProbeTarget"/> (<c>ping -I member</c>) and removes a dead member's qdisc, restoring it
/// when the path answers again. Counters come from the members' interface statistics and <c>tc -s qdisc</c>.
/// </summary>
public sealed partial class TeqlBackend(KernelContext context, KernelFeatures features, TimeProvider timeProvider, ILogger<TeqlBackend> logger)
    : ILinkBackend, ILinkEventSource, IAsyncDisposable
{
    /// <summary><c>max_equalizers</c> when the agent loads <c>sch_teql</c> (more if a spec names a higher device).</summary>
    public const int DefaultMaxEqualizers = TeqlDevices.DefaultMaxEqualizers;

    private readonly DeviceAddressing _addressing = new(context);
    private readonly TeqlQdiscs _qdiscs = new(context, logger);
    private readonly TeqlDevices _devices = new(context, features);
    private readonly MemberHealthTracker _tracker = new(timeProvider);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, TeqlLinkState> _links = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public LinkKind Kind => LinkKind.Teql;

    /// <inheritdoc />
    public BackendAvailability CheckAvailability() => features.Teql();

    /// <inheritdoc />
    public async Task<ApplyResult> ApplyAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
    {
        if (desired.Kind != LinkKind.Teql || !TeqlDevices.TryIndex(desired.Name, out _))
        {
            return ApplyResult.Failed($"{desired.Name}: not a teql spec");
        }

        var availability = CheckAvailability();
        if (!availability.Available)
        {
            return ApplyResult.Failed(availability.Reason ?? "teql is not available");
        }

        TeqlLinkState state;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var error = await ApplyCoreAsync(current, desired, cancellationToken);
            if (error is not null)
            {
                LogApplyFailed(desired.Name, error);
                return ApplyResult.Failed(error);
            }

            state = GetState(desired);
        }
        finally
        {
            _gate.Release();
        }

        state.StartProbing(OnProbeRoundAsync);
        LogApplied(desired.Name, desired.Members.Count, context.Description);
        return ApplyResult.Ok;
    }

    /// <inheritdoc />
    public Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken) => LeaveAsync(current, keepDevice: false, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Stops the probes and takes the teql qdisc off the members; the device keeps its addresses and state for the
    /// reconciler's restore (a teql device is never deleted anyway: it belongs to the module).
    /// </remarks>
    public Task<ApplyResult> ReleaseAsync(LinkSpec current, CancellationToken cancellationToken) => LeaveAsync(current, keepDevice: true, cancellationToken);

    private async Task<ApplyResult> LeaveAsync(LinkSpec current, bool keepDevice, CancellationToken cancellationToken)
    {
        TeqlLinkState? state;
        lock (_links)
        {
            _links.Remove(current.Name, out state);
        }

        if (state is not null)
        {
            await state.DisposeAsync();
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
            if (links is null)
            {
                return ApplyResult.Failed(readError!);
            }

            var roots = await _qdiscs.ReadRootsAsync(cancellationToken);
            foreach (var member in current.Members)
            {
                if (roots.TryGetValue(member.Interface, out var root) && root.Kind == current.Name
                    && await _qdiscs.DetachAsync(member.Interface, cancellationToken) is { } detachError)
                {
                    return ApplyResult.Failed(detachError);
                }
            }

            if (!keepDevice && links.ContainsKey(current.Name))
            {
                foreach (var arguments in new[] { new[] { "addr", "flush", "dev", current.Name }, ["link", "set", "dev", current.Name, "down"] })
                {
                    if (await context.IpAsync(cancellationToken, arguments) is { } deviceError)
                    {
                        return ApplyResult.Failed(deviceError);
                    }
                }

                // Down removes the device's routes; the device itself belongs to the module and stays.
                var back = await context.ReturnToInitialNamespaceAsync(current.Name, cancellationToken);
                if (!back.Succeeded)
                {
                    return ApplyResult.Failed($"returning {current.Name} to the initial namespace: {back.Message}");
                }
            }

            _tracker.Forget(current.Name);
            LogRemoved(current.Name, keepDevice ? "released, device left as it was" : "device flushed and down", context.Description);
            return ApplyResult.Ok;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<LinkObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken) =>
        (await ObserveTeqlAsync(applied, cancellationToken)).Link;

    /// <inheritdoc />
    public IReadOnlyList<LinkEvent> TakeEvents(LinkSpec applied) => _tracker.Take(applied.Name);

    /// <summary>Observes the link with the probe evidence and qdisc counters per member.</summary>
    public async Task<TeqlObservation> ObserveTeqlAsync(LinkSpec applied, CancellationToken cancellationToken)
    {
        var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            var unknown = applied.Members.Select(m => new MemberObservation { Interface = m.Interface, Health = MemberHealth.Unknown, Detail = readError }).ToList();
            return new TeqlObservation(new LinkObservation(false, unknown, readError), false, []);
        }

        TeqlLinkState? state;
        lock (_links)
        {
            _links.TryGetValue(applied.Name, out state);
        }

        var roots = await _qdiscs.ReadRootsAsync(cancellationToken);
        var exists = links.TryGetValue(applied.Name, out var device);
        if (state is null && exists)
        {
            // The link is in force but this process has not applied it (the agent restarted): the probes resume.
            state = GetState(applied);
            state.StartProbing(OnProbeRoundAsync);
        }

        var carrying = state is null ? null : TeqlMemberProbe.SelectCarrying(applied.Members, state.HealthOf);
        var members = new List<TeqlMemberState>();
        var drift = new List<string>();
        if (!exists)
        {
            drift.Add($"{applied.Name} is not in this namespace");
        }
        else if (!device!.IsUp)
        {
            drift.Add($"{applied.Name} is down");
        }

        foreach (var member in applied.Members)
        {
            members.Add(TeqlMemberReading.Read(applied, member, links, roots, state?.Probe(member.Interface), carrying, drift));
        }

        if (exists)
        {
            drift.AddRange(await _addressing.DriftAsync(applied.Name, applied, cancellationToken));
        }

        var observations = members.Select(m => new MemberObservation
        {
            Interface = m.Interface,
            Health = m.Health,
            Counters = m.Counters,
            RttMs = m.RttMs,
            JitterMs = m.JitterMs,
            LossPercent = m.LossPercent,
            Detail = m.Detail,
        }).ToList();
        _tracker.Record(applied.Name, observations);
        return new TeqlObservation(new LinkObservation(exists, observations, drift.Count == 0 ? null : string.Join("; ", drift)), exists && device!.IsUp, members);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<TeqlLinkState> states;
        lock (_links)
        {
            states = [.. _links.Values];
            _links.Clear();
        }

        foreach (var state in states)
        {
            await state.DisposeAsync();
        }

        _gate.Dispose();
    }

    private async Task<string?> ApplyCoreAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
    {
        var name = desired.Name;
        var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            return readError;
        }

        foreach (var member in desired.Members)
        {
            if (!links.TryGetValue(member.Interface, out var link))
            {
                return $"member {member.Interface} does not exist";
            }

            if (link.Master is not null)
            {
                return $"member {member.Interface} is enslaved to {link.Master}; a teql member must be a plain interface";
            }
        }

        if (!links.ContainsKey(name) && await _devices.ProvideAsync(name, cancellationToken) is { } deviceError)
        {
            return deviceError;
        }

        foreach (var member in desired.Members.Where(m => m.AdminState != MemberAdminState.Disabled && !links[m.Interface].IsUp))
        {
            if (await context.IpAsync(cancellationToken, "link", "set", "dev", member.Interface, "up") is { } upError)
            {
                return upError;
            }
        }

        var state = GetState(desired);
        var error = await _qdiscs.AttachAsync(desired, current, TeqlMemberProbe.SelectCarrying(desired.Members, state.HealthOf), cancellationToken);
        if (error is not null)
        {
            return error;
        }

        (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            return readError;
        }

        var device = links[name];
        if (desired.Mtu is { } mtu && device.Mtu != mtu
            && await context.IpAsync(cancellationToken, "link", "set", "dev", name, "mtu", mtu.ToString(CultureInfo.InvariantCulture)) is { } mtuError)
        {
            return mtuError;
        }

        if (!device.IsUp && await context.IpAsync(cancellationToken, "link", "set", "dev", name, "up") is { } upDeviceError)
        {
            return upDeviceError;
        }

        return await _addressing.ApplyAsync(name, desired, current, cancellationToken);
    }

    /// <summary>One probe round's aftermath: re-select the carrying members and fix the qdiscs if that changed.</summary>
    private async Task OnProbeRoundAsync(TeqlLinkState state, CancellationToken cancellationToken)
    {
        var spec = state.Spec;
        _tracker.Record(spec.Name, spec.Members
            .Where(m => m.AdminState != MemberAdminState.Disabled)
            .Select(m => new MemberObservation
            {
                Interface = m.Interface,
                Health = state.HealthOf(m.Interface),
                Detail = state.Probe(m.Interface) is { } p ? TeqlMemberDetail.Probe(m, p) : null,
            })
            .ToList());

        var carrying = TeqlMemberProbe.SelectCarrying(spec.Members, state.HealthOf);
        if (carrying.SequenceEqual(state.LastCarrying))
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // The link may have been removed or re-applied while this round ran.
            if (!ReferenceEquals(state.Spec, spec) || state.Stopping)
            {
                return;
            }

            var error = await _qdiscs.AttachAsync(spec, null, carrying, cancellationToken);
            if (error is null)
            {
                state.LastCarrying = carrying;
            }
            else
            {
                LogProbeActionFailed(spec.Name, error);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private TeqlLinkState GetState(LinkSpec spec)
    {
        lock (_links)
        {
            if (!_links.TryGetValue(spec.Name, out var state))
            {
                state = new TeqlLinkState(spec, context, timeProvider, logger);
                _links[spec.Name] = state;
            }

            state.Update(spec);
            return state;
        }
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Teql {Name} applied with {Members} members ({Context})")]
    private partial void LogApplied(string name, int members, string context);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Teql {Name} not applied: {Error}")]
    private partial void LogApplyFailed(string name, string error);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Teql {Name}: acting on probe results failed: {Error}")]
    private partial void LogProbeActionFailed(string name, string error);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Information, Message = "Teql {Name} removed: {How} ({Context})")]
    private partial void LogRemoved(string name, string how, string context);
}
