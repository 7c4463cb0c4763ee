namespace Fleet.Contracts.Links.Classes;

/// <summary>
/// Whether one class match takes every packet another one would: then the later class can never match. Exact for the
/// fields one by one (each of the later class's prefixes within one of the earlier's, its port ranges within the
/// union of the earlier's, its DSCP set a subset); a class covered only by several earlier classes together is not
/// detected.
/// </summary>
internal static class MatchCoverage
{
    public static bool Covers(ClassMatch earlier, ClassMatch later)
    {
        if (earlier.Protocol >= 0 && earlier.Protocol != later.Protocol)
        {
            return false;
        }

        if (earlier.DscpMask != 0 && (later.DscpMask == 0 || (later.DscpMask & ~earlier.DscpMask) != 0))
        {
            return false;
        }

        return PrefixesCover(earlier.Sources, later.Sources) && PrefixesCover(earlier.Destinations, later.Destinations)
            && PortsCover(earlier.SourcePorts, later.SourcePorts) && PortsCover(earlier.DestinationPorts, later.DestinationPorts);
    }

    private static bool PrefixesCover(IpPrefix[] earlier, IpPrefix[] later)
    {
        if (earlier.Length == 0)
        {
            return true;
        }

        if (later.Length == 0)
        {
            return false;
        }

        foreach (var prefix in later)
        {
            if (!Array.Exists(earlier, e => e.Covers(prefix)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool PortsCover(PortRange[] earlier, PortRange[] later)
    {
        if (earlier.Length == 0)
        {
            return true;
        }

        if (later.Length == 0)
        {
            return false;
        }

        foreach (var range in later)
        {
            // Walk the range through the earlier ranges (they do not overlap each other).
            var cursor = range.Low;
            while (cursor <= range.High)
            {
                var next = Array.FindIndex(earlier, e => e.Contains(cursor));
                if (next < 0)
                {
                    return false;
                }

                cursor = earlier[next].High + 1;
            }
        }

        return true;
    }
}
