namespace Fleet.Striper.Aggregator;

/// <summary>What one lane's workers count before a datagram or packet belongs to a site (each field written by one worker).</summary>
internal sealed class AggregatorCounters
{
    public long Datagrams;
    public long Misrouted;
    public long Truncated;
    public long Malformed;
    public long VersionMismatch;
    public long UnknownSite;
    public long UnknownSession;
    public long BadPathId;
    public long TunPackets;
    public long NoRoute;
}

/// <summary>Every counter of an aggregator and of each of its sites.</summary>
public sealed record AggregatorSnapshot
{
    public required DateTimeOffset Time { get; init; }

    public required string Device { get; init; }

    public required int Mtu { get; init; }

    public required int Port { get; init; }

    /// <summary>Datagrams read from the workers' sockets.</summary>
    public long Datagrams { get; init; }

    /// <summary>
    /// Datagrams of a known site that reached a worker other than the site's: dropped, since only the site's worker may
    /// run its receive loop. Zero while the kernel steers (docs/striper-protocol.md, "Aggregator").
    /// </summary>
    public long Misrouted { get; init; }

    /// <summary>Datagrams that could not be a message (short, another version, bad stream id), dropped before any site saw them.</summary>
    public long Malformed { get; init; }

    /// <summary>Of <see cref="Malformed"/>, hellos of another protocol version.</summary>
    public long VersionMismatch { get; init; }

    /// <summary>Hellos naming a site id the aggregator does not serve: dropped unanswered.</summary>
    public long UnknownSite { get; init; }

    /// <summary>Session datagrams whose tag is no site's session in force: dropped unanswered.</summary>
    public long UnknownSession { get; init; }

    /// <summary>Datagrams of a known site naming a path the site does not have.</summary>
    public long BadPathId { get; init; }

    /// <summary>Sessions refused because their tag was another site's (the handshake then runs again).</summary>
    public long TagCollisions { get; init; }

    /// <summary>Sessions refused because their tag would land on another worker than the site's (the handshake then runs again).</summary>
    public long TagRedraws { get; init; }

    /// <summary>Packets read from the TUN device.</summary>
    public long TunPackets { get; init; }

    /// <summary>Packets read from the TUN device whose destination is in no site's prefixes.</summary>
    public long NoRoute { get; init; }

    /// <summary>Per worker lane: what its receive worker read and its transmit worker read from its TUN queue.</summary>
    public required IReadOnlyList<AggregatorWorkerSnapshot> Workers { get; init; }

    public required IReadOnlyList<AggregatorSiteSnapshot> Sites { get; init; }
}

/// <summary>One worker lane's share of the aggregator's datagrams and TUN packets.</summary>
public sealed record AggregatorWorkerSnapshot(int Index, long Datagrams, long TunPackets);

/// <summary>
/// One site's counters: its link's, as a point-to-point link's, the packets it sent from a source not its own, and the
/// IPv6 link-scoped packets its device sent (router solicitations, MLD reports), dropped as never routable.
/// </summary>
public sealed record AggregatorSiteSnapshot(int Id, long ForeignSource, long LinkScoped, Engine.StriperSnapshot Link)
{
    /// <summary>The lane whose receive worker runs the site's receive loop.</summary>
    public int Worker { get; init; }
}
