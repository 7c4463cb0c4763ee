using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>Spec rollouts end to end: commit-confirm with a real network cut, a spec lost in a short cut, and a spec the host cannot apply.</summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PolicyRolloutTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ConfirmationWithheldByANetworkCut_ChangeIsRolledBackAndReported()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        await using var proxy = new TcpProxy(fleet.Api.Port);
        var (agent, hostId) = await fleet.EnrollAgentAsync(proxy.Url, await fleet.Rest.CreateEnrollmentTokenAsync());
        agent.StartDaemon();
        await AgentReportingTests.WaitForHelloAsync(fleet, hostId);
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 1, "generation 1 applied");

        // The new generation reaches the agent; right after, the path between agent and Api is cut (as if the change
        // had cut the host off), so the agent's report never arrives and no confirmation comes back.
        proxy.CutAfterServerSends(nameof(IAgentClient.ApplyLink));
        var change = E2ESpecs.Bond(confirmTimeoutSeconds: 5, members: ["eth1", "eth2"]);
        await fleet.Rest.PutSpecAsync(link.Id, change);
        await Eventually.TrueAsync(() => proxy.Cut.IsCompleted, "the Api sent ApplyLink through the proxy (and the proxy cut)", TimeSpan.FromSeconds(60), fleet.Diagnostics);

        // Cut off, the agent rolls back on its own once the confirmation timeout (5 s) passes, and knows it is not connected
        // (StatusAsync checks status's exit code against the JSON: 5 while the daemon runs unconnected).
        JsonElement cutOff = default;
        await Eventually.TrueAsync(
            // The status file is rewritten once per sampling interval, so right after the cut it may still predate the link.
            async () => (cutOff = await agent.StatusAsync()).GetProperty("status").GetProperty("links") is { ValueKind: JsonValueKind.Array } links
                && links.GetArrayLength() == 1 && links[0].GetProperty("phase").GetString() == "rolled_back",
            "the agent rolled back on its own",
            TimeSpan.FromSeconds(60),
            fleet.Diagnostics);
        Assert.NotEqual("connected", cutOff.GetProperty("status").GetProperty("connection").GetProperty("state").GetString());
        Assert.Equal(LinkPhase.Pending, (await fleet.Rest.GetLinkAsync(link.Id)).Phase);

        // The network is back: the agent reconnects and reports what it did.
        proxy.Restore();
        var rolledBack = await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.RolledBack, "RolledBack reported");

        Assert.Equal(2, rolledBack.DesiredGeneration);
        Assert.Equal(1, rolledBack.ObservedGeneration);
        Assert.Contains("not confirmed", rolledBack.LastError);
        Assert.Contains("generation 1 restored", rolledBack.LastError);
        var status = (await agent.StatusAsync()).GetProperty("status").GetProperty("links")[0];
        Assert.Equal(1, status.GetProperty("observedGeneration").GetInt64());
        Assert.Equal(["eth0", "eth1"], status.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("interface").GetString()));
        var revision = await fleet.Rest.Http.GetFromJsonAsync<PolicyRevisionDto>($"api/v1/links/{link.Id}/revisions/2", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal(PolicyOutcome.RolledBack, revision!.Outcome);
        await Eventually.TrueAsync(
            async () => await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM events WHERE link_id = @l AND kind = 'RolledBack'", ("l", link.Id)) >= 1,
            "the RolledBack event stored",
            detail: fleet.Diagnostics);
        Assert.Equal(1, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM events WHERE link_id = @l AND kind = 'RolledBack'", ("l", link.Id)));
    }

    [Fact]
    public async Task ApplyLinkLostInAShortCut_AppliedAfterReconnectWithNoBatchLostOrDuplicated()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        await using var proxy = new TcpProxy(fleet.Api.Port);
        var (agent, hostId) = await fleet.EnrollAgentAsync(proxy.Url, await fleet.Rest.CreateEnrollmentTokenAsync());
        agent.StartDaemon();
        await AgentReportingTests.WaitForHelloAsync(fleet, hostId);
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 1, "generation 1 applied");

        // The ApplyLink and whatever else the Api sent in the same read (a batch's acknowledgement, say) are lost, and
        // the connection with them; the agent may reconnect at once. Without stateful reconnect nothing resends that
        // message: the new connection's hello brings the desired generation, and the agent's queue resends the batches
        // the cut left unanswered (docs/agent.md, "Connection").
        proxy.DropAndResetWhenServerSends(nameof(IAgentClient.ApplyLink));
        await fleet.Rest.PutSpecAsync(link.Id, E2ESpecs.Bond(members: ["eth1", "eth2"]));
        await Eventually.TrueAsync(() => proxy.Cut.IsCompleted, "the Api sent ApplyLink through the proxy (and the proxy cut)", TimeSpan.FromSeconds(60), fleet.Diagnostics);
        var lastBeforeCut = await LastSequenceAsync(fleet, hostId);

        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 2, "generation 2 applied after the cut");
        var status = (await agent.StatusAsync()).GetProperty("status").GetProperty("links")[0];
        Assert.Equal(["eth1", "eth2"], status.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("interface").GetString()));
        await Eventually.TrueAsync(async () => await LastSequenceAsync(fleet, hostId) >= lastBeforeCut + 3, "batches after the cut stored", detail: fleet.Diagnostics);

        // Every batch from the first on stored once, each with every sample it declared, none twice.
        var sequences = await fleet.Database.ListAsync("SELECT sequence FROM ingested_batches WHERE host_id = @h ORDER BY sequence", r => r.GetInt64(0), ("h", hostId));
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        var declared = await fleet.Database.ScalarAsync<long>("SELECT COALESCE(SUM(sample_count), 0)::bigint FROM ingested_batches WHERE host_id = @h", ("h", hostId));
        Assert.Equal(declared, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l", ("l", link.Id)));
        Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM (SELECT 1 FROM samples WHERE link_id = @l GROUP BY member, time HAVING count(*) > 1) d", ("l", link.Id)));
    }

    [Fact]
    public async Task SpecTheHostCannotApply_IsFailedWithTheReasonAndThePreviousStateStays()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (agent, hostId) = await fleet.EnrollAgentAsync();
        agent.StartDaemon();
        await AgentReportingTests.WaitForHelloAsync(fleet, hostId);
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 1, "generation 1 applied");

        // Valid as a spec, but the host has no eth7.
        await fleet.Rest.PutSpecAsync(link.Id, E2ESpecs.Bond(members: ["eth0", "eth7"]));
        var failed = await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Failed, "Failed reported");

        Assert.Equal(2, failed.DesiredGeneration);
        Assert.Equal(1, failed.ObservedGeneration);
        Assert.Contains("Cannot find device \"eth7\"", failed.LastError);
        var revision = await fleet.Rest.Http.GetFromJsonAsync<PolicyRevisionDto>($"api/v1/links/{link.Id}/revisions/2", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal(PolicyOutcome.Failed, revision!.Outcome);

        // The previous generation is still in force, and still reporting.
        var status = (await agent.StatusAsync()).GetProperty("status").GetProperty("links")[0];
        Assert.Equal(1, status.GetProperty("observedGeneration").GetInt64());
        Assert.Equal(["eth0", "eth1"], status.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("interface").GetString()));
        var after = DateTime.UtcNow;
        await Eventually.TrueAsync(
            async () => await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l AND member = 'eth1' AND time > @t", ("l", link.Id), ("t", after)) >= 2,
            "the old members keep reporting");
        await Eventually.TrueAsync(
            async () => await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM events WHERE link_id = @l AND kind = 'ApplyFailed'", ("l", link.Id)) == 1,
            "the ApplyFailed event stored");
    }

    private static Task<long> LastSequenceAsync(FleetEnvironment fleet, Guid hostId) =>
        fleet.Database.ScalarAsync<long>("SELECT COALESCE(max(sequence), 0)::bigint FROM ingested_batches WHERE host_id = @h", ("h", hostId));
}
