using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links.Validation;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Links.Pairs;

/// <summary>
/// What the Api checks of a pair's spec before it looks at the hosts: the pair's own fields, and both ends' specs as
/// the shared <see cref="LinkSpecValidator"/> sees them, each error where it sits in the request.
/// </summary>
public static class LinkPairValidation
{
    /// <summary>The pair's own fields, and each end's spec as the shared validator sees it (its errors where they sit in the request).</summary>
    public static Dictionary<string, string[]> Validate(LinkPairSpec? spec)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (spec is null)
        {
            errors["spec"] = ["is required"];
            return errors;
        }

        if (spec.A.HostId == spec.B.HostId)
        {
            errors["spec.b.hostId"] = ["a pair joins two different hosts"];
        }

        if ((spec.A.TunnelAddress is null) != (spec.B.TunnelAddress is null))
        {
            errors["spec.b.tunnelAddress"] = ["give both ends' tunnel addresses, or neither (the Api then picks a /30)"];
        }

        if (spec.Paths.Count == 0)
        {
            errors["spec.paths"] = ["a pair needs at least one path"];
        }

        for (var i = 0; i < spec.Paths.Count; i++)
        {
            if (!Enum.IsDefined(spec.Paths[i].Listener))
            {
                errors[$"spec.paths[{i}].listener"] = ["must be a or b"];
            }
        }

        // Each end's spec with placeholder listening addresses (of the dialing member's family), distinct ports and a
        // placeholder key: the shared validator checks names, interfaces, addresses, weights and striper options;
        // whether each path's listener is reachable is checked afterwards, with the hosts' inventories.
        static string Placeholder(LinkPairMember dialer) =>
            StrictIp.TryParse(dialer.Address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "::1" : "127.0.0.1";
        static string? Listening(LinkPairMember listener, LinkPairMember dialer) =>
            StrictIp.TryParse(listener.Address, out _) ? listener.Address : Placeholder(dialer);
        for (var i = 0; i < spec.Paths.Count; i++)
        {
            var (listener, side) = spec.Paths[i].Listener == LinkPairSide.A ? (spec.Paths[i].A, "a") : (spec.Paths[i].B, "b");
            if (listener.Address is not null && !StrictIp.TryParse(listener.Address, out _))
            {
                errors[$"spec.paths[{i}].{side}.address"] = ["must be an IPv4 or IPv6 address without a prefix"];
            }
        }

        var probe = spec with
        {
            Paths = [.. spec.Paths.Select(p => p with
            {
                Listener = Enum.IsDefined(p.Listener) ? p.Listener : LinkPairSide.B,
                A = p.Listener == LinkPairSide.A ? p.A with { Address = Listening(p.A, p.B) } : p.A,
                B = p.Listener == LinkPairSide.A ? p.B : p.B with { Address = Listening(p.B, p.A) },
            })],
        };
        var hostA = new HostEntity { Name = "a", Hostname = "a" };
        var hostB = new HostEntity { Name = "b", Hostname = "b" };
        var ports = Enumerable.Range(StriperPairEnds.FirstPort, spec.Paths.Count).ToList();
        var placeholderKey = Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
        if (StriperPairEnds.Build(probe, hostA, hostB, placeholderKey, ports, errors) is { } ends)
        {
            foreach (var (end, side) in new[] { (ends.A, LinkPairSide.A), (ends.B, LinkPairSide.B) })
            {
                foreach (var error in LinkSpecValidator.Validate(end))
                {
                    var path = StriperPairEnds.RequestPath(error.Path, side);
                    errors[path] = [.. (errors.TryGetValue(path, out var had) ? had : []).Append(error.Message).Distinct()];
                }
            }
        }

        return errors;
    }
}
