using System.Globalization;
using System.Net;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>
/// Observes MPTCP links for <see cref="MptcpBackend"/>: per member its endpoint, subflows and their RTT and bytes
/// (<c>ss -HMtin</c>), the monitor's subflow events, interface counters; per namespace the <c>MPTcpExt</c> counters;
/// and drift from the applied spec.
/// </summary>
internal sealed class MptcpObserver(KernelContext context, MptcpMonitor monitor, MemberHealthTracker tracker)
{
    private readonly Dictionary<string, LinkCursor> _cursors = new(StringComparer.Ordinal);

    /// <summary>Observes the link with subflows, counters and monitor events.</summary>
    public async Task<MptcpObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken)
    {
        if (!monitor.IsRunning)
        {
            await monitor.EnsureRunningAsync(cancellationToken);
        }

        var drift = new List<string>();
        var (links, linkError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        var addresses = await MptcpHostState.ReadAddressesAsync(context, cancellationToken) ?? [];
        var endpoints = await MptcpHostState.ReadEndpointsAsync(context, cancellationToken) ?? [];
        var limits = await MptcpHostState.ReadLimitsAsync(context, cancellationToken);
        var enabled = (await context.ReadFileAsync("/proc/sys/net/mptcp/enabled", cancellationToken))?.Trim() == "1";

        var ss = await context.RunAsync("ss", ["-HMtin"], cancellationToken: cancellationToken);
        var sockets = ss.Succeeded ? SsMptcpSnapshot.Parse(ss.StandardOutput) : new SsMptcpSnapshot([], []);
        var nstat = await context.RunAsync("nstat", ["-asz", "-j"], cancellationToken: cancellationToken);
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

        var memberAddresses = applied.Members.Select(m => MptcpHostState.ResolveAddress(m, addresses)).ToList();
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
            var state = ObserveMember(member, address, endpoint, subflows, links, address is null ? null : monitor.LastSubflowEvent(address), sockets.Connections.Count > 0);
            members.Add(state);

            var wanted = member.AdminState != MemberAdminState.Disabled;
            if (wanted && address is not null && endpoint is null)
            {
                drift.Add($"no endpoint for {member.Interface} ({address})");
            }
            else if (wanted && endpoint is not null && endpoint.Flags != MptcpEndpoint.FlagsFor(member))
            {
                drift.Add($"endpoint {endpoint.Id} of {member.Interface} has flags {MptcpHostState.Words(endpoint.Flags)}, not {MptcpHostState.Words(MptcpEndpoint.FlagsFor(member))}");
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
        tracker.Record(applied.Name, observations);
        return new MptcpObservation(linkObservation, enabled, limits, endpoints, linkSubflows, sockets.Connections, counters, events, members);
    }

    /// <summary>Forgets a removed link's place in the monitor's events.</summary>
    public void Forget(string linkName)
    {
        lock (_cursors)
        {
            _cursors.Remove(linkName);
        }
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
            endpoint is null ? $"no endpoint for {address}" : $"endpoint {endpoint.Id} {address} {MptcpHostState.Words(endpoint.Flags)}",
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
            var all = monitor.Since(ref cursor.Sequence);
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

    private sealed class LinkCursor
    {
        public long Sequence;
        public readonly HashSet<string> Tokens = new(StringComparer.Ordinal);
    }
}
