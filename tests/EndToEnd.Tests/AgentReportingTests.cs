using Fleet.Contracts.Links;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>Enroll → connect → report, and the exactly-once promise across SIGKILLs of the Api and of the agent.</summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class AgentReportingTests(PostgresFixture postgres)
{
    [Fact]
    public async Task EnrolledAgent_ReportsSamples_StoredVisibleOverRestAndLive()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (agent, hostId) = await fleet.EnrollAgentAsync();
        agent.StartDaemon();
        await WaitForHelloAsync(fleet, hostId);

        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 1, "applied");
        await using var live = await LiveSubscriber.ConnectAsync(fleet.Api.BaseAddress, fleet.Api.AdminApiKey);
        var snapshot = await live.SubscribeLinkAsync(link.Id);

        Assert.Equal(LinkPhase.Applied, snapshot.State.Phase);
        await Eventually.TrueAsync(() => live.Samples.Count >= 4, "samples pushed on /hubs/live", detail: fleet.Diagnostics);
        var pushed = live.Samples.ToArray();
        Assert.All(pushed, p => Assert.Equal(link.Id, p.Sample.LinkId));
        Assert.Contains(pushed, p => p.Sample.Member == "eth0" && p.Sample.TxBytes > 0);

        // What was pushed was stored first: the REST samples contain it.
        var samples = await fleet.Rest.GetSamplesAsync(link.Id);
        var eth0 = Assert.Single(samples.Series, s => s.Member == "eth0");
        var pushedEth0 = pushed.Where(p => p.Sample.Member == "eth0").Select(p => p.Sample).First();
        var stored = Assert.Single(eth0.Points, p => p.Time == pushedEth0.Time);
        Assert.Equal(pushedEth0.TxBytes, stored.TxBytes);
        Assert.Equal(pushedEth0.RxBytes, stored.RxBytes);
        await fleet.Database.AssertCompleteAsync(hostId, link.Id);

        var host = await fleet.Rest.GetHostAsync(hostId);
        Assert.NotNull(host.Capabilities);
        Assert.Contains(host.Interfaces!, i => i.Name == "eth3");
    }

    [Fact]
    public async Task ApiKilledMidStream_EverySampleOfTheOutageStoredOnce()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (agent, hostId) = await fleet.EnrollAgentAsync();
        agent.StartDaemon();
        await WaitForHelloAsync(fleet, hostId);
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied, "applied");
        await WaitForStoredSamplesAsync(fleet, link.Id, 6);

        await fleet.Api.KillAsync();
        var outageStart = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
        await fleet.Api.RestartAsync(TestContext.Current.CancellationToken);
        var outageEnd = DateTimeOffset.UtcNow;

        // The agent kept sampling while the Api was gone; once everything it queued is acknowledged, all of it is stored.
        await WaitForStoredSamplesAsync(fleet, link.Id, minimumAfter: outageEnd.AddSeconds(3));
        await Eventually.TrueAsync(async () => await agent.PendingBatchesAsync() <= 1, "agent queue drained", detail: fleet.Diagnostics);
        var stored = await fleet.Database.AssertCompleteAsync(hostId, link.Id);
        var duringOutage = await fleet.Database.ScalarAsync<long>(
            "SELECT count(*) FROM samples WHERE link_id = @l AND time > @from AND time < @to",
            ("l", link.Id), ("from", outageStart.UtcDateTime), ("to", outageEnd.UtcDateTime));
        Assert.True(duringOutage >= 2 * 5, $"samples of the outage stored: {duringOutage} of {stored}");
    }

    [Fact]
    public async Task AgentKilledWithUnsentBatches_ResendsThemAfterRestart()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        await using var proxy = new TcpProxy(fleet.Api.Port);
        var token = await fleet.Rest.CreateEnrollmentTokenAsync();
        var (agent, hostId) = await fleet.EnrollAgentAsync(proxy.Url, token);
        agent.StartDaemon();
        await WaitForHelloAsync(fleet, hostId);
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied, "applied");
        await WaitForStoredSamplesAsync(fleet, link.Id, 4);

        // Cut the agent off: its samples pile up in its on-disk queue; then SIGKILL it.
        proxy.CutNow();
        var cutAt = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        await agent.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        var storedAtKill = await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l AND time > @t", ("l", link.Id), ("t", cutAt.AddSeconds(1).UtcDateTime));
        Assert.Equal(0, storedAtKill);

        proxy.Restore();
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        var restartedAt = DateTimeOffset.UtcNow;
        agent.StartDaemon();

        await WaitForStoredSamplesAsync(fleet, link.Id, minimumAfter: restartedAt.AddSeconds(3));
        await Eventually.TrueAsync(async () => await agent.PendingBatchesAsync() <= 1, "agent queue drained", detail: fleet.Diagnostics);

        // The samples taken while cut off, before the kill, arrived after the restart; only the time the agent was
        // dead has none (it sampled nothing then, and its first interval after restart only sets the baseline).
        var queuedThenResent = await fleet.Database.ScalarAsync<long>(
            "SELECT count(*) FROM samples WHERE link_id = @l AND time > @from AND time < @to",
            ("l", link.Id), ("from", cutAt.AddSeconds(0.5).UtcDateTime), ("to", killedAt.AddSeconds(-0.5).UtcDateTime));
        Assert.True(queuedThenResent >= 2 * 3, $"samples queued before the kill and stored after the restart: {queuedThenResent}");
        await fleet.Database.AssertCompleteAsync(hostId, link.Id, [(killedAt.AddSeconds(-1.5), restartedAt.AddSeconds(15))]);
    }

    internal static async Task WaitForHelloAsync(FleetEnvironment fleet, Guid hostId) =>
        await Eventually.TrueAsync(async () => (await fleet.Rest.GetHostAsync(hostId)).Capabilities is not null, "the agent's hello", detail: fleet.Diagnostics);

    internal static async Task WaitForStoredSamplesAsync(FleetEnvironment fleet, Guid linkId, int count = 1, DateTimeOffset? minimumAfter = null)
    {
        var after = (minimumAfter ?? DateTimeOffset.MinValue).UtcDateTime;
        await Eventually.TrueAsync(
            async () => await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l AND time > @t", ("l", linkId), ("t", after < DateTime.UnixEpoch ? DateTime.UnixEpoch : after)) >= count,
            $"{count} samples stored after {after:O}",
            TimeSpan.FromSeconds(90),
            fleet.Diagnostics);
    }
}
