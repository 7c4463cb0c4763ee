using Fleet.Agent.Hub;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// The real Api's agent hub in both protocols it accepts: MessagePack (today's agents) and JSON (agents from before it,
/// during a rolling upgrade). Each carries a whole rollout (spec, commit-confirm) and a batch, enums, nulls and a
/// non-UTC offset included.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class AgentHubProtocolTests(PostgresFixture postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(AgentHubProtocol.MessagePack)]
    [InlineData(AgentHubProtocol.Json)]
    public async Task AgentOnEitherProtocol_GetsItsSpecConfirmedAndItsSamplesStored(AgentHubProtocol protocol)
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (agent, hostId) = await fleet.EnrollAgentAsync();
        await using var connection = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, RawAgentConnection.CredentialOf(agent.DataDirectory), protocol);
        var applied = new TaskCompletionSource<DesiredLink>(TaskCreationOptions.RunContinuationsAsynchronously);
        var confirmed = new TaskCompletionSource<LinkConfirmation>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<DesiredLink>(nameof(IAgentClient.ApplyLink), link => applied.TrySetResult(link));
        connection.On<LinkConfirmation>(nameof(IAgentClient.ConfirmLink), confirmation => confirmed.TrySetResult(confirmation));

        var hello = await connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), new AgentHello
        {
            Hostname = "protocol-" + protocol,
            AgentVersion = "old",
            KernelVersion = "6.1",
            Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Mptcp) with { Notes = new Dictionary<string, string> { ["teql"] = "no sch_teql" } },
            Interfaces = [new InterfaceInventory("eth0", "ether", null, 1500, true, []), new InterfaceInventory { Name = "eth1", Mtu = 1500, Up = true }],
        }, Cancel);
        Assert.Equal(hostId, hello.HostId);
        Assert.Empty(hello.Links);
        var host = await fleet.Rest.GetHostAsync(hostId);
        Assert.True(host.Capabilities?.Supports(LinkKind.Mptcp));

        // Api → agent: the spec, with its enums and options, arrives as it was written.
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        var desired = await applied.Task.WaitAsync(TimeSpan.FromSeconds(60), Cancel);
        Assert.Equal((link.Id, 1L), (desired.LinkId, desired.Generation));
        Assert.True(LinkSpecEquality.AreEquivalent(E2ESpecs.Bond(), desired.Spec));

        // Agent → Api: commit-confirm over the hub, then Applied.
        var offset = TimeSpan.FromHours(2);
        await connection.InvokeAsync(nameof(IAgentHub.ReportLinkState), new ObservedLinkState
        {
            LinkId = link.Id, ObservedGeneration = 1, TargetGeneration = 1, Phase = LinkPhase.Applying, AwaitingConfirm = true, Time = DateTimeOffset.UtcNow.ToOffset(offset),
        }, Cancel);
        Assert.Equal(new LinkConfirmation(link.Id, 1), await confirmed.Task.WaitAsync(TimeSpan.FromSeconds(60), Cancel));
        await connection.InvokeAsync(nameof(IAgentHub.ReportLinkState), new ObservedLinkState
        {
            LinkId = link.Id, ObservedGeneration = 1, TargetGeneration = 1, Phase = LinkPhase.Applied, Time = DateTimeOffset.UtcNow.ToOffset(offset),
        }, Cancel);
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 1, "Applied recorded");

        // A batch with a non-UTC time, a measured and an absent RTT, and an event: acknowledged and stored as sent.
        var time = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, TimeSpan.Zero).ToOffset(offset);
        var batch = new SampleBatch
        {
            Sequence = 1,
            Samples =
            [
                new MemberSample { LinkId = link.Id, Member = "eth0", Time = time, IntervalMs = 1000, TxBytes = 4242, RttMs = 1.5, Health = MemberHealth.Up },
                new MemberSample { LinkId = link.Id, Member = "eth1", Time = time, IntervalMs = 1000, TxBytes = 4343, Health = MemberHealth.Degraded },
            ],
            Events = [new AgentEvent { Time = time, Kind = AgentEventKind.MemberDegraded, Severity = EventSeverity.Warning, LinkId = link.Id, Member = "eth1", Message = "loss" }],
        };
        var ack = await connection.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), batch, Cancel);

        Assert.Equal(new BatchAck(1), ack);
        Assert.Equal(2, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l AND time = @t AND tx_bytes IN (4242, 4343)", ("l", link.Id), ("t", time.UtcDateTime)));
        Assert.Equal(1.5, await fleet.Database.ScalarAsync<double>("SELECT rtt_ms FROM samples WHERE link_id = @l AND member = 'eth0'", ("l", link.Id)));
        Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l AND member = 'eth1' AND rtt_ms IS NOT NULL", ("l", link.Id)));
        await Eventually.TrueAsync(
            async () => await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM events WHERE link_id = @l AND kind = 'MemberDegraded'", ("l", link.Id)) == 1,
            "the event stored");
    }
}
