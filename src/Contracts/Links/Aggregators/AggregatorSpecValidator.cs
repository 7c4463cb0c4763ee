using System.Net;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Links.Aggregators;

/// <summary>Every error of an <see cref="AggregatorSpec"/>; a site's own options are checked as its link spec would be.</summary>
public static class AggregatorSpecValidator
{
    /// <summary>Sites one aggregator serves at most.</summary>
    public const int MaxSites = 4096;

    public static IReadOnlyList<ValidationError> Validate(AggregatorSpec spec)
    {
        var errors = new SpecErrors();
        errors.InterfaceName("name", spec.Name);
        errors.InterfaceName("interface", spec.Interface);
        errors.IpAddress("address", spec.Address);
        errors.Range("port", spec.Port, 1, 65535);
        errors.Range("mtu", spec.Mtu, 576, 65535);
        for (var i = 0; i < spec.Addresses.Count; i++)
        {
            errors.Cidr($"addresses[{i}]", spec.Addresses[i]);
        }

        if (spec.Sites.Count > MaxSites)
        {
            errors.Add("sites", $"an aggregator serves at most {MaxSites} sites");
        }

        var ids = new HashSet<int>();
        var prefixes = new List<(IPNetwork Network, string Path)>();
        for (var i = 0; i < spec.Sites.Count; i++)
        {
            var site = spec.Sites[i];
            var path = $"sites[{i}]";
            errors.Range($"{path}.id", site.Id, 1, int.MaxValue);
            if (!ids.Add(site.Id))
            {
                errors.Add($"{path}.id", $"site id {site.Id} is used by another site");
            }

            errors.Range($"{path}.paths", site.Paths, 1, LinkSpecValidator.MaxMembers);
            if (site.Prefixes.Count == 0)
            {
                errors.Add($"{path}.prefixes", "a site needs at least one inner prefix");
            }

            for (var j = 0; j < site.Prefixes.Count; j++)
            {
                var prefixPath = $"{path}.prefixes[{j}]";
                if (!TryParsePrefix(site.Prefixes[j], out var network))
                {
                    errors.Add(prefixPath, $"'{site.Prefixes[j]}' is not a prefix (e.g. 10.99.3.0/24, no host bits)");
                    continue;
                }

                foreach (var (other, otherPath) in prefixes)
                {
                    if (other.Contains(network.BaseAddress) || network.Contains(other.BaseAddress))
                    {
                        errors.Add(prefixPath, $"{network} overlaps {other} ({otherPath})");
                    }
                }

                prefixes.Add((network, prefixPath));
            }

            if (site.Paths is >= 1 and <= LinkSpecValidator.MaxMembers)
            {
                // The site's options as its link: key, scheduler, intervals. Member errors cannot arise from a valid
                // aggregator (its interface and port are checked above), so only the striper options' are reported.
                foreach (var error in LinkSpecValidator.Validate(site.ToLinkSpec(spec)))
                {
                    // The site id is the site's own (reported at sites[i].id).
                    if (error.Path.StartsWith("striper", StringComparison.Ordinal) && error.Path != StriperFields.SiteId)
                    {
                        errors.Add($"{path}.{error.Path}", error.Message);
                    }
                }
            }
        }

        return errors.Errors;
    }

    /// <summary>A prefix without host bits: the aggregator routes and checks by it, so 10.99.3.1/24 is a mistake, not 10.99.3.0/24.</summary>
    private static bool TryParsePrefix(string? text, out IPNetwork network)
    {
        network = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0 && IPNetwork.TryParse(text, out network)
            && StrictIp.TryParse(text![..slash], out var address) && address.Equals(network.BaseAddress);
    }
}
