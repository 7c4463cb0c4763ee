using Fleet.Striper.Crypto;
using Fleet.Striper.Paths;
using Fleet.Striper.Tun;

namespace Fleet.Striper.Engine;

/// <summary>Whether an inner packet a site sent may enter the host's TUN device.</summary>
internal interface IInboundSourceCheck
{
    /// <summary>True when <paramref name="packet"/>'s source address is one the site owns.</summary>
    bool Allows(ReadOnlySpan<byte> packet);
}

/// <summary>
/// What a host (the aggregator, docs/striper-protocol.md, "Aggregator") gives an engine it runs for one site: the
/// shared TUN device and UDP socket, the site id, and its say on sessions and inner sources. Such an engine starts no
/// thread and closes neither device nor socket: the host's workers drive its loops
/// (<see cref="Receiving.ReceiveLoop.OnDatagram"/>, <see cref="Receiving.ReceiveLoop.Service"/>,
/// <see cref="TransmitLoop.Send"/>, <see cref="ControlLoop.Tick"/>).
/// </summary>
internal sealed class EngineHosting
{
    /// <summary>The site id, carried in both ends' hellos.</summary>
    public required uint SiteId { get; init; }

    /// <summary>The TUN device every site shares.</summary>
    public required TunDevice Tun { get; init; }

    /// <summary>The UDP socket every path of every site shares.</summary>
    public required UdpPathSocket Socket { get; init; }

    /// <summary>
    /// Called (under the handshake lock) with a new session's keys before they are put in force; false when its
    /// receive tag is taken by another site's session, so datagrams could not be routed to it by tag.
    /// </summary>
    public required Func<SessionKeys, bool> ClaimSession { get; init; }

    /// <summary>
    /// Whether a receive tag lands on the site's lane, or null with one lane: the handshake then answers each site
    /// hello with a random whose tag fits (<see cref="ResponderRandoms"/>), so <see cref="ClaimSession"/> refuses a
    /// session for its lane only when no candidate fitted.
    /// </summary>
    public Func<uint, bool>? TagFits { get; init; }

    /// <summary>Checks the source of every packet the site sends before it is written to the TUN device.</summary>
    public required IInboundSourceCheck Sources { get; init; }
}
