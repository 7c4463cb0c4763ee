using System.Net;
using Fleet.Agent.Backends.Mptcp;

namespace Fleet.Agent.Tests.Backends.Mptcp;

public sealed class MptcpParserTests
{
    [Fact]
    public void MptcpEndpoint_ParseList_ReadsIdsDevicesAndFlags()
    {
        var endpoints = MptcpEndpoint.ParseList(CapturedMptcp.EndpointsJson);

        Assert.Equal(2, endpoints.Count);
        Assert.Equal(new MptcpEndpoint(1, IPAddress.Parse("10.91.2.1"), "p2a6188", MptcpEndpointFlags.Subflow), endpoints[0]);
        Assert.Equal(new MptcpEndpoint(2, IPAddress.Parse("10.91.1.1"), "p1a6188", MptcpEndpointFlags.Subflow | MptcpEndpointFlags.Backup), endpoints[1]);
    }

    [Fact]
    public void MptcpEndpoint_ParseList_FlagsArrayForm_IsReadToo()
    {
        var endpoints = MptcpEndpoint.ParseList("""[{"address":"2001:db8::1","id":7,"flags":["signal","fullmesh"],"port":7000}]""");

        Assert.Equal(new MptcpEndpoint(7, IPAddress.Parse("2001:db8::1"), null, MptcpEndpointFlags.Signal | MptcpEndpointFlags.Fullmesh, 7000), endpoints.Single());
    }

    [Theory]
    [InlineData(CapturedMptcp.LimitsText, 2, 2)]
    [InlineData("add_addr_accepted 0 subflows 8 \n", 8, 0)]
    [InlineData("""{"add_addr_accepted":1,"subflows":3}""", 3, 1)]
    public void MptcpLimits_Parse_TextOrJson(string output, int subflows, int accepted) =>
        Assert.Equal(new MptcpLimits(subflows, accepted), MptcpLimits.Parse(output));

    [Fact]
    public void FlagsFor_BackupMember_AddsBackupToTheSpecFlags()
    {
        var member = new Fleet.Contracts.Links.MemberSpec
        {
            Interface = "eth2",
            AdminState = Fleet.Contracts.Links.MemberAdminState.Backup,
            MptcpFlags = [Fleet.Contracts.Links.MptcpEndpointFlag.Subflow, Fleet.Contracts.Links.MptcpEndpointFlag.Fullmesh],
        };

        var flags = MptcpEndpoint.FlagsFor(member);

        Assert.Equal(MptcpEndpointFlags.Subflow | MptcpEndpointFlags.Fullmesh | MptcpEndpointFlags.Backup, flags);
        Assert.Equal(["subflow", "backup", "fullmesh"], MptcpEndpoint.Words(flags));
    }

    [Fact]
    public void SsMptcpSnapshot_Parse_SplitsSubflowsAndConnections()
    {
        var snapshot = SsMptcpSnapshot.Parse(CapturedMptcp.SsAfterBackupChange);

        Assert.Equal(6, snapshot.Subflows.Count);
        Assert.Equal(2, snapshot.Connections.Count);

        var bound = snapshot.Subflows.Single(s => s.Local.Port == 60281);
        Assert.Equal(IPAddress.Parse("10.91.2.1"), bound.Local.Address);
        Assert.Equal("p2a31688", bound.Local.Device);
        Assert.Equal(new SsEndpoint(IPAddress.Parse("10.91.1.2"), 5299, null), bound.Remote);
        Assert.Equal("ESTAB", bound.State);
        Assert.Equal(54.331, bound.RttMs);
        Assert.Equal(9060456UL, bound.BytesSent);
        Assert.Equal(3639889UL, bound.BytesAcked);
        Assert.Equal(1810800UL, bound.BytesRetransmitted);
        Assert.Equal("9d765e5b", bound.ConnectionToken);
        Assert.Equal(1, bound.LocalId);
        Assert.False(bound.LocalBackup);

        var backup = snapshot.Subflows.Single(s => s.Local.Port == 50127);
        Assert.Equal("Jjbec", backup.Flags);
        Assert.True(backup.LocalBackup);
        Assert.False(backup.RemoteBackup);

        var initial = snapshot.Subflows.Single(s => s.Local.Port == 37104);
        Assert.Equal("Mmec", initial.Flags);
        Assert.Equal(0, initial.LocalId);
        Assert.Equal("9d765e5b", initial.ConnectionToken);

        var connection = snapshot.Connections.Single(c => c.Token == "9d765e5b");
        Assert.Equal(new SsEndpoint(IPAddress.Parse("10.91.1.1"), 37104, null), connection.Local);
        Assert.Equal(2, connection.Subflows);
        Assert.Equal(1, connection.AddAddrAccepted);
        Assert.Equal(2, connection.SubflowsMax);
    }

    [Fact]
    public void SsMptcpSnapshot_Parse_PlainTcpAndListeners_AreSkipped()
    {
        const string text = "tcp   LISTEN 0 4096 *:22 *:*\n\t cubic rto:1000\ntcp   ESTAB 0 0 [::ffff:10.0.0.1]:22 [::ffff:10.0.0.2]:5000\n\t cubic rtt:1.5/0.7 bytes_sent:100\n";

        var snapshot = SsMptcpSnapshot.Parse(text);

        Assert.Empty(snapshot.Subflows);
        Assert.Empty(snapshot.Connections);
        Assert.True(SsEndpoint.TryParse("[::ffff:10.0.0.1]:22", out var mapped));
        Assert.Equal(IPAddress.Parse("10.0.0.1"), mapped.Address);
        Assert.True(SsEndpoint.TryParse("[2001:db8::1%eth0]:443", out var v6));
        Assert.Equal(("eth0", 443), (v6.Device, v6.Port));
        Assert.False(SsEndpoint.TryParse("*:*", out _));
    }

    [Fact]
    public void MptcpEvent_Parse_MonitorLines()
    {
        var events = CapturedMptcp.Monitor.Split('\n').Select(l => MptcpEvent.Parse(l, DateTimeOffset.UnixEpoch)).ToList();

        Assert.All(events, Assert.NotNull);
        Assert.Equal(16, events.Count);
        var joined = events[4]!;
        Assert.Equal("SF_ESTABLISHED", joined.Type);
        Assert.True(joined.IsSubflowEvent);
        Assert.Equal("b871e86a", joined.Token);
        Assert.Equal(IPAddress.Parse("10.91.2.1"), joined.LocalAddress);
        Assert.Equal(IPAddress.Parse("10.91.1.2"), joined.RemoteAddress);
        Assert.Equal((1, 0, 41687, 5299), (joined.LocalId!.Value, joined.RemoteId!.Value, joined.LocalPort!.Value, joined.RemotePort!.Value));
        Assert.False(joined.Backup);
        Assert.Equal("ANNOUNCED", events[2]!.Type);
        Assert.Equal(IPAddress.Parse("10.91.2.2"), events[2]!.RemoteAddress);
        Assert.Null(events[2]!.LocalAddress);
        Assert.Equal(4, events.Count(e => e!.Type == "SF_CLOSED"));
        Assert.Equal("CLOSED", events[^1]!.Type);
        Assert.Null(MptcpEvent.Parse("", DateTimeOffset.UnixEpoch));
        Assert.Null(MptcpEvent.Parse("Monitoring...", DateTimeOffset.UnixEpoch));
        Assert.Equal(104, MptcpEvent.Parse("[     SF_CLOSED] token=1 locid=2 saddr6=2001:db8::1 daddr6=2001:db8::2 sport=1 dport=2 backup=1 error=104", DateTimeOffset.UnixEpoch)!.Error);
    }

    [Fact]
    public void MptcpCounters_ParseNstatJson_KeepsMptcpCountersWithoutPrefix()
    {
        var counters = MptcpCounters.ParseNstatJson(CapturedMptcp.NstatJson);

        Assert.Equal(2, counters["MPCapableSYNTX"]);
        Assert.Equal(4, counters["MPJoinSynAckRx"]);
        Assert.Equal(4, counters["MPPrioTx"]);
        Assert.Equal(3, counters["MPFastcloseRx"]);
        Assert.False(counters.ContainsKey("IpInReceives"));
        Assert.All(counters.Keys, k => Assert.False(k.StartsWith("MPTcpExt", StringComparison.Ordinal)));
    }

    [Fact]
    public void MptcpMonitor_Accept_KeepsLastSubflowEventPerAddressAndReadsSinceCursor()
    {
        var runner = new Kernel.RecordingCommandRunner();
        var monitor = new MptcpMonitor(Fleet.Agent.Backends.Kernel.KernelContext.Host(runner, runner), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var lines = CapturedMptcp.Monitor.Split('\n');
        foreach (var line in lines.Take(5))
        {
            monitor.Accept(line);
        }

        long cursor = 0;
        Assert.Equal(5, monitor.Since(ref cursor).Count);
        Assert.Equal(5, cursor);
        foreach (var line in lines.Skip(5))
        {
            monitor.Accept(line);
        }

        Assert.Equal(11, monitor.Since(ref cursor).Count);
        Assert.Empty(monitor.Since(ref cursor));
        Assert.Equal("SF_CLOSED", monitor.LastSubflowEvent(IPAddress.Parse("10.91.2.1"))!.Type);
        Assert.Null(monitor.LastSubflowEvent(IPAddress.Parse("10.91.1.1")));
    }
}
