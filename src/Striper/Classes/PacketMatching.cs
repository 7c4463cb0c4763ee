using Fleet.Contracts.Links.Classes;

namespace Fleet.Striper.Classes;

/// <summary>Matching a packet's fields against a compiled class match; allocates nothing.</summary>
internal static class PacketMatching
{
    /// <summary>Whether every address the packet may have and every other field matches.</summary>
    public static bool Matches(this ClassMatch match, in PacketFields packet)
    {
        if (match.Protocol >= 0 && packet.Protocol != match.Protocol)
        {
            return false;
        }

        if (match.DscpMask != 0 && (match.DscpMask & (1UL << packet.Dscp)) == 0)
        {
            return false;
        }

        if (!AnyPrefix(match.Sources, packet.Ipv6, packet.Source) || !AnyPrefix(match.Destinations, packet.Ipv6, packet.Destination))
        {
            return false;
        }

        if (match.SourcePorts.Length == 0 && match.DestinationPorts.Length == 0)
        {
            return true;
        }

        return packet.HasPorts && AnyPort(match.SourcePorts, packet.SourcePort) && AnyPort(match.DestinationPorts, packet.DestinationPort);
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
}
