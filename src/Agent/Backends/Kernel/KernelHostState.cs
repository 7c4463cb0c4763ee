using System.Globalization;
using System.Text.Json;

namespace Fleet.Agent.Backends.Kernel;

/// <summary>
/// <see cref="IHostState"/> of a <see cref="KernelContext"/>, read and written with iproute2. Restoring puts each
/// captured interface that still exists back to its master, MTU, addresses and up/down state, then re-adds the routes
/// through those interfaces and the default routes that are missing, and deletes default routes the snapshot did not
/// have (unless the snapshot is <see cref="HostSnapshot.Partial"/>). Routes of protocol <c>kernel</c> (connected and IPv6 link-local routes) are left to the kernel, which adds
/// them back with the address and the link state.
/// </summary>
public sealed class KernelHostState(KernelContext context) : IHostState
{
    /// <inheritdoc />
    public async Task<HostSnapshot> CaptureAsync(IReadOnlyCollection<string> interfaces, CancellationToken cancellationToken)
    {
        var (links, error) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            throw new HostStateException(error ?? "ip link show failed");
        }

        var addresses = await ReadAddressesAsync(cancellationToken);
        var captured = interfaces.Distinct(StringComparer.Ordinal).Select(name => links.TryGetValue(name, out var link)
            ? new InterfaceSnapshot { Name = name, Exists = true, Up = link.IsUp, Master = link.Master, Mtu = link.Mtu, Addresses = addresses.GetValueOrDefault(name) ?? [] }
            : new InterfaceSnapshot { Name = name });
        return new HostSnapshot { Interfaces = [.. captured], Routes = await ReadRoutesAsync(cancellationToken) };
    }

    /// <inheritdoc />
    public async Task<string?> RestoreAsync(HostSnapshot snapshot, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var (links, readError) = await KernelLinks.ReadAllAsync(context, cancellationToken);
        if (links is null)
        {
            return readError;
        }

        HostStateException? unreadable = null;
        Dictionary<string, List<string>> addresses = [];
        try
        {
            addresses = await ReadAddressesAsync(cancellationToken);
        }
        catch (HostStateException ex)
        {
            unreadable = ex;
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var wanted in snapshot.Interfaces.Where(i => i.Exists))
        {
            if (!links.TryGetValue(wanted.Name, out var link))
            {
                problems.Add($"{wanted.Name} no longer exists");
                continue;
            }

            present.Add(wanted.Name);
            if (link.Master != wanted.Master)
            {
                Note(problems, wanted.Master is null
                    ? await context.IpAsync(cancellationToken, "link", "set", "dev", wanted.Name, "nomaster")
                    : await context.IpAsync(cancellationToken, "link", "set", "dev", wanted.Name, "master", wanted.Master));
            }

            if (wanted.Mtu > 0 && link.Mtu != wanted.Mtu)
            {
                Note(problems, await context.IpAsync(cancellationToken, "link", "set", "dev", wanted.Name, "mtu", wanted.Mtu.ToString(CultureInfo.InvariantCulture)));
            }

            if (unreadable is null)
            {
                var now = addresses.GetValueOrDefault(wanted.Name) ?? [];
                var before = wanted.Addresses;
                foreach (var extra in now.Except(before, StringComparer.Ordinal))
                {
                    Note(problems, await context.IpAsync(cancellationToken, "addr", "del", extra, "dev", wanted.Name));
                }

                foreach (var missing in before.Except(now, StringComparer.Ordinal))
                {
                    Note(problems, await context.IpAsync(cancellationToken, "addr", "add", missing, "dev", wanted.Name));
                }
            }

            // Explicitly, whatever it is now: releasing a member from a bond closes it.
            Note(problems, await context.IpAsync(cancellationToken, "link", "set", "dev", wanted.Name, wanted.Up ? "up" : "down"));
        }

        if (unreadable is not null)
        {
            problems.Add(unreadable.Message);
        }

        await RestoreRoutesAsync(snapshot, present, problems, cancellationToken);
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private async Task RestoreRoutesAsync(HostSnapshot snapshot, HashSet<string> present, List<string> problems, CancellationToken cancellationToken)
    {
        IReadOnlyList<RouteSnapshot> now;
        try
        {
            now = await ReadRoutesAsync(cancellationToken);
        }
        catch (HostStateException ex)
        {
            problems.Add(ex.Message);
            return;
        }

        foreach (var extra in now.Where(r => !snapshot.Partial && r.IsDefault && !snapshot.Routes.Any(s => s.SameAs(r))))
        {
            Note(problems, await context.IpAsync(cancellationToken, [.. RouteArguments("del", extra)]));
        }

        var wanted = snapshot.Routes.Where(r => r.Protocol != "kernel" && (r.IsDefault || (r.Device is not null && present.Contains(r.Device))));
        foreach (var missing in wanted.Where(r => !now.Any(n => n.SameAs(r))))
        {
            Note(problems, await context.IpAsync(cancellationToken, [.. RouteArguments("replace", missing)]));
        }
    }

    private static List<string> RouteArguments(string verb, RouteSnapshot route)
    {
        var arguments = new List<string> { route.Family == 6 ? "-6" : "-4", "route", verb, route.Destination };
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                arguments.Add(key);
                arguments.Add(value);
            }
        }

        Add("via", route.Gateway);
        Add("dev", route.Device);
        Add("metric", route.Metric?.ToString(CultureInfo.InvariantCulture));
        if (verb != "del")
        {
            Add("proto", route.Protocol);
            Add("scope", route.Scope);
            Add("src", route.Source);
        }

        return arguments;
    }

    private async Task<Dictionary<string, List<string>>> ReadAddressesAsync(CancellationToken cancellationToken)
    {
        var result = await context.IpAsync(["-j", "addr", "show"], cancellationToken);
        if (!result.Succeeded)
        {
            throw new HostStateException($"ip -j addr show: {result.Message}");
        }

        var byInterface = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(result.StandardOutput.Length == 0 ? "[]" : result.StandardOutput);
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (Json.String(item, "ifname") is not { } name || !item.TryGetProperty("addr_info", out var infos) || infos.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var list = byInterface[name] = [];
            foreach (var info in infos.EnumerateArray())
            {
                // Link-scope addresses and dynamic ones (SLAAC, DHCP) are the kernel's and their daemons' to make.
                if (Json.String(info, "local") is { } local && Json.Number(info, "prefixlen") is { } prefix
                    && Json.String(info, "scope") is not "link" and not "host" && !Json.Flag(info, "dynamic"))
                {
                    list.Add($"{local}/{prefix.ToString(CultureInfo.InvariantCulture)}");
                }
            }
        }

        return byInterface;
    }

    private async Task<IReadOnlyList<RouteSnapshot>> ReadRoutesAsync(CancellationToken cancellationToken)
    {
        var routes = new List<RouteSnapshot>();
        foreach (var family in new[] { 4, 6 })
        {
            var result = await context.IpAsync([family == 4 ? "-4" : "-6", "-j", "route", "show", "table", "main"], cancellationToken);
            if (!result.Succeeded)
            {
                throw new HostStateException($"ip -{family} route show: {result.Message}");
            }

            using var document = JsonDocument.Parse(result.StandardOutput.Length == 0 ? "[]" : result.StandardOutput);
            foreach (var item in document.RootElement.EnumerateArray())
            {
                // Unicast routes only (no "type" field); unreachable, blackhole and the like are not a link's business.
                if (Json.String(item, "dst") is not { } destination || Json.String(item, "type") is not null)
                {
                    continue;
                }

                routes.Add(new RouteSnapshot
                {
                    Family = family,
                    Destination = destination,
                    Gateway = Json.String(item, "gateway"),
                    Device = Json.String(item, "dev"),
                    Metric = Json.Number(item, "metric"),
                    Protocol = Json.String(item, "protocol"),
                    Scope = Json.String(item, "scope") is { } scope and not "global" ? scope : null,
                    Source = Json.String(item, "prefsrc"),
                });
            }
        }

        return routes;
    }

    private static void Note(List<string> problems, string? error)
    {
        if (error is not null)
        {
            problems.Add(error);
        }
    }
}
