using System.Net;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Contracts.Links.Validation;

public static partial class LinkSpecValidator
{
    internal static void ValidateAggregator(LinkSpec spec, SpecErrors errors)
    {
        if (spec.Aggregator is not { } options)
        {
            errors.Add(AggregatorFields.Options, "an aggregator link needs its aggregator options (its sites may be empty)");
            return;
        }

        var members = spec.Members ?? [];
        if (members.Count != 1)
        {
            errors.Add("members", "an aggregator has exactly one member: the interface its UDP socket is bound to");
        }
        else if (members[0] is { } socket)
        {
            if (socket.LocalPort is null)
            {
                errors.Add($"members[0].{MemberFields.LocalPort}", "the aggregator's UDP port, which every site dials, is required");
            }
            else
            {
                errors.Range($"members[0].{MemberFields.LocalPort}", socket.LocalPort, 1, 65535);
            }
        }

        var network = TunnelNetwork(spec);
        if ((spec.Addresses ?? []).Count == 0)
        {
            errors.Add("addresses", "an aggregator needs its own address in the tunnel network (e.g. 10.100.0.1/16); the sites' prefixes are allocated from that network");
        }

        errors.IpAddress(AggregatorFields.PublicAddress, options.PublicAddress);
        var maxLength = network?.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 126 : 30;
        var minLength = (network?.PrefixLength ?? 7) + 1;
        errors.Range(AggregatorFields.SitePrefixLength, options.SitePrefixLength, minLength, maxLength);
        if (members.Count != 1 || members[0] is null || spec.Name is null || (options.Sites ?? []).Any(s => s is null))
        {
            return;
        }

        // The sites as the data plane checks them; the device, socket and addresses are the shared rules' (above).
        foreach (var error in AggregatorSpecValidator.Validate(AggregatorOptions.ToAggregatorSpec(spec)))
        {
            if (error.Path.StartsWith("sites", StringComparison.Ordinal))
            {
                errors.Add("aggregator." + error.Path, error.Message);
            }
        }
    }

    /// <summary>The tunnel network an aggregator link's sites are allocated from: its first address's network, or null.</summary>
    public static IPNetwork? TunnelNetwork(LinkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var first = spec.Addresses is { Count: > 0 } addresses ? addresses[0] : null;
        var slash = first?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0 || !StrictIp.TryParse(first![..slash], out var address)
            || !int.TryParse(first.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture, out var length))
        {
            return null;
        }

        var bits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        return length is >= 0 and var l && l <= bits ? IPNetwork.Parse($"{Masked(address, length)}/{length}") : null;
    }

    private static IPAddress Masked(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}
