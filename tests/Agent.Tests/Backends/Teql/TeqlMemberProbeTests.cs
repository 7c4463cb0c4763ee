using Fleet.Agent.Backends.Teql;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Backends.Teql;

public sealed class TeqlMemberProbeTests
{
    [Fact]
    public void Record_FailuresThenAnswers_GoesDownAfterNAndBackAfterTwo()
    {
        var probe = new TeqlMemberProbe();
        Assert.Equal(MemberHealth.Unknown, probe.Health);

        probe.Record(0.4, null, downAfterFailedProbes: 3);
        Assert.Equal(MemberHealth.Up, probe.Health);
        Assert.Equal(0.4, probe.LastRttMs);

        probe.Record(null, "no reply", 3);
        probe.Record(null, "no reply", 3);
        Assert.Equal(MemberHealth.Degraded, probe.Health);
        Assert.Equal(2, probe.ConsecutiveFailures);

        probe.Record(null, "no reply", 3);
        Assert.Equal(MemberHealth.Down, probe.Health);
        Assert.Equal("no reply", probe.LastError);

        probe.Record(0.5, null, 3);
        Assert.Equal(MemberHealth.Down, probe.Health);
        probe.Record(0.5, null, 3);
        Assert.Equal(MemberHealth.Up, probe.Health);
        Assert.Equal(0, probe.ConsecutiveFailures);
        Assert.Equal(6, probe.Probes);
        Assert.Equal(50, probe.LossPercent);
    }

    [Fact]
    public void LossPercent_ManyProbes_CountsTheLastTen()
    {
        var probe = new TeqlMemberProbe();
        for (var i = 0; i < 10; i++)
        {
            probe.Record(null, "no reply", 100);
        }

        for (var i = 0; i < 7; i++)
        {
            probe.Record(1, null, 100);
        }

        Assert.Equal(30, probe.LossPercent);
    }

    [Fact]
    public void Record_AnsweredProbes_GiveTheJitterOfSuccessiveRtts()
    {
        var probe = new TeqlMemberProbe();
        probe.Record(10, null, 3);
        Assert.Null(probe.Snapshot().JitterMs);

        // A lost probe in between is no RTT: the next answer is compared with the last one answered.
        probe.Record(null, "no reply", 3);
        probe.Record(26, null, 3);

        Assert.Equal(1.0, probe.Snapshot().JitterMs);
    }

    [Fact]
    public void Snapshot_LaterProbes_LeaveTheCopyAsItWas()
    {
        var probe = new TeqlMemberProbe();
        probe.Record(2.5, null, 3);
        probe.Record(null, "no reply", 3);

        var snapshot = probe.Snapshot();
        for (var i = 0; i < 5; i++)
        {
            probe.Record(null, "unreachable", 3);
        }

        Assert.Equal(new TeqlProbeSnapshot(MemberHealth.Degraded, 1, 2, 2.5, 50, "no reply", null), snapshot);
        Assert.Equal(MemberHealth.Down, probe.Snapshot().Health);
        Assert.Equal(6, probe.Snapshot().ConsecutiveFailures);
    }

    [Fact]
    public async Task Snapshot_TakenWhileAnotherThreadRecordsUnderTheSameLock_NeverThrows()
    {
        // The backend's observer and its probe loop: the loop records under the link's lock, readers copy under it.
        var probe = new TeqlMemberProbe();
        var gate = new Lock();
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var writer = Task.Run(() =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                lock (gate)
                {
                    probe.Record(i++ % 3 == 0 ? null : 1.0, "no reply", 3);
                }
            }
        }, TestContext.Current.CancellationToken);

        var reads = 0;
        while (!writer.IsCompleted)
        {
            TeqlProbeSnapshot snapshot;
            lock (gate)
            {
                snapshot = probe.Snapshot();
            }

            Assert.InRange(snapshot.LossPercent ?? 0, 0, 100);
            reads++;
        }

        await writer;
        Assert.True(reads > 0);
    }

    [Fact]
    public void SelectCarrying_Health_PrefersActiveThenBackupThenAll()
    {
        MemberSpec[] members =
        [
            new() { Interface = "eth1" },
            new() { Interface = "eth2" },
            new() { Interface = "eth3", AdminState = MemberAdminState.Backup },
            new() { Interface = "eth4", AdminState = MemberAdminState.Disabled },
        ];
        IReadOnlyList<string> With(params (string Name, MemberHealth Health)[] health) =>
            TeqlMemberProbe.SelectCarrying(members, name => health.FirstOrDefault(h => h.Name == name).Health);

        Assert.Equal(["eth1", "eth2"], With());
        Assert.Equal(["eth1"], With(("eth2", MemberHealth.Down)));
        Assert.Equal(["eth1", "eth2"], With(("eth2", MemberHealth.Degraded)));
        Assert.Equal(["eth3"], With(("eth1", MemberHealth.Down), ("eth2", MemberHealth.Down)));
        Assert.Equal(["eth1", "eth2", "eth3"], With(("eth1", MemberHealth.Down), ("eth2", MemberHealth.Down), ("eth3", MemberHealth.Down)));
    }

    [Theory]
    [InlineData(0, "PING 10.62.1.2 (10.62.1.2) from 10.62.1.1 a1: 56(84) bytes of data.\n\n--- 10.62.1.2 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.442/0.442/0.442/0.000 ms\n", 0.442)]
    [InlineData(1, "PING 10.62.2.2 (10.62.2.2) from 10.62.2.1 a2: 56(84) bytes of data.\n\n--- 10.62.2.2 ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss, time 0ms\n", null)]
    [InlineData(2, "", null)]
    public void PingReply_RoundTripMs_ReadsIputilsSummary(int exitCode, string output, double? rtt) =>
        Assert.Equal(rtt, PingReply.RoundTripMs(exitCode, output));
}
