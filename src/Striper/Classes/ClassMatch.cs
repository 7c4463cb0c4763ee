namespace Fleet.Striper.Classes;

/// <summary>
/// A class's match compiled for the sending thread: arrays of parsed prefixes and port ranges and a DSCP bit set, so
/// matching a packet allocates nothing. Built only from a validated <see cref="TrafficMatch"/>.
/// </summary>
internal sealed class ClassMatch
{
    public ClassMatch(TrafficMatch match)
    {
        Protocol = match.Protocol is null ? -1 : MatchSyntax.TryParseProtocol(match.Protocol, out var protocol) ? protocol : throw Invalid("protocol");
        Sources = Prefixes(match.SourcePrefixes);
        Destinations = Prefixes(match.DestinationPrefixes);
        SourcePorts = Ports(match.SourcePorts);
        DestinationPorts = Ports(match.DestinationPorts);
        foreach (var dscp in match.Dscp)
        {
            DscpMask |= 1UL << dscp;
        }
    }

    /// <summary>IP protocol, or -1 for any.</summary>
    public int Protocol { get; }

    public IpPrefix[] Sources { get; }

    public IpPrefix[] Destinations { get; }

    public PortRange[] SourcePorts { get; }

    public PortRange[] DestinationPorts { get; }

    /// <summary>Bit d set for each DSCP value d that matches; 0 for any.</summary>
    public ulong DscpMask { get; }

    /// <summary>Whether every address the packet may have and every other field matches.</summary>
    public bool Matches(in PacketFields packet)
    {
        if (Protocol >= 0 && packet.Protocol != Protocol)
        {
            return false;
        }

        if (DscpMask != 0 && (DscpMask & (1UL << packet.Dscp)) == 0)
        {
            return false;
        }

        if (!AnyPrefix(Sources, packet.Ipv6, packet.Source) || !AnyPrefix(Destinations, packet.Ipv6, packet.Destination))
        {
            return false;
        }

        if (SourcePorts.Length == 0 && DestinationPorts.Length == 0)
        {
            return true;
        }

        return packet.HasPorts && AnyPort(SourcePorts, packet.SourcePort) && AnyPort(DestinationPorts, packet.DestinationPort);
    }

    private static bool AnyPrefix(IpPrefix[] prefixes, bool ipv6, UInt128 address)
    {
        if (prefixes.Length == 0)
        {
            return true;
        }

        foreach (var prefix in prefixes)
        {
            if (prefix.Contains(ipv6, address))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyPort(PortRange[] ranges, int port)
    {
        if (ranges.Length == 0)
        {
            return true;
        }

        foreach (var range in ranges)
        {
            if (range.Contains(port))
            {
                return true;
            }
        }

        return false;
    }

    private static IpPrefix[] Prefixes(IReadOnlyList<string> texts)
    {
        var result = new IpPrefix[texts.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = MatchSyntax.TryParsePrefix(texts[i], out var prefix, out var hostBits) && !hostBits ? prefix : throw Invalid("prefix");
        }

        return result;
    }

    private static PortRange[] Ports(IReadOnlyList<string> texts)
    {
        var result = new PortRange[texts.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = MatchSyntax.TryParsePortRange(texts[i], out var range) ? range : throw Invalid("port range");
        }

        return result;
    }

    private static ArgumentException Invalid(string what) => new($"invalid {what} in a class match (validate the policy first)");
}
