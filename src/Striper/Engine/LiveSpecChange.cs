using Fleet.Contracts.Links;

namespace Fleet.Striper.Engine;

/// <summary>
/// Which spec changes a running engine takes live (scheduler and parameters, weights, hints, admin states, thresholds,
/// hold time, rekey interval) and which need a new engine (members, ports, peers, key, cipher, site id, device, MTU).
/// </summary>
internal static class LiveSpecChange
{
    /// <summary>Why <paramref name="desired"/> cannot replace <paramref name="current"/> live, or null when it can.</summary>
    public static string? WhyNot(LinkSpec current, LinkSpec desired)
    {
        if (desired.Kind != LinkKind.Striper || desired.Striper is null)
        {
            return "not a striper spec";
        }

        if (desired.Name != current.Name)
        {
            return "device name";
        }

        if (desired.Mtu != current.Mtu)
        {
            return "mtu";
        }

        if (desired.Striper.Key != current.Striper!.Key || desired.Striper.Cipher != current.Striper.Cipher)
        {
            return "key or cipher";
        }

        if (desired.Striper.SiteId != current.Striper.SiteId)
        {
            return "site id";
        }

        if (desired.Members.Count != current.Members.Count)
        {
            return "member count";
        }

        for (var i = 0; i < desired.Members.Count; i++)
        {
            var a = desired.Members[i];
            var b = current.Members[i];
            if (a.Interface != b.Interface || a.Address != b.Address || a.LocalPort != b.LocalPort || a.Peer != b.Peer)
            {
                return $"members[{i}] interface, address, port or peer";
            }
        }

        return null;
    }

    /// <summary>Whether two scheduler parameter sets are the same (null is the empty set).</summary>
    public static bool SameParameters(IReadOnlyDictionary<string, double>? a, IReadOnlyDictionary<string, double>? b)
    {
        a ??= new Dictionary<string, double>();
        b ??= new Dictionary<string, double>();
        return a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v.Equals(kv.Value));
    }
}
