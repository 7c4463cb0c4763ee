using System.Net;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Testing;
using static Fleet.Api.Tests.Replication.ReplicaFleet;

namespace Fleet.Api.Tests.Replication;

/// <summary>
/// Three real Api processes on one PostgreSQL and one Redis behave as one: a spec changed on one reaches the agent
/// connected to another through the SignalR backplane, samples an agent sends to one reach a dashboard on a third, and
/// nothing is lost when Redis restarts (pending specs are sent again, samples are stored regardless, live resumes) or
/// when a replica dies (its agent reconnects to another), and a host decommissioned on one replica loses its agent's
/// connection to another.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class CrossReplicaTests(PostgresFixture postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SpecPutOnB_ReachesAgentOnA_AndAppliedIsSeenOnC()
    {
        await using var fleet = await StartAsync(postgres, NoResend);
        using var adminB = fleet.B.CreateClient();
        using var adminC = fleet.C.CreateClient();
        var enrolled = await FleetRequests.EnrollHostAsync(adminB, "edge-a");
        await using var agent = await ReplicaTestAgent.ConnectAsync(fleet.A, enrolled.Credential);
        Assert.Empty(agent.Hello.Links);

        // Created on B: the agent on A hears of generation 1 (it had none at hello).
        var link = await CreateLinkAsync(adminB, enrolled.HostId);
        await agent.WaitForApplyAsync(link.Id, 1, fleet);
        await agent.ReportAsync(link.Id, 1, LinkPhase.Applied);
        await fleet.WaitForLinkAsync(adminC, link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 1, "generation 1 applied, seen on C");

        // Changed on B: pushed to A's agent through the backplane (no resend comes within the test).
        var changed = await PutSpecAsync(adminB, link.Id, Specs.Bond(miimonMs: 50));
        Assert.Equal(2, changed.DesiredGeneration);
        var pushed = await agent.WaitForApplyAsync(link.Id, 2, fleet);
        Assert.Equal(50, pushed.Spec.Bond!.MiimonMs);
        await agent.ReportAsync(link.Id, 2, LinkPhase.Applied);
        await fleet.WaitForLinkAsync(adminC, link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 2, "generation 2 applied, seen on C");

        // Deleted on B: the agent on A is told to remove the link.
        using var delete = await adminB.DeleteAsync(new Uri($"api/v1/links/{link.Id}", UriKind.Relative), Cancel);
        Assert.True(delete.IsSuccessStatusCode, delete.StatusCode.ToString());
        await fleet.Eventually(() => agent.Removed.Contains(link.Id), "RemoveLink on A's agent");
    }

    [Fact]
    public async Task SamplesStoredByA_ReachDashboardOnC_AndSoDoStateChanges()
    {
        await using var fleet = await StartAsync(postgres, NoResend);
        using var adminB = fleet.B.CreateClient();
        var enrolled = await FleetRequests.EnrollHostAsync(adminB, "edge-b");
        await using var agent = await ReplicaTestAgent.ConnectAsync(fleet.A, enrolled.Credential);
        var link = await CreateLinkAsync(adminB, enrolled.HostId);
        await agent.WaitForApplyAsync(link.Id, 1, fleet);
        await using var live = await ReplicaLiveClient.ConnectAsync(fleet.C);
        Assert.Empty((await live.SubscribeLinkAsync(link.Id)).Samples);
        Assert.Single((await live.SubscribeHostAsync(enrolled.HostId)).Links);

        // Stored by A; C's dashboard gets them (on the link and the host subscription), exactly as sent.
        var sent = TwoSamples(link.Id, DateTimeOffset.UtcNow, 777_000);
        Assert.Equal(new BatchAck(1), await agent.ReportBatchAsync(1, sent));
        await fleet.Eventually(() => live.Samples.Count(s => s.Sample.TxBytes >= 777_000) >= 4, "2 samples × 2 subscriptions on C's live hub");
        var received = live.Samples.Where(s => s.Sample.TxBytes >= 777_000).ToList();
        Assert.Equal(4, received.Count);
        Assert.All(received, r => Assert.Equal(link.Id, r.LinkId));
        Assert.Equal(sent.OrderBy(s => s.Member), received.Select(r => r.Sample).Distinct().OrderBy(s => s.Member));

        // C's ring buffer has them too: a new subscriber on C gets them in its snapshot.
        await using var late = await ReplicaLiveClient.ConnectAsync(fleet.C);
        Assert.Equal(sent.OrderBy(s => s.Member), (await late.SubscribeLinkAsync(link.Id)).Samples.Where(s => s.TxBytes >= 777_000).OrderBy(s => s.Member));

        // An agent's report recorded on A, and a new generation made on B, show on C's dashboard.
        await agent.ReportAsync(link.Id, 1, LinkPhase.Applied);
        await fleet.Eventually(() => live.States.Any(s => s.LinkId == link.Id && s.Phase == LinkPhase.Applied && s.ObservedGeneration == 1), "Applied state on C's live hub");
        await PutSpecAsync(adminB, link.Id, Specs.Bond(miimonMs: 60));
        await fleet.Eventually(() => live.States.Any(s => s.LinkId == link.Id && s.Phase == LinkPhase.Pending && s.DesiredGeneration == 2), "generation 2 Pending on C's live hub");
    }

    [Fact]
    public async Task RedisRestarted_SpecIsSentAgain_SamplesAreStored_AndLiveResumes()
    {
        await using var fleet = await StartAsync(postgres, QuickResend);
        using var adminB = fleet.B.CreateClient();
        var enrolled = await FleetRequests.EnrollHostAsync(adminB, "edge-c");
        await using var agent = await ReplicaTestAgent.ConnectAsync(fleet.A, enrolled.Credential);
        var link = await CreateLinkAsync(adminB, enrolled.HostId);
        await agent.WaitForApplyAsync(link.Id, 1, fleet);
        await agent.ReportAsync(link.Id, 1, LinkPhase.Applied);
        await fleet.WaitForLinkAsync(adminB, link.Id, l => l.Phase == LinkPhase.Applied, "generation 1 applied");
        var doomed = await CreateLinkAsync(adminB, enrolled.HostId, LinkSpecs.Bond(name: "bond1", address: "10.9.1.1/30", members: ["eth3", "eth4"]));
        await agent.WaitForApplyAsync(doomed.Id, 1, fleet);
        await agent.ReportAsync(doomed.Id, 1, LinkPhase.Applied);
        await using var live = await ReplicaLiveClient.ConnectAsync(fleet.C);
        await live.SubscribeLinkAsync(link.Id);

        // Redis gone: B's push to A's agent has no way there; only A's resend, which finds generation 2 pending, can
        // bring it (the agent does not reconnect).
        await fleet.Redis.KillAsync();

        // So with a deletion: B's RemoveLink is lost, A sends it again until the agent says it has it.
        using (var deleted = await adminB.DeleteAsync($"api/v1/links/{doomed.Id}", Cancel))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await fleet.Eventually(() => agent.Removed.Contains(doomed.Id), "the removal of the deleted link sent again by A");
        Assert.Null(await fleet.RemovalAcknowledgedAtAsync(doomed.Id));
        await agent.ReportRemovingAsync(doomed.Id, 1);
        await fleet.Eventually(async () => await fleet.RemovalAcknowledgedAtAsync(doomed.Id) is not null, "the removal acknowledged");

        var changed = await PutSpecAsync(adminB, link.Id, Specs.Bond(miimonMs: 70));
        var pushed = await agent.WaitForApplyAsync(link.Id, changed.DesiredGeneration, fleet);
        Assert.Equal(70, pushed.Spec.Bond!.MiimonMs);
        await agent.ReportAsync(link.Id, 2, LinkPhase.Applied);
        await fleet.WaitForLinkAsync(adminB, link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 2, "generation 2 applied while Redis is down");

        // Samples are stored without Redis (only their live relay is lost).
        Assert.Equal(new BatchAck(1), await agent.ReportBatchAsync(1, TwoSamples(link.Id, DateTimeOffset.UtcNow, 555_000)));
        Assert.Equal(2, await fleet.SamplesStoredAsync(link.Id, 555_000));

        // Redis back (empty): once the replicas have reconnected, live data flows to C again and pushes go through the
        // backplane again. Until then a batch's live relay may be lost, so batches go on until one arrives.
        await fleet.Redis.StartAgainAsync(Cancel);
        var sequence = 1L;
        await fleet.Eventually(
            async () =>
            {
                Assert.Equal(new BatchAck(++sequence), await agent.ReportBatchAsync(sequence, TwoSamples(link.Id, DateTimeOffset.UtcNow, 600_000 + sequence)));
                await Task.Delay(200, Cancel);
                return live.Samples.Any(s => s.Sample.TxBytes >= 600_000);
            },
            "live samples from A on C after Redis came back");
        Assert.Equal(new BatchAck(++sequence), await agent.ReportBatchAsync(sequence, TwoSamples(link.Id, DateTimeOffset.UtcNow, 900_000)));
        await fleet.Eventually(() => live.Samples.Count(s => s.Sample.TxBytes >= 900_000) == 2, "the next batch live on C");
        Assert.Equal(2 * (sequence - 1), await fleet.SamplesStoredAsync(link.Id, 600_000));
        await PutSpecAsync(adminB, link.Id, Specs.Bond(miimonMs: 90));
        Assert.Equal(90, (await agent.WaitForApplyAsync(link.Id, 3, fleet)).Spec.Bond!.MiimonMs);

        // An agent's hello acknowledges the removals owed to its host (the agent above never reports this one): its
        // desired state leaves them out.
        var second = await CreateLinkAsync(adminB, enrolled.HostId, LinkSpecs.Bond(name: "bond2", address: "10.9.2.1/30", members: ["eth3", "eth4"]));
        using (var deleted = await adminB.DeleteAsync($"api/v1/links/{second.Id}", Cancel))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Null(await fleet.RemovalAcknowledgedAtAsync(second.Id));
        await using (var again = await ReplicaTestAgent.ConnectAsync(fleet.A, enrolled.Credential))
        {
            Assert.DoesNotContain(again.Hello.Links, l => l.LinkId == second.Id);
            Assert.NotNull(await fleet.RemovalAcknowledgedAtAsync(second.Id));
        }
    }

    [Fact]
    public async Task ReplicaKilled_ItsAgentReconnectsToAnother_AndNothingIsLost()
    {
        await using var fleet = await StartAsync(postgres, QuickResend);
        using var adminB = fleet.B.CreateClient();
        var enrolled = await FleetRequests.EnrollHostAsync(adminB, "edge-d");
        var first = await ReplicaTestAgent.ConnectAsync(fleet.A, enrolled.Credential);
        var link = await CreateLinkAsync(adminB, enrolled.HostId);
        await first.WaitForApplyAsync(link.Id, 1, fleet);
        await first.ReportAsync(link.Id, 1, LinkPhase.Applied);
        Assert.Equal(new BatchAck(1), await first.ReportBatchAsync(1, TwoSamples(link.Id, DateTimeOffset.UtcNow.AddSeconds(-1), 700_000)));

        // A dies; a spec changed meanwhile waits in the database; the agent reconnects to C (as a load balancer would
        // send it) and gets generation 2 in its hello.
        await fleet.A.KillAsync();
        await first.DisposeAsync();
        var changed = await PutSpecAsync(adminB, link.Id, Specs.Bond(miimonMs: 80));
        await using var agent = await ReplicaTestAgent.ConnectAsync(fleet.C, enrolled.Credential);
        var desired = Assert.Single(agent.Hello.Links);
        Assert.Equal((link.Id, changed.DesiredGeneration), (desired.LinkId, desired.Generation));
        await agent.ReportAsync(link.Id, 2, LinkPhase.Applied);

        // From C on: samples are stored and live on B's dashboard; a spec changed on B reaches the agent on C.
        await using var live = await ReplicaLiveClient.ConnectAsync(fleet.B);
        await live.SubscribeLinkAsync(link.Id);
        Assert.Equal(new BatchAck(2), await agent.ReportBatchAsync(2, TwoSamples(link.Id, DateTimeOffset.UtcNow, 800_000)));
        await fleet.Eventually(() => live.Samples.Count(s => s.Sample.TxBytes >= 800_000) == 2, "samples stored by C live on B");
        Assert.Equal(4, await fleet.SamplesStoredAsync(link.Id, 700_000));
        await PutSpecAsync(adminB, link.Id, Specs.Bond(miimonMs: 95));
        Assert.Equal(95, (await agent.WaitForApplyAsync(link.Id, 3, fleet)).Spec.Bond!.MiimonMs);

        // Decommissioned on B: C closes its agent's connection at its next resend round (the hubs' revalidation of
        // credentials, which would close it too, is set beyond the test).
        using var decommission = await adminB.PostAsync(new Uri($"api/v1/hosts/{enrolled.HostId}/decommission", UriKind.Relative), null, Cancel);
        Assert.True(decommission.IsSuccessStatusCode, decommission.StatusCode.ToString());
        await agent.Closed.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
    }
}
