using System.Net;
using System.Text.Json;
using Fleet.Agent.Host;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Striper;

/// <summary>
/// Puts a striper link's addresses and routes on its TUN device with iproute2, idempotently: addresses the spec does
/// not name are removed (the device is ours), missing ones added; routes are replaced, and the previous spec's routes
/// that are gone are deleted. Optionally inside a named network namespace (<c>ip -n</c>).
/// </summary>
public sealed class StriperAddressing(ICommandRunner runner, string? networkNamespace = null)
{
    private const string Ip = "ip";

    /// <summary>Brings <paramref name="device"/>'s addresses and routes to the spec's.</summary>
    public async Task<ApplyResult> ApplyAsync(string device, LinkSpec desired, LinkSpec? previous, CancellationToken cancellationToken)
    {
        var current = await ReadAddressesAsync(device, cancellationToken);
        if (current is null)
        {
            return ApplyResult.Failed($"cannot read the addresses of {device}");
        }

        var wanted = desired.Addresses.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        foreach (var address in current.Where(a => !wanted.Contains(a)))
        {
            var result = await RunAsync(["addr", "del", address, "dev", device], cancellationToken);
            if (!result.Succeeded)
            {
                return ApplyResult.Failed($"ip addr del {address} dev {device}: {result.Message}");
            }
        }

        foreach (var address in wanted.Where(a => !current.Contains(a)))
        {
            var result = await RunAsync(["addr", "add", address, "dev", device], cancellationToken);
            if (!result.Succeeded)
            {
                return ApplyResult.Failed($"ip addr add {address} dev {device}: {result.Message}");
            }
        }

        foreach (var route in previous?.Routes ?? [])
        {
            if (!desired.Routes.Any(r => SameDestination(r, route)))
            {
                // Gone from the spec; it may already be gone from the kernel too, which is fine.
                await RunAsync(["route", "del", .. RouteArguments(route, device)], cancellationToken);
            }
        }

        foreach (var route in desired.Routes)
        {
            var result = await RunAsync(["route", "replace", .. RouteArguments(route, device)], cancellationToken);
            if (!result.Succeeded)
            {
                return ApplyResult.Failed($"ip route replace {route.Destination} dev {device}: {result.Message}");
            }
        }

        return ApplyResult.Ok;
    }

    /// <summary>How the device's addresses and routes differ from the spec, or null when they match.</summary>
    public async Task<string?> DriftAsync(string device, LinkSpec applied, CancellationToken cancellationToken)
    {
        var current = await ReadAddressesAsync(device, cancellationToken);
        if (current is null)
        {
            return $"device {device} is missing";
        }

        var wanted = applied.Addresses.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        if (!wanted.SetEquals(current))
        {
            return $"addresses on {device} are [{string.Join(", ", current.Order(StringComparer.Ordinal))}], spec says [{string.Join(", ", wanted.Order(StringComparer.Ordinal))}]";
        }

        foreach (var route in applied.Routes)
        {
            var result = await RunAsync(["route", "show", .. RouteSelector(route), "dev", device], cancellationToken);
            if (!result.Succeeded || string.IsNullOrWhiteSpace(result.StandardOutput))
            {
                return $"route {route.Destination} via {device} is missing";
            }
        }

        return null;
    }

    private static IEnumerable<string> RouteSelector(RouteSpec route) =>
        route.Destination == "default" && route.Via is { } via && via.Contains(':', StringComparison.Ordinal)
            ? ["-6", "default"]
            : [route.Destination];

    private static bool SameDestination(RouteSpec a, RouteSpec b) =>
        a.Destination == b.Destination && a.Metric == b.Metric;

    private static List<string> RouteArguments(RouteSpec route, string device)
    {
        var arguments = new List<string> { route.Destination };
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
            arguments.Add(metric.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return arguments;
    }

    private static string Normalize(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(cidr[..slash]);
        return $"{address}/{cidr[(slash + 1)..]}";
    }

    private async Task<HashSet<string>?> ReadAddressesAsync(string device, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["-json", "addr", "show", "dev", device], cancellationToken);
        if (!result.Succeeded)
        {
            return null;
        }

        var addresses = new HashSet<string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(result.StandardOutput);
        foreach (var link in document.RootElement.EnumerateArray())
        {
            if (!link.TryGetProperty("addr_info", out var infos))
            {
                continue;
            }

            foreach (var info in infos.EnumerateArray())
            {
                if (info.TryGetProperty("scope", out var scope) && scope.GetString() == "link")
                {
                    continue; // the kernel's own IPv6 link-local address
                }

                if (info.TryGetProperty("local", out var local) && info.TryGetProperty("prefixlen", out var prefix))
                {
                    addresses.Add($"{IPAddress.Parse(local.GetString()!)}/{prefix.GetInt32()}");
                }
            }
        }

        return addresses;
    }

    private Task<CommandResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var list = new List<string>();
        if (networkNamespace is not null)
        {
            list.Add("-n");
            list.Add(networkNamespace);
        }

        list.AddRange(arguments);
        return runner.RunAsync(Ip, list, TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
    }
}
