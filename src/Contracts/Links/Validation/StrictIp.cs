using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fleet.Contracts.Links.Validation;

/// <summary>
/// IP address parsing without the legacy forms <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> accepts
/// (<c>10.1</c>, <c>0x0a.0.0.1</c>, octal, a bare integer, IPv6 scope ids): what an operator writes is what iproute2
/// and the kernel will be given.
/// </summary>
public static class StrictIp
{
    /// <summary>Parses a dotted-quad IPv4 or a textual IPv6 address without scope id.</summary>
    public static bool TryParse(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text) || text.Length > 45 || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                address = v6;
                return true;
            }

            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')
                || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var octet) || octet > 255)
            {
                return false;
            }
        }

        address = IPAddress.Parse(text);
        return true;
    }

    /// <summary>Parses <c>a.b.c.d:port</c> or <c>[v6]:port</c> with a port 1–65535.</summary>
    public static bool TryParseEndpoint(string? text, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.None, 0);
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            port = text[(close + 2)..];
            if (!host.Contains(':', StringComparison.Ordinal))
            {
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return false;
            }

            host = text[..colon];
            port = text[(colon + 1)..];
        }

        if (!TryParse(host, out var address)
            || port.Length is 0 or > 5
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber)
            || portNumber is < 1 or > 65535)
        {
            return false;
        }

        endpoint = new IPEndPoint(address, portNumber);
        return true;
    }
}
