using System.Buffers.Binary;
using System.Net;
using System.Text.RegularExpressions;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Links.Pairs;

/// <summary>
/// The rule that turns a pair's spec into its two ends: two ordinary per-host striper specs with the same key and
/// options, the paths' members in the pair's order, the listening end of each path with its address and a port, the
/// other end dialing that address and port. Pure: the caller supplies the hosts (for their inventory), the key and
/// the ports already in use. A site-to-aggregator link (one aggregator, many sites) is one such pair per site, each
/// picking its ports among the aggregator's others.
/// </summary>
public static partial class StriperPairEnds
{
    /// <summary>The first port a listening end is given; the next free one above it after that.</summary>
    public const int FirstPort = 7000;

    /// <summary>Where the Api picks a pair's /30 tunnel when the spec names none.</summary>
    public static readonly IPAddress TunnelPool = IPAddress.Parse("10.99.0.0");

    private const int TunnelPoolBlocks = 1 << 14; // a /16 of /30s

    /// <summary>The two ends' specs, or the field errors (under <c>spec.</c>) of paths that could not connect.</summary>
    /// <param name="spec">The pair's spec, its tunnel addresses filled in.</param>
    /// <param name="a">End A's host.</param>
    /// <param name="b">End B's host.</param>
    /// <param name="key">The shared key, in clear.</param>
    /// <param name="ports">Which port each path's listening end gets.</param>
    /// <param name="errors">Where a path that cannot connect is reported.</param>
    public static (LinkSpec A, LinkSpec B)? Build(
        LinkPairSpec spec, HostEntity a, HostEntity b, string key, IReadOnlyList<int> ports, Dictionary<string, string[]> errors)
    {
        var errorsBefore = errors.Count;
        var aMembers = new List<MemberSpec>();
        var bMembers = new List<MemberSpec>();
        for (var i = 0; i < spec.Paths.Count; i++)
        {
            var path = spec.Paths[i];
            var (listenerHost, listener, dialer) = path.Listener == LinkPairSide.A ? (a, path.A, path.B) : (b, path.B, path.A);
            var side = path.Listener == LinkPairSide.A ? "a" : "b";
            var address = ListenerAddress(listenerHost, listener, $"spec.paths[{i}].{side}", errors);
            var shared = new MemberSpec
            {
                Interface = "",
                AdminState = path.AdminState,
                Weight = path.Weight,
                RateBitsPerSecond = path.RateBitsPerSecond,
                LagMilliseconds = path.LagMilliseconds,
            };
            var listening = shared with { Interface = listener.Interface, Address = address?.ToString(), LocalPort = ports[i] };
            var dialing = shared with
            {
                Interface = dialer.Interface,
                Address = dialer.Address,
                Peer = address is null ? null : new IPEndPoint(address, ports[i]).ToString(),
            };
            aMembers.Add(path.Listener == LinkPairSide.A ? listening : dialing);
            bMembers.Add(path.Listener == LinkPairSide.A ? dialing : listening);
        }

        if (errors.Count > errorsBefore)
        {
            return null;
        }

        var striper = Options(spec.Striper, key);
        return (End(spec, spec.A, aMembers, striper), End(spec, spec.B, bMembers, striper));
    }

    /// <summary>
    /// The port of each path's listening end: the one it has in <paramref name="current"/> (the listening end's spec
    /// today, when the path keeps its listener and interface), else the lowest free one from <see cref="FirstPort"/>
    /// among <paramref name="usedOnA"/> and <paramref name="usedOnB"/> (the other links' ports on each host).
    /// </summary>
    public static IReadOnlyList<int> Ports(LinkPairSpec spec, (LinkSpec A, LinkSpec B)? current, ISet<int> usedOnA, ISet<int> usedOnB)
    {
        var ports = new int[spec.Paths.Count];
        var kept = new List<(int Path, int Port)>();
        for (var i = 0; i < spec.Paths.Count; i++)
        {
            var path = spec.Paths[i];
            var (listener, was) = path.Listener == LinkPairSide.A ? (path.A, current?.A) : (path.B, current?.B);
            if (was?.Members.FirstOrDefault(m => m.Interface == listener.Interface)?.LocalPort is { } port)
            {
                kept.Add((i, port));
            }
        }

        foreach (var (path, port) in kept)
        {
            ports[path] = port;
            (spec.Paths[path].Listener == LinkPairSide.A ? usedOnA : usedOnB).Add(port);
        }

        for (var i = 0; i < spec.Paths.Count; i++)
        {
            if (ports[i] != 0)
            {
                continue;
            }

            var used = spec.Paths[i].Listener == LinkPairSide.A ? usedOnA : usedOnB;
            var port = FirstPort;
            while (used.Contains(port))
            {
                port++;
            }

            used.Add(port);
            ports[i] = port;
        }

        return ports;
    }

    /// <summary>The first /30 of <see cref="TunnelPool"/> neither of whose host addresses is in <paramref name="used"/>: (.1, .2).</summary>
    public static (string A, string B)? FreeTunnel(ISet<IPAddress> used)
    {
        var pool = BinaryPrimitives.ReadUInt32BigEndian(TunnelPool.GetAddressBytes());
        for (uint block = 0; block < TunnelPoolBlocks; block++)
        {
            var first = Address(pool + (block * 4) + 1);
            var second = Address(pool + (block * 4) + 2);
            if (!used.Contains(first) && !used.Contains(second))
            {
                return ($"{first}/30", $"{second}/30");
            }
        }

        return null;
    }

    /// <summary>The addresses (no prefix) of a spec's tunnel device.</summary>
    public static IEnumerable<IPAddress> TunnelAddresses(LinkSpec spec) =>
        spec.Addresses.Select(a => StrictIp.TryParse(a.Split('/')[0], out var ip) ? ip : null).OfType<IPAddress>();

    /// <summary>Where the errors of an end's spec (<c>members[1].weight</c>) sit in the pair's request (<c>spec.paths[1].weight</c>).</summary>
    public static string RequestPath(string endPath, LinkPairSide side)
    {
        var end = side == LinkPairSide.A ? "a" : "b";
        if (endPath.StartsWith("addresses", StringComparison.Ordinal))
        {
            return $"spec.{end}.tunnelAddress";
        }

        var member = MemberPath().Match(endPath);
        if (!member.Success)
        {
            return endPath.Length == 0 ? "spec" : "spec." + endPath;
        }

        var field = member.Groups["field"].Value;
        return field is "interface" or "address" or "localPort" or "peer"
            ? $"spec.paths[{member.Groups["index"].Value}].{end}"
            + (field is "interface" or "address" ? "." + field : "")
            : $"spec.paths[{member.Groups["index"].Value}]{(field.Length == 0 ? "" : "." + field)}";
    }

    private static LinkSpec End(LinkPairSpec spec, LinkPairEnd end, List<MemberSpec> members, StriperOptions striper) => new()
    {
        Kind = LinkKind.Striper,
        Name = spec.Name,
        Members = members,
        Addresses = end.TunnelAddress is { } tunnel ? [tunnel] : [],
        Mtu = spec.Mtu,
        ConfirmTimeoutSeconds = spec.ConfirmTimeoutSeconds,
        Striper = striper,
    };

    /// <summary>The striper's options from a request's (absent fields the striper's defaults) with <paramref name="key"/>.</summary>
    internal static StriperOptions Options(LinkPairStriperOptions? options, string key)
    {
        var striper = new StriperOptions { Key = key };
        if (options is null)
        {
            return striper;
        }

        return striper with
        {
            Scheduler = options.Scheduler ?? striper.Scheduler,
            SchedulerParameters = options.SchedulerParameters ?? striper.SchedulerParameters,
            Cipher = options.Cipher ?? striper.Cipher,
            ProbeIntervalMs = options.ProbeIntervalMs ?? striper.ProbeIntervalMs,
            MaxHoldMs = options.MaxHoldMs ?? striper.MaxHoldMs,
            RekeyIntervalSeconds = options.RekeyIntervalSeconds ?? striper.RekeyIntervalSeconds,
            DownAfterMissedProbes = options.DownAfterMissedProbes ?? striper.DownAfterMissedProbes,
            UpAfterProbes = options.UpAfterProbes ?? striper.UpAfterProbes,
            DegradedLossPercent = options.DegradedLossPercent ?? striper.DegradedLossPercent,
        };
    }

    /// <summary>
    /// The address the dialing end sends to: the member's own, else its interface's first address in its host's
    /// inventory. Without one the path cannot connect, which is the caller's error.
    /// </summary>
    internal static IPAddress? ListenerAddress(HostEntity host, LinkPairMember member, string path, Dictionary<string, string[]> errors)
    {
        if (member.Address is { } given)
        {
            if (StrictIp.TryParse(given, out var ip))
            {
                return ip;
            }

            errors[path + ".address"] = ["must be an IPv4 or IPv6 address without a prefix"];
            return null;
        }

        var inventory = host.Interfaces?.FirstOrDefault(i => i.Name == member.Interface);
        var first = inventory?.Addresses
            .Select(a => StrictIp.TryParse(a.Split('/')[0], out var ip) ? ip : null)
            .FirstOrDefault(ip => ip is not null && !ip.IsIPv6LinkLocal);
        if (first is not null)
        {
            return first;
        }

        errors[path + ".address"] =
        [
            inventory is null
                ? $"host '{host.Name}' has reported no interface '{member.Interface}': the path cannot connect without the listening end's address; give it here"
                : $"interface '{member.Interface}' of host '{host.Name}' has no address: the path cannot connect without the listening end's address; give it here",
        ];
        return null;
    }

    private static IPAddress Address(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    [GeneratedRegex(@"^members\[(?<index>\d+)\]\.?(?<field>[A-Za-z]*)")]
    private static partial Regex MemberPath();
}
