using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Kernel;

/// <summary>An interface address from <c>ip -j addr show</c>.</summary>
/// <param name="Interface">The device.</param>
/// <param name="Address">The local address.</param>
/// <param name="PrefixLength">Prefix length.</param>
/// <param name="Scope"><c>global</c>, <c>link</c>, <c>host</c>.</param>
public sealed record IpAddressEntry(string Interface, IPAddress Address, int PrefixLength, string Scope)
{
    /// <summary>CIDR form, <c>10.9.0.1/30</c>.</summary>
    public string Cidr => $"{Address}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses iproute2's JSON array of interfaces with their <c>addr_info</c>.</summary>
    public static IReadOnlyList<IpAddressEntry> ParseList(string json)
    {
        using var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        var entries = new List<IpAddressEntry>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (Json.String(item, "ifname") is not { } name || !item.TryGetProperty("addr_info", out var infos) || infos.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var info in infos.EnumerateArray())
            {
                if (Json.String(info, "local") is { } local && IPAddress.TryParse(local, out var address) && Json.Number(info, "prefixlen") is { } prefix)
                {
                    entries.Add(new IpAddressEntry(name, address, (int)prefix, Json.String(info, "scope") ?? "global"));
                }
            }
        }

        return entries;
    }
}

/// <summary>A route from <c>ip -j route show</c>.</summary>
/// <param name="Destination">Network and prefix; <c>0.0.0.0/0</c> or <c>::/0</c> for default.</param>
/// <param name="Gateway">Next hop, if any.</param>
/// <param name="Metric">Metric (0 when iproute2 prints none).</param>
/// <param name="Protocol">Routing protocol (<c>kernel</c> for connected routes, <c>boot</c> for ip route add).</param>
public sealed record IpRouteEntry(IpNetwork Destination, IPAddress? Gateway, long Metric, string? Protocol)
{
    /// <summary>Parses iproute2's JSON array of routes of one family.</summary>
    public static IReadOnlyList<IpRouteEntry> ParseList(string json, AddressFamily family)
    {
        using var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        var routes = new List<IpRouteEntry>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (Json.String(item, "dst") is not { } dst || !IpNetwork.TryParse(dst, family, out var destination))
            {
                continue;
            }

            var gateway = Json.String(item, "gateway") is { } gw && IPAddress.TryParse(gw, out var parsed) ? parsed : null;
            routes.Add(new IpRouteEntry(destination, gateway, Json.Number(item, "metric") ?? 0, Json.String(item, "protocol")));
        }

        return routes;
    }
}

/// <summary>A network (address with host bits cleared, and prefix length) as routes name it.</summary>
/// <param name="Network">The network address.</param>
/// <param name="PrefixLength">Prefix length.</param>
public readonly record struct IpNetwork(IPAddress Network, int PrefixLength)
{
    /// <summary>The address family.</summary>
    public AddressFamily Family => Network.AddressFamily;

    /// <inheritdoc />
    public override string ToString() => $"{Network}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses <c>default</c>, <c>10.9.0.0/24</c>, <c>10.9.0.7/24</c> (host bits cleared) or a bare address (a host
    /// route, as iproute2 prints <c>/32</c> and <c>/128</c>). <paramref name="family"/> decides what <c>default</c> means.
    /// </summary>
    public static bool TryParse(string text, AddressFamily family, out IpNetwork network)
    {
        network = default;
        if (text == "default")
        {
            network = family == AddressFamily.InterNetworkV6 ? new(IPAddress.IPv6Any, 0) : new(IPAddress.Any, 0);
            return true;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        network = new IpNetwork(new IPAddress(bytes), prefix);
        return true;
    }
}

/// <summary>
/// Puts a link's addresses, routes and MTU on the device a backend owns (a bond, a teql device) and checks them for
/// drift. Every address on the device is the link's (the backend created the device); routes are touched only when a
/// spec names them, connected routes never.
/// </summary>
public sealed class DeviceAddressing(KernelContext context)
{
    /// <summary>Brings addresses, MTU and routes of <paramref name="device"/> to <paramref name="desired"/>; null on success, else the error.</summary>
    public async Task<string?> ApplyAsync(string device, LinkSpec desired, LinkSpec? current, CancellationToken cancellationToken)
    {
        var present = await ReadAddressesAsync(device, cancellationToken);
        if (present is null)
        {
            return $"cannot read the addresses of {device}";
        }

        var wanted = ParseAddresses(desired.Addresses);
        foreach (var entry in present)
        {
            if (entry.Scope == "link" || wanted.Any(w => w.Address.Equals(entry.Address) && w.PrefixLength == entry.PrefixLength))
            {
                continue;
            }

            var result = await context.IpAsync(["addr", "del", entry.Cidr, "dev", device], cancellationToken);
            if (!result.Succeeded)
            {
                return $"ip addr del {entry.Cidr} dev {device}: {result.Message}";
            }
        }

        foreach (var address in wanted)
        {
            if (present.Any(p => p.Address.Equals(address.Address) && p.PrefixLength == address.PrefixLength))
            {
                continue;
            }

            var result = await context.IpAsync(["addr", "add", address.Cidr, "dev", device], cancellationToken);
            if (!result.Succeeded)
            {
                return $"ip addr add {address.Cidr} dev {device}: {result.Message}";
            }
        }

        foreach (var stale in current?.Routes ?? [])
        {
            if (desired.Routes.Any(r => SameRoute(r, stale)))
            {
                continue;
            }

            var result = await context.IpAsync(RouteArguments("del", device, stale), cancellationToken);
            if (!result.Succeeded && !result.Message.Contains("No such process", StringComparison.Ordinal))
            {
                return $"ip route del {stale.Destination} dev {device}: {result.Message}";
            }
        }

        foreach (var route in desired.Routes)
        {
            var result = await context.IpAsync(RouteArguments("replace", device, route), cancellationToken);
            if (!result.Succeeded)
            {
                return $"ip route replace {route.Destination} dev {device}: {result.Message}";
            }
        }

        return null;
    }

    /// <summary>How the device's addresses and routes differ from <paramref name="spec"/>; empty when they match.</summary>
    public async Task<IReadOnlyList<string>> DriftAsync(string device, LinkSpec spec, CancellationToken cancellationToken)
    {
        var drift = new List<string>();
        var present = await ReadAddressesAsync(device, cancellationToken) ?? [];
        foreach (var address in ParseAddresses(spec.Addresses))
        {
            if (!present.Any(p => p.Address.Equals(address.Address) && p.PrefixLength == address.PrefixLength))
            {
                drift.Add($"address {address.Cidr} missing on {device}");
            }
        }

        foreach (var entry in present)
        {
            if (entry.Scope != "link" && !ParseAddresses(spec.Addresses).Any(w => w.Address.Equals(entry.Address) && w.PrefixLength == entry.PrefixLength))
            {
                drift.Add($"unexpected address {entry.Cidr} on {device}");
            }
        }

        if (spec.Routes.Count > 0)
        {
            var routes = new List<IpRouteEntry>();
            foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
            {
                var result = await context.IpAsync([family == AddressFamily.InterNetwork ? "-4" : "-6", "-j", "route", "show", "dev", device], cancellationToken);
                if (result.Succeeded)
                {
                    routes.AddRange(IpRouteEntry.ParseList(result.StandardOutput, family));
                }
            }

            foreach (var route in spec.Routes)
            {
                if (!routes.Any(r => Matches(r, route)))
                {
                    drift.Add($"route {route.Destination}{(route.Via is null ? "" : " via " + route.Via)} missing on {device}");
                }
            }
        }

        return drift;
    }

    /// <summary>Reads the addresses of <paramref name="device"/>; null when the device cannot be read.</summary>
    public async Task<IReadOnlyList<IpAddressEntry>?> ReadAddressesAsync(string device, CancellationToken cancellationToken)
    {
        var result = await context.IpAsync(["-j", "addr", "show", "dev", device], cancellationToken);
        return result.Succeeded ? IpAddressEntry.ParseList(result.StandardOutput) : null;
    }

    private static List<(IPAddress Address, int PrefixLength, string Cidr)> ParseAddresses(IReadOnlyList<string> addresses)
    {
        var list = new List<(IPAddress, int, string)>();
        foreach (var text in addresses)
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && IPAddress.TryParse(text[..slash], out var address)
                && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
            {
                list.Add((address, prefix, $"{address}/{prefix.ToString(CultureInfo.InvariantCulture)}"));
            }
        }

        return list;
    }

    private static AddressFamily FamilyOf(RouteSpec route)
    {
        if (route.Via is not null && IPAddress.TryParse(route.Via, out var via))
        {
            return via.AddressFamily;
        }

        return route.Destination.Contains(':', StringComparison.Ordinal) ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
    }

    private static List<string> RouteArguments(string verb, string device, RouteSpec route)
    {
        var family = FamilyOf(route);
        IpNetwork.TryParse(route.Destination, family, out var destination);
        var arguments = new List<string>
        {
            family == AddressFamily.InterNetworkV6 ? "-6" : "-4",
            "route",
            verb,
            destination.PrefixLength == 0 ? "default" : destination.ToString(),
        };
        if (route.Via is not null)
        {
            arguments.Add("via");
            arguments.Add(route.Via);
        }

        arguments.Add("dev");
        arguments.Add(device);
        if (route.Metric is { } metric)
        {
            arguments.Add("metric");
            arguments.Add(metric.ToString(CultureInfo.InvariantCulture));
        }

        return arguments;
    }

    private static bool SameRoute(RouteSpec a, RouteSpec b)
    {
        var family = FamilyOf(a);
        return family == FamilyOf(b)
            && IpNetwork.TryParse(a.Destination, family, out var da) && IpNetwork.TryParse(b.Destination, family, out var db) && da == db
            && string.Equals(a.Via, b.Via, StringComparison.Ordinal) && a.Metric == b.Metric;
    }

    private static bool Matches(IpRouteEntry entry, RouteSpec route)
    {
        var family = FamilyOf(route);
        if (!IpNetwork.TryParse(route.Destination, family, out var destination) || entry.Destination != destination)
        {
            return false;
        }

        if (route.Via is not null && (entry.Gateway is null || !entry.Gateway.Equals(IPAddress.Parse(route.Via))))
        {
            return false;
        }

        return route.Metric is not { } metric || entry.Metric == metric;
    }
}
