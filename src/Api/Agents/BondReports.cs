using System.Text.RegularExpressions;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Api.Agents;

/// <summary>
/// An agent's bond report (<see cref="ObservedLinkState.Bond"/>) as the Api stores it: only members with an interface
/// name, numbers in range and a MAC address in the driver's form, so a broken or hostile agent cannot put text the
/// dashboard would show, or a report of any size, in the link's row.
/// </summary>
public static partial class BondReports
{
    /// <summary>The most members a bond report keeps (the kernel allows more; no bond Fleet manages comes near it).</summary>
    public const int MaxMembers = 64;

    /// <summary>The storable form of <paramref name="bond"/>; null for none or when it is not a bond report at all.</summary>
    public static ObservedBond? Storable(ObservedBond? bond)
    {
        if (bond is null || bond.MiimonMs < 0 || bond.ArpIntervalMs < 0 || bond.Members is null || bond.Members.Count > MaxMembers)
        {
            return null;
        }

        return bond with
        {
            ActiveAggregatorId = bond.ActiveAggregatorId is >= 0 ? bond.ActiveAggregatorId : null,
            Members = [.. bond.Members
                .Where(m => m is not null && InterfaceName.IsValid(m.Member))
                .Select(m => m with
                {
                    SpeedMbps = m.SpeedMbps is > 0 ? m.SpeedMbps : null,
                    AggregatorId = m.AggregatorId is >= 0 ? m.AggregatorId : null,
                    PartnerMacAddress = m.PartnerMacAddress is { } mac && Mac().IsMatch(mac) ? mac : null,
                })],
        };
    }

    [GeneratedRegex("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", RegexOptions.CultureInvariant)]
    private static partial Regex Mac();
}
