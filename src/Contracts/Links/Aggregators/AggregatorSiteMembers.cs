using System.Globalization;

namespace Fleet.Contracts.Links.Aggregators;

/// <summary>
/// The names under which an aggregator link reports its sites as members of its samples (docs/aggregator.md,
/// "Watching it"): per site one session member <c>s{id}</c> (Up while the site's session is established, no traffic)
/// and one member per path <c>s{id}.{index}</c> (the path as the aggregator sees it: health, RTT, loss, bytes). Both
/// fit an interface name (at most 15 bytes, no '/', ':' or space), so samples, rollups and charts take them as any
/// member; neither is a member of the link's spec, whose one member is the socket's interface.
/// </summary>
public static class AggregatorSiteMembers
{
    /// <summary>
    /// The series that sums every site's paths on an aggregator's charts and in its REST samples: not a member any agent
    /// reports (an interface name has no space), so it cannot be mistaken for one.
    /// </summary>
    public const string AllSites = "all sites";

    /// <summary>
    /// Every member an aggregator link's agent reports for its sites: each site's session and each of its paths. What
    /// the Api accepts in the link's samples beside its spec's own members.
    /// </summary>
    public static IEnumerable<string> Of(IReadOnlyList<AggregatorSiteSpec>? sites)
    {
        foreach (var site in sites ?? [])
        {
            yield return Session(site.Id);
            for (var index = 0; index < site.Paths; index++)
            {
                yield return Path(site.Id, index);
            }
        }
    }

    /// <summary>The member that stands for site <paramref name="siteId"/>'s session.</summary>
    public static string Session(int siteId) => string.Create(CultureInfo.InvariantCulture, $"s{siteId}");

    /// <summary>The member that stands for path <paramref name="index"/> of site <paramref name="siteId"/>.</summary>
    public static string Path(int siteId, int index) => string.Create(CultureInfo.InvariantCulture, $"s{siteId}.{index}");

    /// <summary>
    /// The start every path member of site <paramref name="siteId"/> shares (<c>s{id}.</c>): with <see cref="Session"/>, what a
    /// query needs to select one site's members where <see cref="TryParse"/> cannot run (SQL's <c>LIKE 's3.%'</c>).
    /// </summary>
    public static string PathPrefix(int siteId) => string.Create(CultureInfo.InvariantCulture, $"s{siteId}.");

    /// <summary>
    /// Reads a member name written by <see cref="Session"/> or <see cref="Path"/>: the site, and the path's index (null for
    /// the session member); false for any other name (the socket's interface).
    /// </summary>
    public static bool TryParse(string? member, out int siteId, out int? pathIndex)
    {
        siteId = 0;
        pathIndex = null;
        if (member is not { Length: > 1 } || member[0] != 's')
        {
            return false;
        }

        var rest = member.AsSpan(1);
        var dot = rest.IndexOf('.');
        var site = dot < 0 ? rest : rest[..dot];
        if (!Number(site, out siteId) || siteId < 1)
        {
            return false;
        }

        if (dot < 0)
        {
            return true;
        }

        if (!Number(rest[(dot + 1)..], out var index))
        {
            siteId = 0;
            return false;
        }

        pathIndex = index;
        return true;
    }

    // Digits only, no sign or leading zero, so every name has one spelling and "s01" is an interface, not a site.
    private static bool Number(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        if (digits.Length == 0 || (digits[0] == '0' && digits.Length > 1))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
