using System.Numerics;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Engine;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Backends.Striper;

/// <summary>
/// Links of kind striper: the userspace striper (<see cref="StriperEngine"/>) hosted in the agent's process, one engine
/// per link. Applying creates the TUN device and one UDP path per member, then puts the spec's addresses and routes
/// on the device; a change of scheduler, weights, hints, admin states, thresholds or hold time is applied to the
/// running engine without touching the session; a change of members, ports, peers, key, cipher or MTU restarts the
/// engine. Removing stops the engine, which deletes the TUN device with its addresses and routes. Observed per member:
/// path health from probes, traffic and drop counters, RTT and loss, the link's resequencing depth; per link with
/// traffic classes, each class's counters.
/// </summary>
public sealed partial class StriperBackend(KernelContext context, TimeProvider timeProvider, ILogger<StriperBackend> logger, HealthChangeSignal? healthChanges = null)
    : ILinkBackend, ILinkEventSource, IDisposable
{
    private readonly DeviceAddressing _addressing = new(context);
    private readonly MemberHealthTracker _tracker = new(timeProvider);
    private readonly HostedEngines<StriperEngine> _engines = new(context);
    private readonly Dictionary<string, uint> _lastUsable = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public LinkKind Kind => LinkKind.Striper;

    /// <inheritdoc />
    public BackendAvailability CheckAvailability() => HostedEngines<StriperEngine>.Availability();

    /// <inheritdoc />
    public async Task<ApplyResult> ApplyAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
    {
        if (desired.Kind != LinkKind.Striper || desired.Striper is null)
        {
            return ApplyResult.Failed($"{desired.Name}: not a striper spec");
        }

        var availability = CheckAvailability();
        if (!availability.Available)
        {
            return ApplyResult.Failed(availability.Reason ?? "the striper is not available");
        }

        using var gate = await _engines.EnterAsync(cancellationToken);
        try
        {
            if (current is not null && current.Name != desired.Name)
            {
                Stop(current.Name);
            }

            var restarted = false;
            if (_engines.Running(desired.Name) is { } engine && engine.CanUpdateLive(desired))
            {
                engine.Update(desired);
            }
            else
            {
                Stop(desired.Name);
                engine = StriperEngine.Start(desired, _engines.Options(healthChanges), logger);
                _engines.Run(desired.Name, engine);
                restarted = true;
            }

            var error = await _addressing.ApplyAsync(engine.DeviceName, desired, current, cancellationToken);
            if (error is not null)
            {
                LogApplyFailed(desired.Name, error);
                return ApplyResult.Failed(error);
            }

            LogApplied(desired.Name, LinkSpecValidator.SchedulerName(desired.Striper.Scheduler), restarted ? "started" : "updated live", context.Description);
            return ApplyResult.Ok;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
        {
            // The kernel's or the validator's words: "TUNSETIFF(str0) failed: EBUSY", "bind(...) on eth9: ENODEV".
            var message = HostedEngines<StriperEngine>.Describe(ex);
            LogApplyFailed(desired.Name, message);
            return ApplyResult.Failed($"{desired.Name}: {message}");
        }
    }

    /// <inheritdoc />
    public async Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken)
    {
        using var gate = await _engines.EnterAsync(cancellationToken);

        // Closing the TUN device deletes it, and its addresses and routes with it.
        Stop(current.Name);
        _tracker.Forget(current.Name);
        return ApplyResult.Ok;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Stopping the engine closes its descriptor of the TUN device: a device the engine created goes with it, one that
    /// was there before (made persistent by its owner, <c>ip tuntap add</c>) stays; the reconciler then puts its
    /// addresses and state from before the adoption back.
    /// </remarks>
    public Task<ApplyResult> ReleaseAsync(LinkSpec current, CancellationToken cancellationToken) => RemoveAsync(current, cancellationToken);

    /// <inheritdoc />
    public async Task<LinkObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken)
    {
        var engine = await _engines.FindAsync(applied.Name, cancellationToken);
        if (engine is null)
        {
            var missing = applied.Members.Select(m => new MemberObservation { Interface = m.Interface, Health = MemberHealth.Unknown, Detail = "striper not running" }).ToArray();
            return new LinkObservation(false, missing, $"striper {applied.Name} is not running");
        }

        var snapshot = engine.GetSnapshot();
        var members = new MemberObservation[snapshot.Paths.Count];
        var cpu = snapshot.TransmitCpuPercent is { } tx ? Math.Max(tx, snapshot.ReceiveCpuPercent ?? 0) : snapshot.ReceiveCpuPercent;
        uint usable = 0;
        for (var i = 0; i < members.Length; i++)
        {
            var path = snapshot.Paths[i];
            usable |= path.Usable ? 1u << i : 0;
            members[i] = new MemberObservation
            {
                Interface = path.Interface,
                Health = path.AdminState == MemberAdminState.Disabled ? MemberHealth.Unknown : path.Health,
                Counters = StriperPathCounters.Of(path),
                ReorderDepth = (int)snapshot.ReorderDepth,
                ReorderDepthMax = (int)snapshot.ReorderDepthMax,
                RttMs = path.SrttMs,
                LossPercent = path.SrttMs is null ? null : path.LossPercent,
                LargeProbeLossPercent = path.LargeProbeLossPercent,
                SmallProbeLossPercent = path.SmallProbeLossPercent,
                CpuPercent = cpu,
                JitterMs = path.JitterMs,
                Detail = Detail(path, snapshot),
                Tier = path.Tier,
                IdleReason = path.IdleReason,
            };
        }

        var drift = new List<string>(await _addressing.DriftAsync(snapshot.Device, applied, cancellationToken));
        if (!LinkSpecEquality.AreEquivalent(engine.Spec, applied))
        {
            drift.Add($"the striper runs another spec than the one applied for {applied.Name}");
        }

        _tracker.Record(applied.Name, members);
        NoteFailover(applied.Name, snapshot, usable);
        return new LinkObservation(true, members, drift.Count == 0 ? null : string.Join("; ", drift)) { Classes = Classes(snapshot) };
    }

    /// <summary>The classes' counters; none for a link without classes, whose default class its members already describe.</summary>
    private static ClassObservation[] Classes(StriperSnapshot snapshot)
    {
        if (snapshot.Classes.Count <= 1)
        {
            return [];
        }

        var classes = new ClassObservation[snapshot.Classes.Count];
        for (var i = 0; i < classes.Length; i++)
        {
            var c = snapshot.Classes[i];
            classes[i] = new ClassObservation(
                c.Name,
                c.Action,
                new ClassCounters(
                    (ulong)c.TxPackets,
                    (ulong)c.TxBytes,
                    (ulong)c.DuplicatesSent,
                    (ulong)c.DuplicateBytes,
                    (ulong)c.FecBlocks,
                    (ulong)c.FecParityPackets,
                    (ulong)c.FecParityBytes,
                    (ulong)c.DropNoPath,
                    (ulong)c.RxPackets,
                    (ulong)c.RxBytes,
                    (ulong)c.DuplicatesDropped,
                    (ulong)c.FecRecovered,
                    (ulong)c.FecLost),
                c.PinnedMember);
        }

        return classes;
    }

    /// <inheritdoc />
    public IReadOnlyList<LinkEvent> TakeEvents(LinkSpec applied) => _tracker.Take(applied.Name);

    /// <summary>The running engine of a link (tests and diagnostics).</summary>
    internal StriperEngine? EngineFor(string name) => _engines.Find(name);

    /// <inheritdoc />
    public void Dispose() => _engines.Dispose();

    private static string Detail(PathSnapshot path, StriperSnapshot link)
    {
        var traffic = path.Usable ? "carrying traffic" : "not carrying traffic";
        var offloads = $"gso {(path.Gso ? "on" : "off")}, gro {(path.Gro ? "on" : "off")}";
        var session = link.SessionEstablished ? "" : "; no session with the peer yet";
        return $"{path.HealthReason}; {traffic}; peer {path.Peer ?? "not known yet"}; {offloads}{session}";
    }

    private void NoteFailover(string link, StriperSnapshot snapshot, uint usable)
    {
        if (_lastUsable.TryGetValue(link, out var before) && before != usable && usable != 0)
        {
            var left = before & ~usable;
            if (left != 0)
            {
                var from = snapshot.Paths[BitOperations.TrailingZeroCount(left)].Interface;
                _tracker.Add(link, AgentEventKind.Failover, EventSeverity.Warning, from,
                    $"{link}: traffic moved off {from} (now on {string.Join(", ", snapshot.Paths.Where(p => p.Usable).Select(p => p.Interface))})");
            }
        }

        _lastUsable[link] = usable;
    }

    private void Stop(string name)
    {
        if (_engines.Stop(name))
        {
            LogStopped(name);
        }

        _lastUsable.Remove(name);
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Striper link {Link} applied: scheduler {Scheduler}, {How} ({Where})")]
    private partial void LogApplied(string link, string scheduler, string how, string where);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Striper link {Link} could not be applied: {Error}")]
    private partial void LogApplyFailed(string link, string error);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Striper link {Link} stopped")]
    private partial void LogStopped(string link);
}
