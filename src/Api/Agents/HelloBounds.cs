using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Api.Agents;

/// <summary>
/// What of an agent's hello the Api keeps (issue 10: every hello rewrites the host's row, so an agent must not be able
/// to make it arbitrarily large, and its strings end up in the dashboard and the log). Beyond the bounds, entries are
/// dropped and strings cut; characters the database cannot hold are replaced (<see cref="AgentText"/>), and names —
/// hostname, interface names, versions — also lose control characters. The hello is still accepted: a host with more
/// interfaces than the bound (a container host with thousands of veths) must still connect.
/// </summary>
public static class HelloBounds
{
    /// <summary>Most interfaces kept.</summary>
    public const int MaxInterfaces = 1024;

    /// <summary>Most addresses kept per interface.</summary>
    public const int MaxAddressesPerInterface = 32;

    /// <summary>Most addresses kept over all interfaces.</summary>
    public const int MaxAddresses = 4096;

    /// <summary>Longest address kept (an IPv6 CIDR is at most 43 characters).</summary>
    public const int MaxAddressLength = 64;

    /// <summary>Most capability notes kept.</summary>
    public const int MaxNotes = 16;

    /// <summary>Longest capability note key kept.</summary>
    public const int MaxNoteKeyLength = 32;

    /// <summary>Longest capability note kept.</summary>
    public const int MaxNoteLength = 500;

    /// <summary>Longest agent version kept.</summary>
    public const int MaxAgentVersionLength = 64;

    /// <summary>Longest kernel version kept.</summary>
    public const int MaxKernelVersionLength = 128;

    /// <summary>Longest interface kind or hardware address kept.</summary>
    public const int MaxShortFieldLength = 64;

    /// <summary>
    /// The hello as it is stored: within the bounds, with storable text. <paramref name="trimmed"/> says whether
    /// anything was dropped or cut (the hub logs it).
    /// </summary>
    public static AgentHello Bound(AgentHello hello, out bool trimmed)
    {
        var cut = false;
        var addressBudget = MaxAddresses;
        var interfaces = new List<InterfaceInventory>(Math.Min(hello.Interfaces.Count, MaxInterfaces));
        foreach (var item in hello.Interfaces)
        {
            if (interfaces.Count == MaxInterfaces)
            {
                cut = true;
                break;
            }

            if (item is null)
            {
                continue;
            }

            var addresses = new List<string>();
            foreach (var address in item.Addresses ?? [])
            {
                if (addresses.Count == MaxAddressesPerInterface || addressBudget == 0)
                {
                    cut = true;
                    break;
                }

                if (address is not null)
                {
                    addresses.Add(Name(address, MaxAddressLength, ref cut));
                    addressBudget--;
                }
            }

            interfaces.Add(item with
            {
                Name = Name(item.Name ?? "", Contracts.Links.Validation.InterfaceName.MaxBytes, ref cut),
                Kind = item.Kind is null ? null : Name(item.Kind, MaxShortFieldLength, ref cut),
                MacAddress = item.MacAddress is null ? null : Name(item.MacAddress, MaxShortFieldLength, ref cut),
                Addresses = addresses,
            });
        }

        Dictionary<string, string>? notes = null;
        if (hello.Capabilities.Notes is { } given)
        {
            notes = [];
            foreach (var (key, value) in given)
            {
                if (notes.Count == MaxNotes)
                {
                    cut = true;
                    break;
                }

                notes[Name(key, MaxNoteKeyLength, ref cut)] = Text(value ?? "", MaxNoteLength, ref cut);
            }
        }

        trimmed = cut;
        return hello with
        {
            Hostname = Name(hello.Hostname, HostEntity.HostnameMaxLength, ref trimmed),
            AgentVersion = Name(hello.AgentVersion ?? "", MaxAgentVersionLength, ref trimmed),
            KernelVersion = Name(hello.KernelVersion ?? "", MaxKernelVersionLength, ref trimmed),
            Capabilities = hello.Capabilities with { Kinds = KnownKinds(hello.Capabilities.Kinds), Notes = notes },
            Interfaces = interfaces,
        };
    }

    private static string Name(string value, int maxLength, ref bool cut)
    {
        var bounded = AgentText.SingleLine(value, maxLength);
        cut |= bounded.Length < value.Length;
        return bounded;
    }

    private static string Text(string value, int maxLength, ref bool cut)
    {
        var bounded = AgentText.Storable(value, maxLength);
        cut |= bounded.Length < value.Length;
        return bounded;
    }

    /// <summary>
    /// The kinds of a hello that this Api knows, each once: a kind only a newer agent knows cannot be asked of it
    /// anyway, and the list stays as small as the registry whatever the agent sends.
    /// </summary>
    private static List<string> KnownKinds(IReadOnlyList<string>? kinds) =>
        LinkKinds.All.Where(d => kinds?.Contains(d.WireName, StringComparer.Ordinal) == true).Select(d => d.WireName).ToList();
}
