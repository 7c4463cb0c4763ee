namespace Fleet.Contracts.Links.Classes;

/// <summary>
/// A class's match compiled for the striper's sending thread and for the validator's coverage check: arrays of parsed prefixes and port ranges and a DSCP bit set, so
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
