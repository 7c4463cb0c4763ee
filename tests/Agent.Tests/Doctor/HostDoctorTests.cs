using Fleet.Agent.Doctor;
using Fleet.Agent.SpeedTests;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Doctor;

/// <summary>The doctor's model built from fixed local data: a host's links and the samples measured on it.</summary>
public sealed class HostDoctorTests
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000a01");
    private static readonly Guid s_other = Guid.Parse("0197a000-0000-7000-8000-000000000a02");
    private static readonly DateTimeOffset s_start = new(2026, 12, 6, 21, 0, 0, TimeSpan.Zero);

    internal static MemberSample Sample(Guid link, string member, int second, long bytes = 1_250_000, double? rtt = 20, double? loss = 0, MemberHealth health = MemberHealth.Up) => new()
    {
        LinkId = link,
        Member = member,
        Time = s_start.AddSeconds(second),
        IntervalMs = 1000,
        TxBytes = bytes,
        RxBytes = 0,
        RttMs = rtt,
        LossPercent = loss,
        Health = health,
    };

    private static LocalMeasurement Measured(params MemberSample[] samples) => new(s_start, s_start.AddSeconds(6), samples, AgentRunning: true);

    // Paths faster than the test's rate limit took all it offered: their capacity is a lower bound, and reading it as a
    // measurement made every gigabit path "shaped upstream" and its weights "mismatched".
    [Fact]
    public void WithMeasurements_APathTheTestDidNotFill_KeepsNoCapacity()
    {
        var link = new LocalLink(s_link, Specs.Striper("str0", "eth0", "eth1"));
        var evidence = HostDoctor.Evidence(link, Measured(Sample(s_link, "eth0", 1), Sample(s_link, "eth1", 1)));
        static PathSpeedResult Path(string member, double capacity, bool saturated) =>
            new(member, Measured: true, Problem: null, capacity, capacity, 100e6, 0.1, 50, 0, saturated);
        var result = new SpeedTestResult(s_start, TimeSpan.FromSeconds(3), SpeedTestResult.ToPeer, [Path("eth0", 30e6, saturated: true), Path("eth1", 100e6, saturated: false)], 130e6, null);
        var test = new LinkSpeedTest(link, new SpeedTestFileResult(Guid.NewGuid(), "str0", result, null, new Dictionary<string, double> { ["eth0"] = 1e9, ["eth1"] = 1e9 }), null);

        var measured = HostSpeedTests.WithMeasurements(evidence, test);

        Assert.Equal(30e6, measured.Members[0].MeasuredCapacityBitsPerSecond);
        Assert.Null(measured.Members[1].MeasuredCapacityBitsPerSecond);
        Assert.DoesNotContain(MeasuredCapacityRules.Diagnose(measured, new DoctorThresholds()), f => f.Member == "eth1");
    }

    [Fact]
    public void Evidence_FixedSamples_NumbersPerMemberOverTheSamplesWindow()
    {
        var link = new LocalLink(s_link, Specs.Striper("str0", "eth0", "eth1"));
        var measurement = Measured(
            Sample(s_link, "eth0", 1, rtt: 20), Sample(s_link, "eth0", 2, rtt: 40), Sample(s_link, "eth0", 3, rtt: 30),
            Sample(s_link, "eth1", 1, bytes: 0, loss: 2, health: MemberHealth.Down), Sample(s_link, "eth1", 2, bytes: 0, loss: 4),
            Sample(s_other, "eth0", 2, bytes: 999_999_999));

        var evidence = HostDoctor.Evidence(link, measurement);

        // The window is what the samples cover: from the start of the first interval to the end of the last.
        Assert.Equal((s_start, s_start.AddSeconds(3)), (evidence.From, evidence.To));
        Assert.Equal("over the last 3 s", evidence.Window);
        var (eth0, eth1) = (evidence.Members[0], evidence.Members[1]);
        Assert.Equal(("eth0", 3, 10e6, 30.0, 0.0), (eth0.Member, eth0.Samples, eth0.BitsPerSecond, eth0.RttMs, eth0.DownShare));
        Assert.Equal(("eth1", 2, 0.0, 3.0, 0.5), (eth1.Member, eth1.Samples, eth1.BitsPerSecond, eth1.LossPercent, eth1.DownShare));
    }

    [Fact]
    public void Diagnose_LossyMember_LimitedWithTheFindingNamingIt()
    {
        var link = new LocalLink(s_link, Specs.Striper("str0", "eth0", "eth1"));
        var samples = Enumerable.Range(1, 5).SelectMany(i => new[] { Sample(s_link, "eth0", i, loss: 0), Sample(s_link, "eth1", i, loss: 6) }).ToArray();

        var diagnosis = Assert.Single(HostDoctor.Diagnose([link], Measured(samples)));

        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        var top = diagnosis.Findings[0];
        Assert.Equal(("lossy_member", "eth1"), (top.Code, top.Member));
        Assert.Contains("loss 6 % on eth1", top.Observed, StringComparison.Ordinal);
        Assert.Contains("over the last 5 s", top.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_NoSamplesForTheLink_NoDataOverTheMeasurement()
    {
        var link = new LocalLink(s_link, Specs.Striper("str0", "eth0", "eth1"));

        var diagnosis = Assert.Single(HostDoctor.Diagnose([link], Measured(Sample(s_other, "eth0", 1))));

        Assert.Equal(DoctorVerdict.NoData, diagnosis.Verdict);
        Assert.Equal((s_start, s_start.AddSeconds(6)), (diagnosis.From, diagnosis.To));
        Assert.All(diagnosis.Members, m => Assert.Equal(0, m.Samples));
    }

    [Fact]
    public void Diagnose_HealthyBusyLink_HealthyAndNoFinding()
    {
        var link = new LocalLink(s_link, Specs.Striper("str0", "eth0", "eth1"));
        var samples = Enumerable.Range(1, 5).SelectMany(i => new[] { Sample(s_link, "eth0", i), Sample(s_link, "eth1", i) }).ToArray();

        var diagnosis = Assert.Single(HostDoctor.Diagnose([link], Measured(samples)));

        Assert.Equal(DoctorVerdict.Healthy, diagnosis.Verdict);
        Assert.Empty(diagnosis.Findings);
    }
}
