using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>The whole run of this collection alone: fleets of hundreds of agents on two cores measure the Api, not their neighbours.</summary>
[CollectionDefinition(nameof(FleetLoadCollection), DisableParallelization = true)]
public sealed class FleetLoadCollection;

/// <summary>Issue 21: the Api under a fleet's load — misbehaving neighbours, reconnect storms.</summary>
[Collection(nameof(FleetLoadCollection))]
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class FleetLoadTests(PostgresFixture postgres)
{
    /// <summary>
    /// Issue 21: 150 agents report while 10 others resend batches that cannot be stored for 90 s, reconnecting
    /// whenever anything fails. The 150 lose nothing and never wait more than a few seconds for an acknowledgement
    /// (a probe agent times every round trip); when the 10 stop, nothing is left stuck.
    /// </summary>
    [Fact]
    public async Task NeighboursResendingUnstorableBatches_OthersLoseNothingAndNeverWait()
    {
        const int pool = 20;
        await using var fleet = await FleetEnvironment.StartAsync(
            postgres,
            cs => cs + $";Maximum Pool Size={pool}",
            new Dictionary<string, string> { ["Fleet:RateLimits:EnrollPerMinute"] = "100000", ["Logging:LogLevel:Default"] = "Warning" });
        await using var simulated = await SimulatedFleet.StartAsync(fleet, agents: 150, members: 4, prefix: "calm");
        var misbehaving = await fleet.EnrollHostsAsync(11, "poison");
        var (probeHost, probeCredential) = misbehaving[^1];
        await using var connections = new ConnectionSampler(fleet.Database.ConnectionString);

        simulated.Simulator.SetSampling(true);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var poisoners = misbehaving.Take(10).Select(h => MisbehavingAgents.ResendForeverAsync(fleet.Api.BaseAddress, h.Credential, stop.Token)).ToList();
        var probe = MisbehavingAgents.ProbeAsync(fleet.Api.BaseAddress, probeCredential, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        var poisonSent = (await Task.WhenAll(poisoners)).Sum();
        var roundTrips = await probe;

        // The misbehaving agents stopped: what the others queued meanwhile drains, and nothing waits.
        await Eventually.TrueAsync(() => simulated.Simulator.Stats().PendingBatches <= 150, "the fleet's queues drained after the misbehaving agents stopped", TimeSpan.FromSeconds(30), () => $"{simulated.Simulator.Stats()}\n{fleet.Diagnostics()}");
        simulated.Simulator.SetSampling(false);
        Assert.True(await simulated.Simulator.WaitForDrainAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken), $"queues drained: {simulated.Simulator.Stats()}");
        var maxPooled = await connections.StopAsync();

        Assert.True(poisonSent > 100, $"the misbehaving agents sent only {poisonSent} batches");
        Assert.True(roundTrips.Count > 100, $"the probe timed only {roundTrips.Count} round trips");
        Assert.True(roundTrips.Max() < TimeSpan.FromSeconds(5), $"slowest acknowledgement {roundTrips.Max().TotalSeconds:0.0} s (load {MisbehavingAgents.Load()})");
        await simulated.AssertEverySampleStoredOnceAsync(fleet.Database);
        Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM ingested_batches WHERE host_id = ANY(@h)", ("h", misbehaving.Take(10).Select(h => h.HostId).ToArray())));
        Assert.True(await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM ingested_batches WHERE host_id = @h", ("h", probeHost)) == roundTrips.Count);
        Assert.True(maxPooled <= pool && connections.MaxTotal <= pool + ConnectionSampler.OwnConnections, $"the Api held {maxPooled} pooled connections, {connections.MaxTotal} in all (pool {pool})");
    }

    /// <summary>
    /// Issue 21: 1,000 agents report; the Api is killed (SIGKILL) and started again. All reconnect (jittered backoff),
    /// the Api never holds more database connections than configured, ingestion is back at its rate within 30 s of the
    /// restart, and every sample is stored exactly once.
    /// </summary>
    [Fact]
    public async Task ApiKilledUnderAThousandAgents_AllReconnectWithinThePoolRateBackIn30sNothingLost()
    {
        const int agents = 1000;
        const int pool = 20;
        await using var fleet = await FleetEnvironment.StartAsync(
            postgres,
            cs => cs + $";Maximum Pool Size={pool}",
            new Dictionary<string, string> { ["Fleet:RateLimits:EnrollPerMinute"] = "100000", ["Logging:LogLevel:Default"] = "Warning" });
        await using var simulated = await SimulatedFleet.StartAsync(
            fleet,
            agents,
            members: 2,
            prefix: "storm",
            new Agent.Hub.HubClientOptions { ReconnectMinDelay = TimeSpan.FromSeconds(1), ReconnectMaxDelay = TimeSpan.FromSeconds(8) });
        await using var connections = new ConnectionSampler(fleet.Database.ConnectionString);
        var rate = new AcknowledgedRate(simulated.Simulator);

        simulated.Simulator.SetSampling(true);
        await Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var baseline = await rate.MeasureAsync(TimeSpan.FromSeconds(10));
        Assert.True(baseline > agents, $"ingest rate before the kill: {baseline:0} samples/s (load {MisbehavingAgents.Load()})");

        await fleet.Api.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        await fleet.Api.RestartAsync(TestContext.Current.CancellationToken);
        var restarted = System.Diagnostics.Stopwatch.StartNew();

        // Recovered: every agent connected again and a 3-second rate within 10 % of the rate before the kill.
        var recovered = false;
        while (!recovered && restarted.Elapsed < TimeSpan.FromSeconds(60))
        {
            var current = await rate.MeasureAsync(TimeSpan.FromSeconds(3));
            recovered = simulated.Simulator.Stats().Connected == agents && current >= 0.9 * baseline;
        }

        var recovery = restarted.Elapsed;
        Assert.True(recovered && recovery <= TimeSpan.FromSeconds(30), $"ingestion back at its rate {recovery.TotalSeconds:0.0} s after the restart (recovered: {recovered}; {simulated.Simulator.Stats()}; load {MisbehavingAgents.Load()})\n{fleet.Diagnostics()}");

        simulated.Simulator.SetSampling(false);
        Assert.True(await simulated.Simulator.WaitForDrainAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken), $"queues drained: {simulated.Simulator.Stats()}");
        var maxPooled = await connections.StopAsync();
        await simulated.AssertEverySampleStoredOnceAsync(fleet.Database);
        Assert.True(maxPooled <= pool && connections.MaxTotal <= pool + ConnectionSampler.OwnConnections, $"the Api held {maxPooled} pooled connections, {connections.MaxTotal} in all (pool {pool})");
    }
}
