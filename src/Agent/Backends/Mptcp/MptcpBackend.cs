using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
    private readonly Dictionary<string, LinkCursor> _cursors = new(StringComparer.Ordinal);

    /// <summary>Creates the backend for one kernel context.</summary>
    public MptcpBackend(KernelContext context, KernelFeatures features, MptcpizeDropIns dropIns, TimeProvider timeProvider, ILogger<MptcpBackend> logger)
    {
        _context = context;
        _features = features;
        _dropIns = dropIns;
        _logger = logger;
        _monitor = new MptcpMonitor(context, timeProvider, logger);
        _tracker = new MemberHealthTracker(timeProvider);
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
    public async Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var addresses = await ReadAddressesAsync(cancellationToken);
            var endpoints = await ReadEndpointsAsync(cancellationToken);
            if (addresses is null || endpoints is null)
            {
                return ApplyResult.Failed(addresses is null ? "ip -j addr show failed" : "ip -j mptcp endpoint show failed");
            }

            var resolved = current.Members.Select(m => ResolveAddress(m, addresses)).OfType<IPAddress>().ToList();
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
            lock (_cursors)
            {
                _cursors.Remove(current.Name);
            }

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
    public async Task<MptcpObservation> ObserveMptcpAsync(LinkSpec applied, CancellationToken cancellationToken)
    {
        if (!_monitor.IsRunning)
        {
            await _monitor.EnsureRunningAsync(cancellationToken);
        }

        var drift = new List<string>();
        var (links, linkError) = await KernelLinks.ReadAllAsync(_context, cancellationToken);
        var addresses = await ReadAddressesAsync(cancellationToken) ?? [];
        var endpoints = await ReadEndpointsAsync(cancellationToken) ?? [];
        var limits = await ReadLimitsAsync(cancellationToken);
        var enabled = (await _context.ReadFileAsync("/proc/sys/net/mptcp/enabled", cancellationToken))?.Trim() == "1";

        var ss = await _context.RunAsync("ss", ["-HMtin"], cancellationToken: cancellationToken);
        var sockets = ss.Succeeded ? SsMptcpSnapshot.Parse(ss.StandardOutput) : new SsMptcpSnapshot([], []);
        var nstat = await _context.RunAsync("nstat", ["-asz", "-j"], cancellationToken: cancellationToken);
        var counters = nstat.Succeeded ? MptcpCounters.ParseNstatJson(nstat.StandardOutput) : new Dictionary<string, long>();

        if (!enabled)
        {
            drift.Add("net.mptcp.enabled is not 1");
        }

        var options = applied.Mptcp ?? new MptcpOptions();
        if (limits is not null && (limits.Subflows != options.SubflowsLimit || limits.AddAddrAccepted != options.AddAddrAcceptedLimit))
        {
            drift.Add($"limits are subflows {limits.Subflows} add_addr_accepted {limits.AddAddrAccepted}, not {options.SubflowsLimit} {options.AddAddrAcceptedLimit}");
        }

        var memberAddresses = applied.Members.Select(m => ResolveAddress(m, addresses)).ToList();
        var events = TakeLinkEvents(applied, memberAddresses.OfType<IPAddress>().ToList());
        var members = new List<MptcpMemberState>();
        var linkSubflows = new List<MptcpSubflowSocket>();
        for (var i = 0; i < applied.Members.Count; i++)
        {
            var member = applied.Members[i];
            var address = memberAddresses[i];
            var endpoint = address is null ? null : endpoints.FirstOrDefault(e => e.Address.Equals(address));
            var subflows = address is null ? [] : sockets.Subflows.Where(s => s.Local.Address.Equals(address)).ToList();
            linkSubflows.AddRange(subflows);
            var state = ObserveMember(member, address, endpoint, subflows, links, address is null ? null : _monitor.LastSubflowEvent(address), sockets.Connections.Count > 0);
            members.Add(state);

            var wanted = member.AdminState != MemberAdminState.Disabled;
            if (wanted && address is not null && endpoint is null)
            {
                drift.Add($"no endpoint for {member.Interface} ({address})");
            }
            else if (wanted && endpoint is not null && endpoint.Flags != MptcpEndpoint.FlagsFor(member))
            {
                drift.Add($"endpoint {endpoint.Id} of {member.Interface} has flags {Words(endpoint.Flags)}, not {Words(MptcpEndpoint.FlagsFor(member))}");
            }
            else if (!wanted && endpoint is not null)
            {
                drift.Add($"{member.Interface} is disabled but has endpoint {endpoint.Id}");
            }
        }

        var exists = links is not null && endpoints.Any(e => memberAddresses.Any(a => a is not null && a.Equals(e.Address)));
        var observations = members.Select(m => new MemberObservation
        {
            Interface = m.Interface,
            Health = m.Health,
            Counters = m.Counters,
            RttMs = m.RttMs,
            Detail = m.Detail,
        }).ToList();
        var linkObservation = new LinkObservation(exists, observations, linkError ?? (drift.Count == 0 ? null : string.Join("; ", drift)));
        _tracker.Record(applied.Name, observations);
        return new MptcpObservation(linkObservation, enabled, limits, endpoints, linkSubflows, sockets.Connections, counters, events, members);
    }

    /// <summary>Stops the monitor; idempotent (the service provider disposes it once per registration).</summary>
    public async ValueTask DisposeAsync()
    {
        await _monitor.DisposeAsync();
        _gate.Dispose();
    }

    private async Task<string?> ApplyCoreAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
    {
        var addresses = await ReadAddressesAsync(cancellationToken);
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

            var address = ResolveAddress(member, addresses);
            if (address is null)
            {
                return member.Address is null
                    ? $"member {member.Interface} has no global address to use as its MPTCP endpoint"
                    : $"{member.Address} is not an address of {member.Interface}";
            }

            plan.Add((member, address, MptcpEndpoint.FlagsFor(member)));
        }

        var endpoints = await ReadEndpointsAsync(cancellationToken);
        var limits = await ReadLimitsAsync(cancellationToken);
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

    private MptcpMemberState ObserveMember(
        MemberSpec member,
        IPAddress? address,
        MptcpEndpoint? endpoint,
        List<MptcpSubflowSocket> subflows,
        IReadOnlyDictionary<string, IpLink>? links,
        MptcpEvent? lastEvent,
        bool anyConnection)
    {
        var established = subflows.Where(s => s.IsEstablished).ToList();
        var counters = links is not null && links.TryGetValue(member.Interface, out var found) ? found.Statistics?.ToMemberCounters() ?? default : default;
        var rtt = established.Where(s => s.RttMs is not null).Select(s => s.RttMs!.Value).DefaultIfEmpty().Min();
        var state = new MptcpMemberState
        {
            Interface = member.Interface,
            Health = MemberHealth.Up,
            Address = address,
            Endpoint = endpoint,
            Subflows = established.Count,
            BackupSubflows = established.Count(s => s.LocalBackup || s.RemoteBackup),
            RttMs = established.Count > 0 ? rtt : null,
            SubflowBytesSent = (ulong)established.Sum(s => (decimal)s.BytesSent),
            SubflowBytesReceived = (ulong)established.Sum(s => (decimal)s.BytesReceived),
            LastSubflowEvent = lastEvent,
            Counters = counters,
            Detail = "",
        };

        if (links is null || !links.TryGetValue(member.Interface, out var link))
        {
            return state with { Health = MemberHealth.Down, Detail = "interface does not exist" };
        }

        if (member.AdminState == MemberAdminState.Disabled)
        {
            return state with { Health = MemberHealth.Down, Detail = "disabled by the spec" };
        }

        if (!link.IsUp || !link.HasCarrier)
        {
            return state with { Health = MemberHealth.Down, Detail = link.IsUp ? "no carrier" : "interface down" };
        }

        if (address is null)
        {
            return state with { Health = MemberHealth.Down, Detail = "no address" };
        }

        var parts = new List<string>
        {
            endpoint is null ? $"no endpoint for {address}" : $"endpoint {endpoint.Id} {address} {Words(endpoint.Flags)}",
            established.Count == 1 ? "1 subflow" : $"{established.Count} subflows",
        };
        if (state.BackupSubflows > 0)
        {
            parts.Add($"{state.BackupSubflows} backup");
        }

        if (state.RttMs is { } ms)
        {
            parts.Add($"rtt {ms.ToString("0.###", CultureInfo.InvariantCulture)} ms");
        }

        var health = MemberHealth.Up;
        if (endpoint is null)
        {
            health = MemberHealth.Degraded;
        }
        else if (lastEvent is { Type: "SF_CLOSED" } closed && established.Count == 0 && anyConnection && closed.Error is > 0)
        {
            // The monitor saw this member's last subflow die with an error and nothing replaced it.
            health = MemberHealth.Degraded;
            parts.Add($"subflow to {closed.RemoteAddress} closed (error {closed.Error})");
        }
        else if (lastEvent is not null)
        {
            parts.Add($"last event {lastEvent.Type} {lastEvent.LocalAddress}->{lastEvent.RemoteAddress}");
        }

        return state with { Health = health, Detail = string.Join(", ", parts) };
    }

    private List<MptcpEvent> TakeLinkEvents(LinkSpec applied, IReadOnlyList<IPAddress> memberAddresses)
    {
        LinkCursor cursor;
        lock (_cursors)
        {
            if (!_cursors.TryGetValue(applied.Name, out cursor!))
            {
                cursor = new LinkCursor();
                _cursors[applied.Name] = cursor;
            }
        }

        lock (cursor)
        {
            var all = _monitor.Since(ref cursor.Sequence);
            var mine = new List<MptcpEvent>();
            foreach (var monitorEvent in all)
            {
                var ours = monitorEvent.LocalAddress is { } local && memberAddresses.Any(a => a.Equals(local));
                if (ours && monitorEvent.Token is { } token)
                {
                    cursor.Tokens.Add(token);
                }

                if (ours || (monitorEvent.Token is { } t && cursor.Tokens.Contains(t)))
                {
                    mine.Add(monitorEvent);
                }

                if (monitorEvent.Type == "CLOSED" && monitorEvent.Token is { } closedToken)
                {
                    cursor.Tokens.Remove(closedToken);
                }
            }

            return mine;
        }
    }

    private static bool IsOurs(MptcpEndpoint endpoint, LinkSpec spec, LinkSpec? other, IReadOnlyList<IPAddress> resolved)
    {
        var members = spec.Members.Concat(other?.Members ?? []);
        return members.Any(m => m.Interface == endpoint.Device || (m.Address is not null && IPAddress.TryParse(m.Address, out var a) && a.Equals(endpoint.Address)))
            || resolved.Any(a => a.Equals(endpoint.Address));
    }

    private static IPAddress? ResolveAddress(MemberSpec member, IReadOnlyList<IpAddressEntry> addresses)
    {
        var own = addresses.Where(a => a.Interface == member.Interface).ToList();
        if (member.Address is not null)
        {
            return IPAddress.TryParse(member.Address, out var wanted) && own.Any(a => a.Address.Equals(wanted)) ? wanted : null;
        }

        return own.FirstOrDefault(a => a.Scope == "global" && a.Address.AddressFamily == AddressFamily.InterNetwork)?.Address
            ?? own.FirstOrDefault(a => a.Scope == "global")?.Address;
    }

    private async Task<IReadOnlyList<IpAddressEntry>?> ReadAddressesAsync(CancellationToken cancellationToken)
    {
        var result = await _context.IpAsync(["-j", "addr", "show"], cancellationToken);
        return result.Succeeded ? IpAddressEntry.ParseList(result.StandardOutput) : null;
    }

    private async Task<IReadOnlyList<MptcpEndpoint>?> ReadEndpointsAsync(CancellationToken cancellationToken)
    {
        var result = await _context.IpAsync(["-j", "mptcp", "endpoint", "show"], cancellationToken);
        return result.Succeeded ? MptcpEndpoint.ParseList(result.StandardOutput) : null;
    }

    private async Task<MptcpLimits?> ReadLimitsAsync(CancellationToken cancellationToken)
    {
        var result = await _context.IpAsync(["mptcp", "limits", "show"], cancellationToken);
        return result.Succeeded ? MptcpLimits.Parse(result.StandardOutput) : null;
    }

    private static string Words(MptcpEndpointFlags flags) => string.Join(',', MptcpEndpoint.Words(flags));

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 5300, Level = LogLevel.Information, Message = "MPTCP link {Name} applied with {Members} members ({Context})")]
    private partial void LogApplied(string name, int members, string context);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "MPTCP link {Name} not applied: {Error}")]
    private partial void LogApplyFailed(string name, string error);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "MPTCP link {Name} removed ({Context})")]
    private partial void LogRemoved(string name, string context);

    private sealed class LinkCursor
    {
        public long Sequence;
        public readonly HashSet<string> Tokens = new(StringComparer.Ordinal);
    }
}
