using System.Globalization;
using System.Net;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>
/// Multipath TCP (<c>ip-mptcp(8)</c>): the link is a set of path-manager endpoints, one per member, with the limits and
/// <c>net.mptcp.enabled</c> it needs; a member moved to backup is changed in place (<c>ip mptcp endpoint change … backup</c>,
/// which sends MP_PRIO on live subflows), so connections keep running. Optionally named systemd services run under
/// mptcpize. Observed per member: subflows and their RTT/bytes (<c>ss -HMtin</c>), the monitor's subflow events
/// (<c>ip mptcp monitor</c>), interface counters; per namespace: the <c>MPTcpExt</c> counters (<c>nstat</c>).
/// Limits and <c>net.mptcp.enabled</c> are shared by every MPTCP user of the namespace: set when applying, left on removal.
/// </summary>
public sealed partial class MptcpBackend : ILinkBackend, ILinkEventSource, IAsyncDisposable
{
    private readonly KernelContext _context;
    private readonly KernelFeatures _features;
    private readonly MptcpizeDropIns _dropIns;
    private readonly ILogger<MptcpBackend> _logger;
    private readonly MptcpMonitor _monitor;
    private readonly MemberHealthTracker _tracker;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MptcpObserver _observer;

    /// <summary>Creates the backend for one kernel context.</summary>
    public MptcpBackend(KernelContext context, KernelFeatures features, MptcpizeDropIns dropIns, TimeProvider timeProvider, ILogger<MptcpBackend> logger, HealthChangeSignal? healthChanges = null)
    {
        _context = context;
        _features = features;
        _dropIns = dropIns;
        _logger = logger;
        _monitor = new MptcpMonitor(context, timeProvider, logger) { SubflowChanged = healthChanges is null ? null : healthChanges.Notify };
        _tracker = new MemberHealthTracker(timeProvider);
        _observer = new MptcpObserver(context, _monitor, _tracker);
    }

    /// <inheritdoc />
    public LinkKind Kind => LinkKind.Mptcp;

    /// <summary>The monitor whose events feed member health (exposed for diagnostics and tests).</summary>
    public MptcpMonitor Monitor => _monitor;

    /// <inheritdoc />
    public BackendAvailability CheckAvailability() => _features.Mptcp();

    /// <inheritdoc />
    public async Task<ApplyResult> ApplyAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
    {
        if (desired.Kind != LinkKind.Mptcp)
        {
            return ApplyResult.Failed($"{desired.Name}: not an mptcp spec");
        }

        var availability = CheckAvailability();
        if (!availability.Available)
        {
            return ApplyResult.Failed(availability.Reason ?? "MPTCP is not available");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var error = await ApplyCoreAsync(current, desired, cancellationToken);
            if (error is not null)
            {
                LogApplyFailed(desired.Name, error);
                return ApplyResult.Failed(error);
            }
        }
        finally
        {
            _gate.Release();
        }

        await _monitor.EnsureRunningAsync(cancellationToken);
        LogApplied(desired.Name, desired.Members.Count, _context.Description);
        return ApplyResult.Ok;
    }

    /// <inheritdoc />
    /// <remarks>MPTCP links have no device to adopt (the validator refuses <c>adopt</c>); the endpoints are Fleet's, so releasing removes them.</remarks>
    public Task<ApplyResult> ReleaseAsync(LinkSpec current, CancellationToken cancellationToken) => RemoveAsync(current, cancellationToken);

    /// <inheritdoc />
    public async Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var addresses = await MptcpHostState.ReadAddressesAsync(_context, cancellationToken);
            var endpoints = await MptcpHostState.ReadEndpointsAsync(_context, cancellationToken);
            if (addresses is null || endpoints is null)
            {
                return ApplyResult.Failed(addresses is null ? "ip -j addr show failed" : "ip -j mptcp endpoint show failed");
            }

            var resolved = current.Members.Select(m => MptcpHostState.ResolveAddress(m, addresses)).OfType<IPAddress>().ToList();
            foreach (var endpoint in endpoints.Where(e => IsOurs(e, current, null, resolved)))
            {
                if (await _context.IpAsync(cancellationToken, "mptcp", "endpoint", "delete", "id", Text(endpoint.Id)) is { } deleteError)
                {
                    return ApplyResult.Failed(deleteError);
                }
            }

            if (await _dropIns.RemoveAsync(current.Mptcp?.MptcpizeServices ?? [], cancellationToken) is { } dropInError)
            {
                return ApplyResult.Failed(dropInError);
            }

            _tracker.Forget(current.Name);
            _observer.Forget(current.Name);

            LogRemoved(current.Name, _context.Description);
            return ApplyResult.Ok;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<LinkObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken) =>
        (await ObserveMptcpAsync(applied, cancellationToken)).Link;

    /// <inheritdoc />
    public IReadOnlyList<LinkEvent> TakeEvents(LinkSpec applied) => _tracker.Take(applied.Name);

    /// <summary>Observes the link with subflows, counters and monitor events.</summary>
    public Task<MptcpObservation> ObserveMptcpAsync(LinkSpec applied, CancellationToken cancellationToken) => _observer.ObserveAsync(applied, cancellationToken);

    /// <summary>Stops the monitor; idempotent (the service provider disposes it once per registration).</summary>
    public async ValueTask DisposeAsync()
    {
        await _monitor.DisposeAsync();
        _gate.Dispose();
    }

    private async Task<string?> ApplyCoreAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
    {
        var addresses = await MptcpHostState.ReadAddressesAsync(_context, cancellationToken);
        if (addresses is null)
        {
            return "ip -j addr show failed";
        }

        var interfaces = addresses.Select(a => a.Interface).ToHashSet(StringComparer.Ordinal);
        var plan = new List<(MemberSpec Member, IPAddress Address, MptcpEndpointFlags Flags)>();
        foreach (var member in desired.Members)
        {
            if (!interfaces.Contains(member.Interface))
            {
                return $"member {member.Interface} does not exist";
            }

            if (member.AdminState == MemberAdminState.Disabled)
            {
                continue;
            }

            var address = MptcpHostState.ResolveAddress(member, addresses);
            if (address is null)
            {
                return member.Address is null
                    ? $"member {member.Interface} has no global address to use as its MPTCP endpoint"
                    : $"{member.Address} is not an address of {member.Interface}";
            }

            plan.Add((member, address, MptcpEndpoint.FlagsFor(member)));
        }

        var endpoints = await MptcpHostState.ReadEndpointsAsync(_context, cancellationToken);
        var limits = await MptcpHostState.ReadLimitsAsync(_context, cancellationToken);
        if (endpoints is null || limits is null)
        {
            return "ip mptcp cannot read the path manager (endpoints or limits)";
        }

        if ((await _context.ReadFileAsync("/proc/sys/net/mptcp/enabled", cancellationToken))?.Trim() != "1")
        {
            var enable = await _context.WriteFileAsync("/proc/sys/net/mptcp/enabled", "1\n", cancellationToken);
            if (!enable.Succeeded)
            {
                return $"setting net.mptcp.enabled=1: {enable.Message}";
            }
        }

        var options = desired.Mptcp ?? new MptcpOptions();
        if (limits.Subflows != options.SubflowsLimit || limits.AddAddrAccepted != options.AddAddrAcceptedLimit)
        {
            if (await _context.IpAsync(cancellationToken, "mptcp", "limits", "set", "subflows", Text(options.SubflowsLimit), "add_addr_accepted", Text(options.AddAddrAcceptedLimit)) is { } limitsError)
            {
                return limitsError;
            }
        }

        var resolved = plan.Select(p => p.Address).ToList();
        foreach (var stale in endpoints.Where(e => IsOurs(e, desired, current, resolved) && !plan.Any(p => p.Address.Equals(e.Address))))
        {
            if (await _context.IpAsync(cancellationToken, "mptcp", "endpoint", "delete", "id", Text(stale.Id)) is { } deleteError)
            {
                return deleteError;
            }
        }

        foreach (var (member, address, flags) in plan)
        {
            var existing = endpoints.FirstOrDefault(e => e.Address.Equals(address));
            const MptcpEndpointFlags Kinds = MptcpEndpointFlags.Signal | MptcpEndpointFlags.Subflow;
            if (existing is not null && (existing.Device != member.Interface || (existing.Flags & Kinds) != (flags & Kinds) || existing.Port is not null))
            {
                // signal/subflow and the device cannot be changed in place.
                if (await _context.IpAsync(cancellationToken, "mptcp", "endpoint", "delete", "id", Text(existing.Id)) is { } deleteError)
                {
                    return deleteError;
                }

                existing = null;
            }

            if (existing is null)
            {
                if (await _context.IpAsync(cancellationToken, ["mptcp", "endpoint", "add", address.ToString(), "dev", member.Interface, .. MptcpEndpoint.Words(flags)]) is { } addError)
                {
                    return addError;
                }

                continue;
            }

            // backup and fullmesh change in place; for backup the kernel tells the peer (MP_PRIO) on live subflows.
            foreach (var (flag, on, off) in new[] { (MptcpEndpointFlags.Backup, "backup", "nobackup"), (MptcpEndpointFlags.Fullmesh, "fullmesh", "nofullmesh") })
            {
                if ((existing.Flags & flag) != (flags & flag)
                    && await _context.IpAsync(cancellationToken, "mptcp", "endpoint", "change", "id", Text(existing.Id), (flags & flag) != 0 ? on : off) is { } changeError)
                {
                    return changeError;
                }
            }
        }

        return await _dropIns.ApplyAsync(desired.Name, options.MptcpizeServices, current?.Mptcp?.MptcpizeServices ?? [], cancellationToken);
    }

    private static bool IsOurs(MptcpEndpoint endpoint, LinkSpec spec, LinkSpec? other, IReadOnlyList<IPAddress> resolved)
    {
        var members = spec.Members.Concat(other?.Members ?? []);
        return members.Any(m => m.Interface == endpoint.Device || (m.Address is not null && IPAddress.TryParse(m.Address, out var a) && a.Equals(endpoint.Address)))
            || resolved.Any(a => a.Equals(endpoint.Address));
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 5300, Level = LogLevel.Information, Message = "MPTCP link {Name} applied with {Members} members ({Context})")]
    private partial void LogApplied(string name, int members, string context);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "MPTCP link {Name} not applied: {Error}")]
    private partial void LogApplyFailed(string name, string error);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "MPTCP link {Name} removed ({Context})")]
    private partial void LogRemoved(string name, string context);

}
