using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Links;

/// <summary>
/// Whether a per-host striper link can meet its far end when Fleet manages that end too (issue 20): the far end is
/// the live striper link of another host that holds the same key. On every path one end must listen where the other
/// dials; two ends that both only dial never meet (their paths go Down with "no answer from peer"), so such a spec is
/// refused up front, with an error on each path that cannot connect. A far end Fleet does not manage (no link holds
/// the key) is not checked: the operator's peer is taken as given. Link pairs are built to connect
/// (<c>StriperPairEnds</c>) and are not checked here.
/// </summary>
public sealed class StriperReachability(FleetDbContext db, StriperKeyProtection keys)
{
    /// <summary>Field errors (under <paramref name="prefix"/>) of the paths of <paramref name="spec"/> that cannot connect to its far end; empty when all can.</summary>
    public async Task<Dictionary<string, string[]>> CheckAsync(Guid hostId, Guid? linkId, LinkSpec spec, string prefix, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (spec.Striper is not { } striper)
        {
            return errors;
        }

        var candidates = await db.Links.AsNoTracking().Include(l => l.Host)
            .Where(l => l.Kind == LinkKind.Striper && l.DeletedAt == null && l.HostId != hostId && l.Id != linkId)
            .ToListAsync(cancellationToken);
        var far = candidates.Select(l => (Link: l, Spec: keys.FromStorage(l.Spec))).FirstOrDefault(c => c.Spec.Striper!.Key == striper.Key);
        if (far.Spec is null)
        {
            return errors;
        }

        var where = $"the far end (link '{far.Link.Name}' of host '{far.Link.Host?.Name}', which holds the same key)";
        for (var i = 0; i < spec.Members.Count; i++)
        {
            var member = spec.Members[i];
            if (member.LocalPort is null && StrictIp.TryParseEndpoint(member.Peer, out var peer) && !Listens(far.Spec, peer.Port, peer.Address.ToString()))
            {
                errors[$"{prefix}members[{i}].peer"] =
                    [$"this path only dials {member.Peer}, and {where} does not listen on port {peer.Port} there: the path cannot connect; give one end a localPort the other dials"];
            }
        }

        foreach (var member in far.Spec.Members.Where(m => m.LocalPort is null))
        {
            if (StrictIp.TryParseEndpoint(member.Peer, out var peer) && !Listens(spec, peer.Port, peer.Address.ToString()))
            {
                errors[$"{prefix}members"] =
                    [.. (errors.TryGetValue($"{prefix}members", out var had) ? had : []),
                     $"{where} dials {member.Peer} on its member '{member.Interface}' and only dials there, but no member of this spec listens on port {peer.Port}: that path cannot connect"];
            }
        }

        return errors;
    }

    /// <summary>The 422 for paths that cannot connect, with an error on each.</summary>
    public static CommandRefusal Refusal(string detail, IReadOnlyDictionary<string, string[]> errors) =>
        new(RefusalKind.Unprocessable, detail, "The link cannot connect", errors.Keys.First(), Errors: errors);

    /// <summary>Whether a member of <paramref name="spec"/> listens on <paramref name="port"/> at <paramref name="address"/> (a member without an address listens on its interface's).</summary>
    private static bool Listens(LinkSpec spec, int port, string address) =>
        spec.Members.Any(m => m.LocalPort == port && (m.Address is null || (StrictIp.TryParse(m.Address, out var ip) && ip.ToString() == address)));
}
