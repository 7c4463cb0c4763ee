using Fleet.Api.Agents;
using Fleet.Contracts.Agents;

namespace Fleet.Api.Tests.Agents;

/// <summary>An agent's bond report as the Api stores it: numbers in range, interface names and MACs in their form, bounded.</summary>
public sealed class BondReportsTests
{
    [Fact]
    public void Storable_BadValues_DroppedOrCleared()
    {
        var report = new ObservedBond
        {
            MiimonMs = 100,
            ActiveAggregatorId = -1,
            Members =
            [
                new ObservedBondMember { Member = "eth1", SpeedMbps = -5, AggregatorId = -2, PartnerMacAddress = "<b>00:1b</b>" },
                new ObservedBondMember { Member = "not an interface name", SpeedMbps = 1000 },
                new ObservedBondMember { Member = "eth2", SpeedMbps = 1000, AggregatorId = 1, PartnerMacAddress = "00:1b:21:3c:9d:40" },
            ],
        };

        var stored = BondReports.Storable(report)!;

        Assert.Null(stored.ActiveAggregatorId);
        Assert.Equal(
            [
                new ObservedBondMember { Member = "eth1" },
                new ObservedBondMember { Member = "eth2", SpeedMbps = 1000, AggregatorId = 1, PartnerMacAddress = "00:1b:21:3c:9d:40" },
            ],
            stored.Members);
    }

    [Fact]
    public void Storable_NegativeIntervalOrTooManyMembers_NotStored()
    {
        Assert.Null(BondReports.Storable(new ObservedBond { MiimonMs = -1 }));
        Assert.Null(BondReports.Storable(new ObservedBond { Members = [.. Enumerable.Range(0, BondReports.MaxMembers + 1).Select(i => new ObservedBondMember { Member = $"eth{i}" })] }));
        Assert.Null(BondReports.Storable(null));
    }
}
