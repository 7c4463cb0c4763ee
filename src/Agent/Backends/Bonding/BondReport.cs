using Fleet.Contracts.Agents;

namespace Fleet.Agent.Backends.Bonding;

/// <summary>
/// What the agent reports of a bond for the doctor (<see cref="ObservedBond"/>), read from the driver's status file
/// alone: it has the monitor intervals, each member's speed and, in 802.3ad, each port's aggregator and the partner
/// its last LACPDU named, in one read.
/// </summary>
public static class BondReport
{
    /// <summary>The report of the bond whose <c>/proc/net/bonding</c> file is <paramref name="status"/>.</summary>
    public static ObservedBond From(BondProcStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new ObservedBond
        {
            // The driver prints "MII Polling Interval" always and "ARP Polling Interval" only while ARP monitoring is on.
            MiimonMs = status.MiiPollingIntervalMs ?? 0,
            ArpIntervalMs = status.ArpPollingIntervalMs ?? 0,
            ActiveAggregatorId = status.ActiveAggregatorId,
            Members = [.. status.Members.Select(m => new ObservedBondMember
            {
                Member = m.Name,
                SpeedMbps = m.SpeedMbps,
                AggregatorId = m.AggregatorId,
                PartnerMacAddress = m.Partner?.SystemMacAddress?.ToLowerInvariant(),
            })],
        };
    }
}
