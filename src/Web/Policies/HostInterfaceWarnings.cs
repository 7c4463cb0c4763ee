using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Web.Policies;

/// <summary>
/// What the policy editor's review warns about before apply, against the interfaces the host reported: a member on a
/// device the host does not have, a link MTU above a member's interface MTU, a member on an interface that is down.
/// Warnings, not errors: the inventory may be older than the host's state, so the operator may still apply.
/// </summary>
public static class HostInterfaceWarnings
{
    /// <summary>Most interface names a warning lists.</summary>
    private const int NamesListed = 8;

    /// <summary>The warnings for <paramref name="spec"/> on host <paramref name="hostName"/>, in member order.</summary>
    public static IReadOnlyList<string> For(LinkSpec spec, string hostName, IReadOnlyList<InterfaceInventory>? interfaces)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (interfaces is null)
        {
            return [$"{hostName} has not reported its interfaces yet, so the members' interfaces cannot be checked."];
        }

        var byName = new Dictionary<string, InterfaceInventory>(StringComparer.Ordinal);
        foreach (var nic in interfaces)
        {
            byName.TryAdd(nic.Name, nic);
        }

        var warnings = new List<string>();
        foreach (var member in spec.Members)
        {
            if (!byName.TryGetValue(member.Interface, out var nic))
            {
                warnings.Add($"{member.Interface} is not among the interfaces {hostName} reported ({Listed(interfaces)}).");
                continue;
            }

            if (spec.Mtu is { } mtu && nic.Mtu > 0 && mtu > nic.Mtu)
            {
                warnings.Add($"The link's MTU {mtu} is above {member.Interface}'s MTU {nic.Mtu}.");
            }

            if (!nic.Up)
            {
                warnings.Add($"{member.Interface} is down on {hostName}.");
            }
        }

        return warnings;
    }

    private static string Listed(IReadOnlyList<InterfaceInventory> interfaces)
    {
        if (interfaces.Count == 0)
        {
            return "none";
        }

        var names = string.Join(", ", interfaces.Take(NamesListed).Select(i => i.Name));
        return interfaces.Count > NamesListed ? $"{names} and {interfaces.Count - NamesListed} more" : names;
    }
}
