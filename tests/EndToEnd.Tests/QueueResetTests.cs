using System.Net.Http.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Issue 21: an agent whose batch numbering starts over with the same identity — a simulator restarted with the same
/// data directory, a real agent whose queue was lost — has its new samples stored (not dropped as resends of the old
/// batches with the same numbers), and the Api records that the queue started over.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class QueueResetTests(PostgresFixture postgres)
{
    /// <summary>Batches with samples the first run stores before the restart.</summary>
    private const int BatchesBeforeRestart = 10;

    [Fact]
    public async Task SimulatorRestartedWithTheSameDataDirectory_NewSamplesStored()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var token = await fleet.Rest.CreateEnrollmentTokenAsync(maxUses: 1);
        var simulator = fleet.NewAgent();
        string[] arguments = ["simulate", "--server", fleet.Api.BaseAddress.ToString(), "--token", token, "--agents", "1", "--members", "2", "--name-prefix", "reset", "--failures-per-hour", "0", "--data-dir", simulator.DataDirectory, .. AgentProcess.InsecureHttp(fleet.Api.BaseAddress)];
        simulator.Start(arguments);
        HostDto? host = null;
        await Eventually.TrueAsync(
            async () => (host = (await fleet.Rest.Http.GetFromJsonAsync<Page<HostDto>>("api/v1/hosts", FleetJson.Options, TestContext.Current.CancellationToken))!.Items.SingleOrDefault(h => h.AgentVersion is not null)) is not null,
            "the simulated host connected",
            detail: fleet.Diagnostics);
        var link = await fleet.Rest.CreateLinkAsync(host!.Id, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied, "applied");
        await WaitForBatchesAsync(fleet, host.Id, BatchesBeforeRestart);

        Assert.Equal(0, await simulator.TerminateAsync(TimeSpan.FromSeconds(30)));
        var (restartedAt, oldLast) = await RestartPointAsync(fleet, host.Id);
        simulator.Start(arguments);

        await AssertNewBatchesStoredAsync(fleet, host.Id, link.Id, restartedAt, oldLast);
    }

    [Fact]
    public async Task AgentWithItsQueueDeletedButIdentityKept_NewSamplesStored()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (agent, hostId) = await fleet.EnrollAgentAsync();
        agent.StartDaemon();
        await AgentReportingTests.WaitForHelloAsync(fleet, hostId);
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied, "applied");
        await WaitForBatchesAsync(fleet, hostId, BatchesBeforeRestart);

        // A container restarted without its queue volume: identity and link records kept, the queue gone.
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(30)));
        Directory.Delete(Path.Combine(agent.DataDirectory, "queue"), recursive: true);
        var (restartedAt, oldLast) = await RestartPointAsync(fleet, hostId);
        agent.StartDaemon();

        await AssertNewBatchesStoredAsync(fleet, hostId, link.Id, restartedAt, oldLast);
    }

    private static Task WaitForBatchesAsync(FleetEnvironment fleet, Guid hostId, int count) =>
        Eventually.TrueAsync(
            async () => await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM ingested_batches WHERE host_id = @h AND sample_count > 0", ("h", hostId)) >= count,
            $"{count} batches with samples stored",
            TimeSpan.FromSeconds(90),
            fleet.Diagnostics);

    private static async Task<(DateTime RestartedAt, long OldLast)> RestartPointAsync(FleetEnvironment fleet, Guid hostId) =>
        (await fleet.Database.ScalarAsync<DateTime>("SELECT now()"), await fleet.Database.ScalarAsync<long>("SELECT max(sequence) FROM ingested_batches WHERE host_id = @h", ("h", hostId)));

    /// <summary>
    /// After the restart, batches numbered again from 1 — numbers the old queue had used, up to
    /// <paramref name="oldLast"/> — are stored with their samples (a key of host and sequence alone would drop each as a
    /// resend), no sample twice, and the Api recorded one queue reset for the host.
    /// </summary>
    private static async Task AssertNewBatchesStoredAsync(FleetEnvironment fleet, Guid hostId, Guid linkId, DateTime restartedAt, long oldLast)
    {
        await Eventually.TrueAsync(
            async () => await fleet.Database.ScalarAsync<long>(
                "SELECT count(*) FROM ingested_batches WHERE host_id = @h AND received_at > @t AND sequence <= @last AND sample_count > 0",
                ("h", hostId), ("t", restartedAt), ("last", oldLast)) >= 3,
            $"batches numbered 1…{oldLast} again stored after the restart",
            TimeSpan.FromSeconds(90),
            fleet.Diagnostics);
        Assert.True(await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l AND time > @t", ("l", linkId), ("t", restartedAt)) >= 2);
        await Eventually.TrueAsync(
            async () => await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM events WHERE host_id = @h AND kind = 'QueueReset'", ("h", hostId)) == 1,
            "the queue reset recorded as an event of the host",
            TimeSpan.FromSeconds(15),
            fleet.Diagnostics);
        Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM (SELECT 1 FROM samples WHERE link_id = @l GROUP BY member, time HAVING count(*) > 1) d", ("l", linkId)));
    }
}
