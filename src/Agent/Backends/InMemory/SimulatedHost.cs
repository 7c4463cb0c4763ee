using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;

namespace Fleet.Agent.Backends.InMemory;

/// <summary>
/// A host that exists only in memory: named interfaces with realistic, deterministic traffic, and the links the
/// <see cref="InMemoryBackend"/>s created on it. Tests use its hooks to make an apply fail, cut a member, or change
/// a link "by hand" (drift).
/// </summary>
public sealed class SimulatedHost
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemberTraffic> _interfaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkSpec> _links = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tampered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemberTraffic> _sitePaths = new(StringComparer.Ordinal);
    private readonly SimulatedHostOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates a host named <paramref name="hostname"/> with <paramref name="interfaces"/>.</summary>
    public SimulatedHost(string hostname, IEnumerable<string> interfaces, SimulatedHostOptions? options = null, TimeProvider? time = null)
    {
        Hostname = hostname;
        _options = options ?? new SimulatedHostOptions();
        _time = time ?? TimeProvider.System;
        var start = _time.GetUtcNow();
        foreach (var name in interfaces)
        {
            _interfaces[name] = new MemberTraffic(name, StableSeed(_options.Seed, hostname, name), _options, start);
        }
    }

    /// <summary>The host's name.</summary>
    public string Hostname { get; }

    /// <summary>The kernel release it reports.</summary>
    public string KernelVersion => _options.KernelVersion;

    /// <summary>Its interfaces, in creation order.</summary>
    public IReadOnlyList<string> Interfaces => [.. _interfaces.Keys];

    /// <summary>How many applies changed the host (an idempotent re-apply does not count).</summary>
    public int ChangeCount { get; private set; }

    /// <summary>When set, returns an error for a spec the host should fail to apply (a test hook).</summary>
    public Func<LinkSpec, string?>? FailApply { get; set; }

    /// <summary>Called after <see cref="SetMemberDown"/> changed a member, as a real backend reports a health change at once.</summary>
    public Action? HealthChanged { get; set; }

    /// <summary>The links on the host now, by device name.</summary>
    public IReadOnlyDictionary<string, LinkSpec> Links
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, LinkSpec>(_links, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Whether the host can run <paramref name="kind"/>.</summary>
    public BackendAvailability Availability(LinkKind kind) =>
        _options.UnavailableKinds.TryGetValue(kind, out var reason) ? BackendAvailability.No(reason) : BackendAvailability.Yes;

    /// <summary>Cuts (or restores) a member, as if its cable were pulled.</summary>
    public void SetMemberDown(string interfaceName, bool down)
    {
        lock (_gate)
        {
            _interfaces[interfaceName].ForcedDown = down;
        }

        HealthChanged?.Invoke();
    }

    /// <summary>Someone changed <paramref name="linkName"/> by hand: the backend reports <paramref name="description"/> as drift until the link is re-applied.</summary>
    public void Tamper(string linkName, string description)
    {
        lock (_gate)
        {
            _tampered[linkName] = description;
        }
    }

    /// <summary>Someone deleted <paramref name="linkName"/> by hand.</summary>
    public void DeleteByHand(string linkName)
    {
        lock (_gate)
        {
            _links.Remove(linkName);
        }
    }

    internal ApplyResult Apply(LinkKind kind, LinkSpec? current, LinkSpec desired)
    {
        lock (_gate)
        {
            var availability = Availability(kind);
            if (!availability.Available)
            {
                return ApplyResult.Failed(availability.Reason ?? $"{kind} is not available");
            }

            if (FailApply?.Invoke(desired) is { } error)
            {
                return ApplyResult.Failed(error);
            }

            foreach (var member in desired.Members)
            {
                if (!_interfaces.ContainsKey(member.Interface))
                {
                    return ApplyResult.Failed($"Cannot find device \"{member.Interface}\"");
                }

                foreach (var (name, link) in _links)
                {
                    if (name != desired.Name && name != current?.Name && link.Members.Any(m => m.Interface == member.Interface))
                    {
                        return ApplyResult.Failed($"{member.Interface} is already a member of {name}");
                    }
                }
            }

            if (current is not null && current.Name != desired.Name)
            {
                _links.Remove(current.Name);
            }

            var unchanged = _links.TryGetValue(desired.Name, out var existing) && LinkSpecEquality.AreEquivalent(existing, desired) && !_tampered.ContainsKey(desired.Name);
            if (!unchanged)
            {
                _links[desired.Name] = desired;
                _tampered.Remove(desired.Name);
                ChangeCount++;
            }

            return ApplyResult.Ok;
        }
    }

    internal ApplyResult Remove(LinkSpec current)
    {
        lock (_gate)
        {
            if (_links.Remove(current.Name))
            {
                ChangeCount++;
            }

            _tampered.Remove(current.Name);
            return ApplyResult.Ok;
        }
    }

    internal LinkObservation Observe(LinkSpec applied)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var exists = _links.TryGetValue(applied.Name, out var actual);
            string? drift = null;
            if (!exists)
            {
                drift = $"{applied.Name} does not exist on the host";
            }
            else if (_tampered.TryGetValue(applied.Name, out var tampered))
            {
                drift = tampered;
            }
            else if (!LinkSpecEquality.AreEquivalent(actual, applied))
            {
                drift = $"{applied.Name} on the host differs from the applied spec";
            }

            var members = applied.Members;
            var traffic = new MemberTraffic?[members.Count];
            for (var i = 0; i < members.Count; i++)
            {
                traffic[i] = _interfaces.GetValueOrDefault(members[i].Interface);
                traffic[i]?.RollFailures(now, _options);
            }

            var carrying = Carrying(applied, traffic, now, exists);
            double carryingCapacity = 0;
            double demand = 0;
            for (var i = 0; i < members.Count; i++)
            {
                if (traffic[i] is { } t && members[i].AdminState != MemberAdminState.Disabled)
                {
                    demand += Capacity(members[i], t) * t.Utilization(now) / members.Count;
                }

                if (carrying[i])
                {
                    carryingCapacity += Capacity(members[i], traffic[i]!);
                }
            }

            var observations = new MemberObservation[members.Count];
            var rtts = new List<double>();
            for (var i = 0; i < members.Count; i++)
            {
                var t = traffic[i];
                if (t is null)
                {
                    observations[i] = new MemberObservation { Interface = members[i].Interface, Health = MemberHealth.Down, Detail = "no such interface" };
                    continue;
                }

                var share = carrying[i] && carryingCapacity > 0 ? Capacity(members[i], t) / carryingCapacity : 0;
                t.Advance(now, Math.Min(Capacity(members[i], t), demand * members.Count * share), carrying[i]);
                if (carrying[i])
                {
                    rtts.Add(t.RttMs);
                }
            }

            // The striper's resequencing buffer holds packets for as long as the paths' delays differ.
            var spread = rtts.Count > 1 ? rtts.Max() - rtts.Min() : 0;
            for (var i = 0; i < members.Count; i++)
            {
                if (traffic[i] is not { } t)
                {
                    continue;
                }

                var down = t.IsDown(now) || !exists;
                var reorder = applied.Kind == LinkKind.Striper && carrying[i] ? (int)Math.Min(512, spread * 0.8) + t.NextInt(4) : 0;
                observations[i] = new MemberObservation
                {
                    Interface = t.Name,
                    Health = exists ? t.Health(now) : MemberHealth.Down,
                    Counters = new MemberCounters(t.TxBytes, t.RxBytes, t.TxPackets, t.RxPackets, t.TxDrops, t.RxDrops, t.Errors),
                    ReorderDepth = reorder,
                    ReorderDepthMax = reorder + (reorder > 0 ? t.NextInt(reorder + 1) : 0),
                    RttMs = down ? null : Math.Round(t.RttMs, 2),
                    LossPercent = down ? null : Math.Round(t.LossPercent, 3),
                    Detail = t.ForcedDown ? "carrier lost" : t.IsDown(now) ? "simulated outage" : null,
                };
            }

            return new LinkObservation(exists, applied.Kind == LinkKind.Aggregator && exists ? [.. observations, .. SiteMembers(applied, now)] : observations, drift);
        }
    }

    /// <summary>
    /// An aggregator's sites as its real backend reports them (docs/aggregator.md, "Watching it"): per site a session
    /// member <c>s{id}</c> and one member per path <c>s{id}.{path}</c>, each path with its own simulated traffic, so the
    /// demo's aggregator page has live per-site data. A session is up while one of its paths is.
    /// </summary>
    private IEnumerable<MemberObservation> SiteMembers(LinkSpec applied, DateTimeOffset now)
    {
        foreach (var site in applied.Aggregator?.Sites ?? [])
        {
            var paths = new List<MemberObservation>(site.Paths);
            for (var index = 0; index < site.Paths; index++)
            {
                var name = AggregatorSiteMembers.Path(site.Id, index);
                if (!_sitePaths.TryGetValue(name, out var traffic))
                {
                    traffic = new MemberTraffic(name, StableSeed(_options.Seed, Hostname, name), _options, now);
                    _sitePaths[name] = traffic;
                }

                traffic.RollFailures(now, _options);
                var down = traffic.IsDown(now);
                traffic.Advance(now, traffic.CapacityBitsPerSecond * traffic.Utilization(now), carrying: true);
                paths.Add(new MemberObservation
                {
                    Interface = name,
                    Health = traffic.Health(now),
                    Counters = new MemberCounters(traffic.TxBytes, traffic.RxBytes, traffic.TxPackets, traffic.RxPackets, traffic.TxDrops, traffic.RxDrops, traffic.Errors),
                    RttMs = down ? null : Math.Round(traffic.RttMs, 2),
                    LossPercent = down ? null : Math.Round(traffic.LossPercent, 3),
                });
            }

            var up = paths.Exists(p => p.Health != MemberHealth.Down);
            yield return new MemberObservation
            {
                Interface = AggregatorSiteMembers.Session(site.Id),
                Health = up ? MemberHealth.Up : MemberHealth.Down,
                Counters = new MemberCounters(0, 0, 0, 0, 0, 0, 0),
                Detail = up ? $"site {site.Id}: session established" : $"site {site.Id}: no session",
            };
            foreach (var path in paths)
            {
                yield return path;
            }
        }
    }

    private static bool[] Carrying(LinkSpec spec, MemberTraffic?[] traffic, DateTimeOffset now, bool exists)
    {
        var carrying = new bool[spec.Members.Count];
        if (!exists)
        {
            return carrying;
        }

        var any = false;
        for (var i = 0; i < carrying.Length; i++)
        {
            carrying[i] = spec.Members[i].AdminState == MemberAdminState.Active && traffic[i] is { } t && !t.IsDown(now);
            any |= carrying[i];
        }

        if (!any)
        {
            for (var i = 0; i < carrying.Length; i++)
            {
                carrying[i] = spec.Members[i].AdminState == MemberAdminState.Backup && traffic[i] is { } t && !t.IsDown(now);
            }
        }

        // Active-backup bonds send on one member: the primary when it can, else the first that can.
        var oneActive = spec.Kind == LinkKind.Bond && spec.Bond?.Mode == BondMode.ActiveBackup;
        if (oneActive)
        {
            var primary = spec.Bond?.Primary is { } p ? Array.FindIndex(spec.Members.ToArray(), m => m.Interface == p) : -1;
            var chosen = primary >= 0 && carrying[primary] ? primary : Array.IndexOf(carrying, true);
            for (var i = 0; i < carrying.Length; i++)
            {
                carrying[i] = i == chosen;
            }
        }

        return carrying;
    }

    private static double Capacity(MemberSpec member, MemberTraffic traffic) =>
        member.RateBitsPerSecond is > 0 ? member.RateBitsPerSecond.Value : traffic.CapacityBitsPerSecond;

    /// <summary>FNV-1a over the names: string.GetHashCode differs between processes.</summary>
    private static int StableSeed(int seed, string host, string name)
    {
        var hash = 2166136261u ^ (uint)seed;
        foreach (var c in host + "/" + name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}
