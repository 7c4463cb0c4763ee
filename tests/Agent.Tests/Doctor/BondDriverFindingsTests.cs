using Fleet.Agent.Backends.Bonding;
using Fleet.Agent.Doctor;
using Fleet.Agent.Tests.Backends.Bonding;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Doctor;

/// <summary>
/// The bond findings from the driver's own text: <c>/proc/net/bonding</c> parsed as the backend parses it, reported as
/// the daemon puts it in status.json, judged by <c>fleet-agent doctor</c>'s model over samples of a loaded link.
/// </summary>
public sealed class BondDriverFindingsTests
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000b01");
    private static readonly DateTimeOffset s_start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static Diagnosis Diagnose(LinkSpec spec, string procText)
    {
        var samples = Enumerable.Range(1, 5)
            .SelectMany(i => spec.Members.Select(m => HostDoctorTests.Sample(s_link, m.Interface, i, bytes: 5_000_000, rtt: 1)))
            .ToArray();
        var measurement = new LocalMeasurement(s_start, s_start.AddSeconds(6), samples, AgentRunning: true)
        {
            Bonds = new Dictionary<Guid, ObservedBond> { [s_link] = BondReport.From(BondProcStatus.Parse(procText)) },
        };
        return Assert.Single(HostDoctor.Diagnose([new LocalLink(s_link, spec)], measurement));
    }

    [Fact]
    public void Diagnose_8023adPortTheSwitchDoesNotAggregate_LacpNotAggregatingOnTop()
    {
        var diagnosis = Diagnose(Specs.Bond(mode: BondMode.Ieee8023ad, members: ["up1", "up2"]), WrittenBonding.ProcLacpPartnerMissingOnUp2);

        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        var top = diagnosis.Findings[0];
        Assert.Equal(("lacp_not_aggregating", "up2"), (top.Code, top.Member));
        Assert.Equal("up2: partner MAC 00:00:00:00:00:00 (no LACPDU received), aggregator 2; the bond's active aggregator is 1 (up1); as the bonding driver reports it now", top.Observed);
        Assert.Contains("switch's LACP (port-channel) configuration for the port up2", top.Suggestion, StringComparison.Ordinal);
        Assert.DoesNotContain(diagnosis.Findings, f => f.Code == "lacp_not_aggregating" && f.Member == "up1");
    }

    [Fact]
    public void Diagnose_BalanceRrOverGigabitAndFastEthernet_UnequalSpeedsOnTop()
    {
        var diagnosis = Diagnose(Specs.Bond(mode: BondMode.BalanceRoundRobin, members: ["up1", "up2"]), WrittenBonding.ProcRoundRobinGigabitAndFastEthernet);

        var top = diagnosis.Findings[0];
        Assert.Equal(("unequal_speeds", "up2"), (top.Code, top.Member));
        Assert.StartsWith("link speeds up1 1000 Mbit/s, up2 100 Mbit/s", top.Observed, StringComparison.Ordinal);
        Assert.Equal([1e9, 100e6], diagnosis.Members.Select(m => m.InterfaceSpeedBitsPerSecond!.Value));
    }

    [Fact]
    public void Diagnose_AdoptedActiveBackupWithoutMonitor_MiimonOffOnTop()
    {
        var spec = Specs.Bond(mode: BondMode.ActiveBackup, members: ["up1", "up2"]) with { Adopt = true };

        var diagnosis = Diagnose(spec, WrittenBonding.ProcActiveBackupNoMonitor);

        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        Assert.Equal(("miimon_off", "miimon 0 ms and arp_interval 0 ms on bond0, as the kernel has them now"), (diagnosis.Findings[0].Code, diagnosis.Findings[0].Observed));
    }

    [Fact]
    public void Diagnose_CapturedConvergedLacp_NoDriverFinding()
    {
        var diagnosis = Diagnose(Specs.Bond(mode: BondMode.Ieee8023ad, members: ["a1", "a2"]), CapturedBonding.ProcLacp);

        Assert.DoesNotContain(diagnosis.Findings, f => f.Code is "lacp_not_aggregating" or "miimon_off");
        Assert.Equal(DoctorVerdict.Healthy, diagnosis.Verdict);
    }
}
