namespace Fleet.Agent.Backends;

/// <summary>
/// The host state a link change can touch beyond the link's own device, captured before the change and put back by a
/// rollback (issue 10): enslaving a member downs it and the kernel flushes its routes, <c>ip route replace default …
/// dev LINK</c> overwrites the host's default route. A backend's removal restores the spec, not the host; this
/// restores the host.
/// </summary>
public interface IHostState
{
    /// <summary>Reads <paramref name="interfaces"/> (whether each exists, up/down, master, MTU, addresses) and the main routing table.</summary>
    /// <exception cref="HostStateException">The state could not be read.</exception>
    Task<HostSnapshot> CaptureAsync(IReadOnlyCollection<string> interfaces, CancellationToken cancellationToken);

    /// <summary>Puts the captured interfaces and their routes (and the default routes) back as they were; null on success, else what failed.</summary>
    Task<string?> RestoreAsync(HostSnapshot snapshot, CancellationToken cancellationToken);
}

/// <summary>The host state could not be read.</summary>
public sealed class HostStateException(string message) : Exception(message);

/// <summary>A capture by <see cref="IHostState"/>; persisted with a pending change so a restarted agent can restore it.</summary>
public sealed record HostSnapshot
{
    /// <summary>An empty capture (hosts without kernel state: the simulated ones).</summary>
    public static HostSnapshot Empty { get; } = new();

    /// <summary>The interfaces, as they were.</summary>
    public IReadOnlyList<InterfaceSnapshot> Interfaces { get; init; } = [];

    /// <summary>The main routing table (IPv4 and IPv6), as it was.</summary>
    public IReadOnlyList<RouteSnapshot> Routes { get; init; } = [];

    /// <summary>
    /// <see cref="Routes"/> holds only some routes (those of <see cref="Of"/>): restoring adds the missing ones back and
    /// deletes none, so the default routes of today are left as they are.
    /// </summary>
    public bool Partial { get; init; }

    /// <summary>
    /// The part of this snapshot about <paramref name="interfaces"/>: those interfaces and the routes through them, the
    /// default routes left out (<see cref="Partial"/>). What releasing an adopted device puts back, however much later.
    /// </summary>
    public HostSnapshot Of(IReadOnlyCollection<string> interfaces) => new()
    {
        Interfaces = [.. Interfaces.Where(i => interfaces.Contains(i.Name))],
        Routes = [.. Routes.Where(r => !r.IsDefault && r.Device is not null && interfaces.Contains(r.Device))],
        Partial = true,
    };

    /// <summary>
    /// This snapshot, plus the interfaces of <paramref name="later"/> it does not have: an earlier snapshot stays the
    /// truth for what it holds (a second unconfirmed change must roll back to the state before the first).
    /// </summary>
    public HostSnapshot Including(HostSnapshot later) => this with
    {
        Interfaces = [.. Interfaces, .. later.Interfaces.Where(l => !Interfaces.Any(i => i.Name == l.Name))],
        Routes = Routes.Count > 0 ? Routes : later.Routes,
    };
}

/// <summary>One interface as it was (properties, not a positional record: Fleet's JSON leaves out null values).</summary>
public sealed record InterfaceSnapshot
{
    /// <summary>Interface name.</summary>
    public required string Name { get; init; }

    /// <summary>False when it did not exist (a device the change creates): nothing to restore.</summary>
    public bool Exists { get; init; }

    /// <summary>Administratively up.</summary>
    public bool Up { get; init; }

    /// <summary>The device it was enslaved to.</summary>
    public string? Master { get; init; }

    /// <summary>Its MTU.</summary>
    public int Mtu { get; init; }

    /// <summary>Its addresses (CIDR), except link-scope and dynamic ones, which the kernel and its daemons make themselves.</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];
}

/// <summary>One route of the main table as it was (the fields <c>ip route</c> needs to put it back).</summary>
public sealed record RouteSnapshot
{
    /// <summary>4 or 6.</summary>
    public required int Family { get; init; }

    /// <summary><c>default</c> or a prefix.</summary>
    public required string Destination { get; init; }

    /// <summary>Next hop.</summary>
    public string? Gateway { get; init; }

    /// <summary>Output device.</summary>
    public string? Device { get; init; }

    /// <summary>Metric, when set.</summary>
    public long? Metric { get; init; }

    /// <summary>Routing protocol (<c>kernel</c>, <c>boot</c>, <c>static</c>, <c>dhcp</c>).</summary>
    public string? Protocol { get; init; }

    /// <summary>Scope, when not global.</summary>
    public string? Scope { get; init; }

    /// <summary>Preferred source address.</summary>
    public string? Source { get; init; }

    /// <summary>The default route of its family.</summary>
    public bool IsDefault => Destination == "default";

    /// <summary>The same route (what the kernel keys it by, and where it goes).</summary>
    public bool SameAs(RouteSnapshot other) =>
        Family == other.Family && Destination == other.Destination && Gateway == other.Gateway && Device == other.Device && (Metric ?? 0) == (other.Metric ?? 0);
}
