using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Fleet.Agent.Backends;
using Fleet.Agent.Processes;
using Fleet.Contracts.Agents;

namespace Fleet.Agent.Inventory;

/// <summary>
/// The real host's inventory: hostname and kernel release from procfs (what <c>uname -n</c> / <c>uname -r</c> print),
/// interfaces from <c>ip -json -details address show</c> (which knows link kinds such as veth or bond), falling back to
/// .NET's <see cref="NetworkInterface"/> when iproute2 is missing.
/// </summary>
public sealed class HostInventory(LinkBackends backends, ICommandRunner commands) : IInventorySource
{
    /// <inheritdoc />
    public async Task<AgentHello> CollectAsync(CancellationToken cancellationToken) => new()
    {
        Hostname = Hostname(),
        AgentVersion = Program.Version,
        KernelVersion = KernelVersion(),
        Capabilities = Capabilities.Detect(backends),
        Interfaces = await InterfacesAsync(cancellationToken),
    };

    /// <summary>The host's name (<c>/proc/sys/kernel/hostname</c>).</summary>
    public static string Hostname() => ReadProc("/proc/sys/kernel/hostname") ?? Environment.MachineName;

    /// <summary>The running kernel's release (<c>/proc/sys/kernel/osrelease</c>).</summary>
    public static string KernelVersion() => ReadProc("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.Version.ToString();

    private async Task<IReadOnlyList<InterfaceInventory>> InterfacesAsync(CancellationToken cancellationToken)
    {
        var result = await commands.RunAsync("ip", ["-json", "-details", "address", "show"], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
        if (result.Succeeded)
        {
            try
            {
                return ParseIpAddressJson(result.StandardOutput);
            }
            catch (JsonException)
            {
                // Fall through to the framework's view.
            }
        }

        return FromNetworkInterfaces();
    }

    /// <summary>Parses <c>ip -json -details address show</c>.</summary>
    internal static IReadOnlyList<InterfaceInventory> ParseIpAddressJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var interfaces = new List<InterfaceInventory>();
        foreach (var link in document.RootElement.EnumerateArray())
        {
            var name = link.TryGetProperty("ifname", out var n) ? n.GetString() : null;
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            string? kind = null;
            if (link.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var k))
            {
                kind = k.GetString();
            }
            else if (link.TryGetProperty("link_type", out var type))
            {
                kind = type.GetString();
            }

            var mac = link.TryGetProperty("address", out var a) && link.TryGetProperty("link_type", out var lt) && lt.GetString() == "ether" ? a.GetString() : null;
            var mtu = link.TryGetProperty("mtu", out var m) && m.TryGetInt32(out var mtuValue) ? mtuValue : 0;
            var up = link.TryGetProperty("operstate", out var state) && state.GetString() is "UP" or "UNKNOWN"
                && link.TryGetProperty("flags", out var flags) && flags.EnumerateArray().Any(f => f.GetString() == "UP");
            var addresses = new List<string>();
            if (link.TryGetProperty("addr_info", out var addrInfo))
            {
                foreach (var address in addrInfo.EnumerateArray())
                {
                    if (address.TryGetProperty("local", out var local) && address.TryGetProperty("prefixlen", out var prefix))
                    {
                        addresses.Add($"{local.GetString()}/{prefix.GetInt32()}");
                    }
                }
            }

            interfaces.Add(new InterfaceInventory { Name = name, Kind = kind, MacAddress = mac, Mtu = mtu, Up = up, Addresses = addresses });
        }

        return interfaces;
    }

    private static List<InterfaceInventory> FromNetworkInterfaces()
    {
        var interfaces = new List<InterfaceInventory>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var properties = nic.GetIPProperties();
            var addresses = properties.UnicastAddresses
                .Where(a => a.Address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                .Select(a => $"{a.Address}/{a.PrefixLength}")
                .ToList();
            var mac = nic.GetPhysicalAddress().GetAddressBytes();
            var mtu = nic.Supports(NetworkInterfaceComponent.IPv4) ? properties.GetIPv4Properties()?.Mtu ?? 0 : 0;
            interfaces.Add(new InterfaceInventory
            {
                Name = nic.Name,
                Kind = nic.NetworkInterfaceType == NetworkInterfaceType.Loopback ? "loopback" : null,
                MacAddress = mac.Length == 6 ? string.Join(':', mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))) : null,
                Mtu = mtu,
                Up = nic.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown,
                Addresses = addresses,
            });
        }

        return interfaces;
    }

    private static string? ReadProc(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length > 0 ? text : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
