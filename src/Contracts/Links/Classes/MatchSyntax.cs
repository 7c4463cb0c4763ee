using System.Globalization;
using System.Net.Sockets;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Links.Classes;

/// <summary>A network in CIDR form: an IPv4 address in the low 32 bits, or an IPv6 address, and a prefix length.</summary>
internal readonly record struct IpPrefix(bool Ipv6, UInt128 Address, int Length)
{
    private int Bits => Ipv6 ? 128 : 32;

    /// <summary>Whether <paramref name="address"/> (of the same family) lies in the network.</summary>
    public bool Contains(bool ipv6, UInt128 address) =>
        ipv6 == Ipv6 && (Length == 0 || ((address ^ Address) >> (Bits - Length)) == UInt128.Zero);

    /// <summary>Whether every address of <paramref name="other"/> lies in this network.</summary>
    public bool Covers(IpPrefix other) => other.Ipv6 == Ipv6 && other.Length >= Length && Contains(other.Ipv6, other.Address);

    public override string ToString() => $"{(Ipv6 ? "v6" : "v4")} {Address:X}/{Length}";
}

/// <summary>An inclusive range of ports.</summary>
internal readonly record struct PortRange(int Low, int High)
{
    public bool Contains(int port) => port >= Low && port <= High;

    public bool Overlaps(PortRange other) => Low <= other.High && other.Low <= High;
}

/// <summary>
/// The syntax of a class match's fields (protocol names, prefixes, port ranges), one implementation for the validator
/// and for the compiled matcher.
/// </summary>
internal static class MatchSyntax
{
    public const int ProtocolIcmp = 1;
    public const int ProtocolTcp = 6;
    public const int ProtocolUdp = 17;
    public const int ProtocolIcmpv6 = 58;

    /// <summary>Parses <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c> or a number 0–255.</summary>
    public static bool TryParseProtocol(string? text, out int protocol)
    {
        protocol = text switch
        {
            "tcp" => ProtocolTcp,
            "udp" => ProtocolUdp,
            "icmp" => ProtocolIcmp,
            "icmpv6" => ProtocolIcmpv6,
            _ => -1,
        };
        if (protocol >= 0)
        {
            return true;
        }

        return text is { Length: > 0 and <= 3 } && !(text.Length > 1 && text[0] == '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out protocol) && protocol <= 255;
    }

    /// <summary>Parses a network in CIDR form; false for anything else, and for an address with host bits set.</summary>
    public static bool TryParsePrefix(string? text, out IpPrefix prefix, out bool hostBits)
    {
        prefix = default;
        hostBits = false;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash <= 0 || slash == text.Length - 1 || !StrictIp.TryParse(text[..slash], out var address))
        {
            return false;
        }

        var lengthText = text.AsSpan(slash + 1);
        if (lengthText.Length > 3 || (lengthText.Length > 1 && lengthText[0] == '0')
            || !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return false;
        }

        var ipv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var bits = ipv6 ? 128 : 32;
        if (length > bits)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        var value = UInt128.Zero;
        for (var i = 0; i < written; i++)
        {
            value = (value << 8) | bytes[i];
        }

        var hostMask = length == bits ? UInt128.Zero : (UInt128.One << (bits - length)) - UInt128.One;
        hostBits = (value & hostMask) != UInt128.Zero;
        prefix = new IpPrefix(ipv6, value & ~hostMask, length);
        return true;
    }

    /// <summary>Parses <c>5060</c> or <c>10000-20000</c> (ports 0–65535, low ≤ high).</summary>
    public static bool TryParsePortRange(string? text, out PortRange range)
    {
        range = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            if (!TryParsePort(text, out var port))
            {
                return false;
            }

            range = new PortRange(port, port);
            return true;
        }

        if (!TryParsePort(text[..dash], out var low) || !TryParsePort(text[(dash + 1)..], out var high) || low > high)
        {
            return false;
        }

        range = new PortRange(low, high);
        return true;
    }

    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && !(text.Length > 1 && text[0] == '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
    }
}
