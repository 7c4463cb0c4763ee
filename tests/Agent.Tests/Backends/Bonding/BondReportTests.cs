using Fleet.Agent.Backends.Bonding;
using Fleet.Contracts.Agents;

namespace Fleet.Agent.Tests.Backends.Bonding;

/// <summary>What the agent reports of a bond for the doctor, read from the driver's status file.</summary>
public sealed class BondReportTests
{
    [Fact]
    public void From_LacpPortWithoutPartner_AggregatorsAndPartnerMacPerMember()
    {
        var report = BondReport.From(BondProcStatus.Parse(WrittenBonding.ProcLacpPartnerMissingOnUp2));

        Assert.Equal((100, 0, (int?)1), (report.MiimonMs, report.ArpIntervalMs, report.ActiveAggregatorId));
        Assert.Equal(
            [
                new ObservedBondMember { Member = "up1", SpeedMbps = 1000, AggregatorId = 1, PartnerMacAddress = "00:1b:21:3c:9d:40" },
                new ObservedBondMember { Member = "up2", SpeedMbps = 1000, AggregatorId = 2, PartnerMacAddress = "00:00:00:00:00:00" },
            ],
            report.Members);
    }

    [Fact]
    public void From_CapturedConvergedLacp_BothPortsInTheActiveAggregatorWithThePartner()
    {
        var report = BondReport.From(BondProcStatus.Parse(CapturedBonding.ProcLacp));

        Assert.Equal(1, report.ActiveAggregatorId);
        Assert.All(report.Members, m => Assert.Equal((10000, (int?)1, "76:9d:b2:f9:6e:75"), (m.SpeedMbps!.Value, m.AggregatorId, m.PartnerMacAddress)));
    }

    [Fact]
    public void From_RoundRobin_SpeedsAndNoLacp()
    {
        var report = BondReport.From(BondProcStatus.Parse(WrittenBonding.ProcRoundRobinGigabitAndFastEthernet));

        Assert.Null(report.ActiveAggregatorId);
        Assert.Equal([(1000, null, null), (100, null, null)], report.Members.Select(m => (m.SpeedMbps, m.AggregatorId, m.PartnerMacAddress)));
    }

    [Fact]
    public void From_ArpMonitoredCapture_ArpIntervalAndMiimonOff()
    {
        var report = BondReport.From(BondProcStatus.Parse(CapturedBonding.ProcRoundRobinArp));

        Assert.Equal((0, 200), (report.MiimonMs, report.ArpIntervalMs));
    }

    [Fact]
    public void From_NoMonitor_BothIntervalsZero()
    {
        var report = BondReport.From(BondProcStatus.Parse(WrittenBonding.ProcActiveBackupNoMonitor));

        Assert.Equal((0, 0), (report.MiimonMs, report.ArpIntervalMs));
    }
}
