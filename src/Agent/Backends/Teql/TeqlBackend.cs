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
    public const int DefaultMaxEqualizers = 16;

    private readonly DeviceAddressing _addressing = new(context);
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
        if (desired.Kind != LinkKind.Teql || !TryIndex(desired.Name, out _))
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

        state.StartProbing(this);
        LogApplied(desired.Name, desired.Members.Count, context.Description);
        return ApplyResult.Ok;
    }

    /// <inheritdoc />
    public async Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken)
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

            var roots = await ReadRootQdiscsAsync(cancellationToken);
            foreach (var member in current.Members)
            {
                if (roots.TryGetValue(member.Interface, out var root) && root.Kind == current.Name
                    && await TcAsync(cancellationToken, "qdisc", "del", "dev", member.Interface, "root") is { } detachError)
                {
                    return ApplyResult.Failed(detachError);
                }
            }

            if (links.ContainsKey(current.Name))
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
            LogRemoved(current.Name, context.Description);
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

        var roots = await ReadRootQdiscsAsync(cancellationToken);
        var exists = links.TryGetValue(applied.Name, out var device);
        if (state is null && exists)
        {
            // The link is in force but this process has not applied it (the agent restarted): the probes resume.
            state = GetState(applied);
            state.StartProbing(this);
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
            var attached = roots.TryGetValue(member.Interface, out var root) && root.Kind == applied.Name;
            var probe = state?.Probe(member.Interface);
            if (!links.TryGetValue(member.Interface, out var link))
            {
                members.Add(new TeqlMemberState { Interface = member.Interface, Health = MemberHealth.Down, Detail = "interface does not exist" });
                drift.Add($"member {member.Interface} does not exist");
                continue;
            }

            var counters = link.Statistics?.ToMemberCounters() ?? default;
            if (member.AdminState == MemberAdminState.Disabled)
            {
                members.Add(new TeqlMemberState { Interface = member.Interface, Health = MemberHealth.Down, Carrying = attached, Counters = counters, Detail = "disabled by the spec" });
                if (attached)
                {
                    drift.Add($"{member.Interface} carries {applied.Name} traffic but is disabled");
                }

                continue;
            }

            var shouldCarry = carrying?.Contains(member.Interface) ?? true;
            if (shouldCarry != attached)
            {
                drift.Add(attached ? $"{member.Interface} carries {applied.Name} traffic but should not" : $"{member.Interface} does not carry {applied.Name} traffic");
            }

            var health = probe?.Health ?? MemberHealth.Unknown;
            if (!link.IsUp || !link.HasCarrier)
            {
                health = MemberHealth.Down;
            }

            members.Add(new TeqlMemberState
            {
                Interface = member.Interface,
                Health = health,
                Carrying = attached,
                ConsecutiveFailures = probe?.ConsecutiveFailures ?? 0,
                Probes = probe?.Probes ?? 0,
                RttMs = probe?.LastRttMs,
                LossPercent = probe?.LossPercent,
                QdiscBytes = attached ? root!.Bytes : 0,
                QdiscDrops = attached ? root!.Drops : 0,
                Counters = counters,
                Detail = Describe(member, link, probe, attached, root),
            });
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

        if (!links.ContainsKey(name) && await ProvideDeviceAsync(name, cancellationToken) is { } deviceError)
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
        var error = await AttachAsync(desired, current, TeqlMemberProbe.SelectCarrying(desired.Members, state.HealthOf), cancellationToken);
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

    /// <summary>Makes teqlN exist in this context: loads the module if needed, adopts the device from the initial namespace.</summary>
    private async Task<string?> ProvideDeviceAsync(string name, CancellationToken cancellationToken)
    {
        TryIndex(name, out var index);
        if (!features.IsModuleLoaded("sch_teql"))
        {
            // teql devices exist only as created at module load; ask for enough of them.
            var count = Math.Max(DefaultMaxEqualizers, index + 1);
            var load = await context.RunAsync("modprobe", ["sch_teql", $"max_equalizers={count.ToString(CultureInfo.InvariantCulture)}"], cancellationToken: cancellationToken);
            if (!load.Succeeded)
            {
                return $"modprobe sch_teql: {load.Message}";
            }
        }

        var adopt = await context.AdoptFromInitialNamespaceAsync(name, cancellationToken);
        var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            return readError;
        }

        if (links.ContainsKey(name))
        {
            return null;
        }

        var why = adopt.Succeeded ? "" : $" ({adopt.Message})";
        return $"{name} does not exist{why}: sch_teql creates teql0..teql(max_equalizers-1) when it loads and was loaded with "
            + $"fewer, or {name} is in use in another namespace; unload sch_teql (which removes every teql device) to get more";
    }

    /// <summary>Puts the teql qdisc on the carrying members and takes it off the others (and off members the spec dropped).</summary>
    private async Task<string?> AttachAsync(LinkSpec desired, LinkSpec? current, IReadOnlyList<string> carrying, CancellationToken cancellationToken)
    {
        var roots = await ReadRootQdiscsAsync(cancellationToken);
        var names = desired.Members.Select(m => m.Interface).Concat(current?.Members.Select(m => m.Interface) ?? []).Distinct(StringComparer.Ordinal);
        foreach (var member in names)
        {
            var attached = roots.TryGetValue(member, out var root) && root.Kind == desired.Name;
            var wanted = carrying.Contains(member);
            if (wanted && !attached)
            {
                if (await TcAsync(cancellationToken, "qdisc", "replace", "dev", member, "root", desired.Name) is { } attachError)
                {
                    return attachError;
                }

                LogAttached(desired.Name, member);
            }
            else if (!wanted && attached)
            {
                if (await TcAsync(cancellationToken, "qdisc", "del", "dev", member, "root") is { } detachError)
                {
                    return detachError;
                }

                LogDetached(desired.Name, member);
            }
        }

        return null;
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
                Detail = state.Probe(m.Interface) is { } p ? ProbeText(m, p) : null,
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

            var error = await AttachAsync(spec, null, carrying, cancellationToken);
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

    private async Task<(string Member, double? RttMs, string? Error)> ProbeAsync(MemberSpec member, TimeSpan wait, CancellationToken cancellationToken)
    {
        // At least a second: a loaded host answers late, and a late answer must not count as a dead path.
        var seconds = Math.Clamp(wait.TotalSeconds, 1, 5).ToString("0.###", CultureInfo.InvariantCulture);
        var result = await context.RunAsync(
            "ping",
            ["-n", "-q", "-c", "1", "-W", seconds, "-I", member.Interface, member.ProbeTarget!],
            TimeSpan.FromSeconds(10),
            cancellationToken: cancellationToken);
        var rtt = PingReply.RoundTripMs(result.ExitCode, result.StandardOutput);
        var error = rtt is null ? (result.ExitCode == 1 ? "no reply" : result.Message) : null;
        return (member.Interface, rtt, error);
    }

    private async Task<Dictionary<string, TcQdisc>> ReadRootQdiscsAsync(CancellationToken cancellationToken)
    {
        var result = await context.RunAsync("tc", ["-s", "-j", "qdisc", "show"], cancellationToken: cancellationToken);
        var roots = new Dictionary<string, TcQdisc>(StringComparer.Ordinal);
        if (!result.Succeeded)
        {
            return roots;
        }

        foreach (var qdisc in TcQdisc.ParseList(result.StandardOutput))
        {
            if (qdisc.IsRoot)
            {
                roots[qdisc.Device] = qdisc;
            }
        }

        return roots;
    }

    private async Task<string?> TcAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await context.RunAsync("tc", arguments, cancellationToken: cancellationToken);
        return result.Succeeded ? null : $"tc {string.Join(' ', arguments)}: {result.Message}";
    }

    private TeqlLinkState GetState(LinkSpec spec)
    {
        lock (_links)
        {
            if (!_links.TryGetValue(spec.Name, out var state))
            {
                state = new TeqlLinkState(spec, timeProvider);
                _links[spec.Name] = state;
            }

            state.Update(spec);
            return state;
        }
    }

    private static string Describe(MemberSpec member, IpLink link, TeqlProbeSnapshot? probe, bool attached, TcQdisc? root)
    {
        var parts = new List<string>();
        if (!link.IsUp)
        {
            parts.Add("interface down");
        }
        else if (!link.HasCarrier)
        {
            parts.Add("no carrier");
        }

        parts.Add(probe is null ? $"not probed yet ({member.ProbeTarget})" : ProbeText(member, probe));
        parts.Add(attached ? $"carrying (qdisc sent {root!.Bytes} B, dropped {root.Drops})" : "not carrying");
        return string.Join(", ", parts);
    }

    private static string ProbeText(MemberSpec member, TeqlProbeSnapshot probe)
    {
        if (probe.Probes == 0)
        {
            return $"not probed yet ({member.ProbeTarget})";
        }

        return probe.ConsecutiveFailures == 0
            ? $"probe to {member.ProbeTarget} answered in {probe.LastRttMs?.ToString("0.###", CultureInfo.InvariantCulture)} ms"
            : $"{probe.ConsecutiveFailures} probe(s) to {member.ProbeTarget} failed ({probe.LastError})";
    }

    private static bool TryIndex(string name, out int index)
    {
        index = -1;
        return name.StartsWith("teql", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Teql {Name} applied with {Members} members ({Context})")]
    private partial void LogApplied(string name, int members, string context);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Teql {Name} not applied: {Error}")]
    private partial void LogApplyFailed(string name, string error);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "Teql {Name}: {Member} now carries traffic")]
    private partial void LogAttached(string name, string member);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "Teql {Name}: {Member} removed from the equalizer")]
    private partial void LogDetached(string name, string member);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Teql {Name}: acting on probe results failed: {Error}")]
    private partial void LogProbeActionFailed(string name, string error);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Information, Message = "Teql {Name} removed ({Context})")]
    private partial void LogRemoved(string name, string context);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Error, Message = "Teql {Name}: probe round failed")]
    private partial void LogProbeRoundFailed(Exception exception, string name);

    /// <summary>Per-link probe state and the loop that probes.</summary>
    private sealed class TeqlLinkState(LinkSpec spec, TimeProvider timeProvider) : IAsyncDisposable
    {
        private readonly Dictionary<string, TeqlMemberProbe> _probes = new(StringComparer.Ordinal);
        private CancellationTokenSource? _stop;
        private Task? _loop;

        public LinkSpec Spec { get; private set; } = spec;

        public IReadOnlyList<string> LastCarrying { get; set; } = [];

        public bool Stopping { get; private set; }

        public void Update(LinkSpec spec)
        {
            lock (_probes)
            {
                Spec = spec;
                foreach (var gone in _probes.Keys.Where(k => !spec.Members.Any(m => m.Interface == k)).ToList())
                {
                    _probes.Remove(gone);
                }

                LastCarrying = TeqlMemberProbe.SelectCarrying(spec.Members, HealthOfLocked);
            }
        }

        /// <summary>A copy of the member's probe state (the loop keeps recording into the probe itself).</summary>
        public TeqlProbeSnapshot? Probe(string member)
        {
            lock (_probes)
            {
                return _probes.GetValueOrDefault(member)?.Snapshot();
            }
        }

        public MemberHealth HealthOf(string member)
        {
            lock (_probes)
            {
                return HealthOfLocked(member);
            }
        }

        public void StartProbing(TeqlBackend backend)
        {
            lock (_probes)
            {
                if (_loop is not null)
                {
                    return;
                }

                _stop = new CancellationTokenSource();
                var token = _stop.Token;
                _loop = Task.Run(() => LoopAsync(backend, token), CancellationToken.None);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Task? loop;
            lock (_probes)
            {
                Stopping = true;
                loop = _loop;
                _stop?.Cancel();
            }

            if (loop is not null)
            {
                try
                {
                    await loop;
                }
                catch (OperationCanceledException)
                {
                    // Stopping.
                }
            }

            _stop?.Dispose();
        }

        private MemberHealth HealthOfLocked(string member) => _probes.TryGetValue(member, out var probe) ? probe.Health : MemberHealth.Unknown;

        private async Task LoopAsync(TeqlBackend backend, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var spec = Spec;
                var options = spec.Teql ?? new TeqlOptions();
                var interval = TimeSpan.FromMilliseconds(options.ProbeIntervalMs);
                try
                {
                    var probes = spec.Members
                        .Where(m => m.AdminState != MemberAdminState.Disabled && m.ProbeTarget is not null)
                        .Select(m => backend.ProbeAsync(m, interval, cancellationToken));
                    var results = await Task.WhenAll(probes);
                    lock (_probes)
                    {
                        foreach (var (member, rtt, error) in results)
                        {
                            if (!_probes.TryGetValue(member, out var probe))
                            {
                                probe = new TeqlMemberProbe();
                                _probes[member] = probe;
                            }

                            probe.Record(rtt, error, options.DownAfterFailedProbes);
                        }
                    }

                    await backend.OnProbeRoundAsync(this, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    backend.LogProbeRoundFailed(ex, spec.Name);
                }

                try
                {
                    await Task.Delay(interval, timeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
