using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Issue 10 (High 1) and issue 21: a batch PostgreSQL cannot store (a NUL character in an event message) is refused
/// alone, with the reason, and never holds up the batches of other hosts that the group commit writes with it.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PoisonBatchTests(PostgresFixture postgres)
{
    [Fact]
    public async Task NulInEventMessage_RefusedAloneWithReason_OtherHostsBatchesStored()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var hosts = await fleet.EnrollHostsAsync(2, "nul");
        var (hostA, credentialA) = hosts[0];
        var (hostB, credentialB) = hosts[1];
        var linkB = await fleet.Rest.CreateLinkAsync(hostB, E2ESpecs.Bond());
        await using var a = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, credentialA);
        await using var b = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, credentialB);
        await a.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), RawAgentConnection.Hello("a"), TestContext.Current.CancellationToken);
        await b.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), RawAgentConnection.Hello("b"), TestContext.Current.CancellationToken);

        // A keeps four copies of its bad batch queued at all times, so B's batches share group commits with it.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var poisoners = Enumerable.Range(0, 4).Select(_ => ResendAsync(a, MisbehavingAgents.PoisonBatch(1), stop.Token)).ToList();

        var t0 = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var sequence = 1; sequence <= 20; sequence++)
        {
            var batch = new SampleBatch
            {
                Sequence = sequence,
                Samples = [new MemberSample { LinkId = linkB.Id, Member = "eth0", Time = t0.AddSeconds(sequence), IntervalMs = 1000, TxBytes = sequence }],
            };
            var ack = await b.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), batch, TestContext.Current.CancellationToken);
            Assert.Equal(new BatchAck(sequence), ack);
        }

        await stop.CancelAsync();
        var acks = (await Task.WhenAll(poisoners)).SelectMany(x => x).ToList();

        Assert.NotEmpty(acks);
        Assert.All(acks, ack => Assert.Contains("U+0000", ack.Rejected ?? "(stored)", StringComparison.Ordinal));
        Assert.Contains("events[0].message", acks[0].Rejected!, StringComparison.Ordinal);
        Assert.Equal(20, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l", ("l", linkB.Id)));
        Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM ingested_batches WHERE host_id = @h", ("h", hostA)));
    }

    [Fact]
    public async Task NulInStateErrorAndHello_StoredWithoutIt()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (hostId, credential) = (await fleet.EnrollHostsAsync(1, "nulstate"))[0];
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        await using var agent = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, credential);
        var hello = RawAgentConnection.Hello("nul\0host") with
        {
            KernelVersion = "6.1\0",
            Capabilities = AgentCapabilities.Of(LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper) with { Notes = new Dictionary<string, string> { ["bonding"] = "no\0module" } },
        };

        await agent.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), hello, TestContext.Current.CancellationToken);
        await agent.InvokeAsync(
            nameof(IAgentHub.ReportLinkState),
            new ObservedLinkState { LinkId = link.Id, ObservedGeneration = 0, TargetGeneration = 1, Phase = LinkPhase.Failed, Error = "bad\0news", Time = DateTimeOffset.UtcNow },
            TestContext.Current.CancellationToken);

        var stored = await fleet.Rest.GetLinkAsync(link.Id);
        Assert.Equal(LinkPhase.Failed, stored.Phase);
        Assert.Equal("bad\uFFFDnews", stored.LastError);
        var host = await fleet.Rest.GetHostAsync(hostId);
        Assert.Equal("nul\uFFFDhost", host.Hostname);
        Assert.Equal("6.1\uFFFD", host.KernelVersion);
        Assert.Equal("no\uFFFDmodule", host.Capabilities!.Notes!["bonding"]);
    }

    private static async Task<List<BatchAck>> ResendAsync(HubConnection connection, SampleBatch batch, CancellationToken stop)
    {
        var acks = new List<BatchAck>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                acks.Add(await connection.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), batch, stop));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        return acks;
    }
}
