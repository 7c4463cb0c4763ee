using System.Net.Http.Json;
using Fleet.Agent.Hub;
using Fleet.Agent.Simulation;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.Extensions.Logging;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>
/// Many agents in the test process (<see cref="FleetSimulator"/>: each a real hub connection with its own enrolled
/// credential, in-memory queue and host), one bond link per host created over REST and applied before the test starts.
/// For tests of the Api under fleet load: reconnect storms, misbehaving neighbours.
/// </summary>
internal sealed class SimulatedFleet : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _loggers;
    private Task _running = Task.CompletedTask;

    private SimulatedFleet(FleetSimulator simulator, ILoggerFactory loggers)
    {
        Simulator = simulator;
        _loggers = loggers;
    }

    public FleetSimulator Simulator { get; }

    public IReadOnlyList<Guid> LinkIds { get; private set; } = [];

    /// <summary>Enrolls <paramref name="agents"/> hosts, gives each a link, connects them all and waits until every link is applied (sampling off).</summary>
    public static async Task<SimulatedFleet> StartAsync(FleetEnvironment fleet, int agents, int members, string prefix, HubClientOptions? hub = null)
    {
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Error).AddFilter("Microsoft.AspNetCore.SignalR.Client", LogLevel.None));
        var simulator = new FleetSimulator(
            new FleetSimulatorOptions
            {
                Server = fleet.Api.BaseAddress,
                AllowInsecureHttp = true, // the test Api listens on http:// loopback
                Agents = agents,
                Members = members,
                NamePrefix = prefix,
                MemberFailuresPerHour = 0,
                EnrollConcurrency = 8,
                Hub = hub ?? new HubClientOptions { ReconnectMinDelay = TimeSpan.FromMilliseconds(500), ReconnectMaxDelay = TimeSpan.FromSeconds(5) },
            },
            loggers);
        var simulated = new SimulatedFleet(simulator, loggers);
        try
        {
            var token = await fleet.Rest.CreateEnrollmentTokenAsync(maxUses: agents);
            await simulator.EnrollAsync(token, TestContext.Current.CancellationToken);
            var links = new Guid[agents];
            await Parallel.ForAsync(0, agents, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = TestContext.Current.CancellationToken }, async (i, ct) =>
            {
                var spec = new LinkSpec
                {
                    Kind = LinkKind.Bond,
                    Name = "bond0",
                    Members = [.. Enumerable.Range(0, members).Select(m => new MemberSpec { Interface = $"eth{m}" })],
                    Bond = new BondOptions { Mode = BondMode.BalanceRoundRobin, MiimonMs = 100 },
                };
                var response = await fleet.Rest.Http.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = simulator.Agents[i].Identity.HostId, Spec = spec }, FleetJson.Options, ct);
                Assert.True(response.IsSuccessStatusCode, $"creating link {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                links[i] = (await response.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, ct))!.Id;
            });
            simulated.LinkIds = links;

            simulator.SetSampling(false);
            simulated._running = simulator.RunAsync(simulated._stop.Token);
            await Eventually.TrueAsync(
                async () => simulator.Stats().Connected == agents && await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM links WHERE phase = 'Applied'") >= agents,
                $"{agents} simulated agents connected with their links applied",
                TimeSpan.FromMinutes(4),
                () => $"{simulator.Stats()}\n{fleet.Diagnostics()}");
            return simulated;
        }
        catch
        {
            await simulated.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Proves every sample the fleet produced is stored exactly once: as many distinct (link, member, time) rows as
    /// samples produced, and no row twice. Call after sampling stopped and the queues drained.
    /// </summary>
    public async Task AssertEverySampleStoredOnceAsync(Database database)
    {
        var produced = Simulator.Stats().SamplesProduced;
        var links = LinkIds.ToArray();
        var rows = await database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = ANY(@links)", ("links", links));
        var distinct = await database.ScalarAsync<long>("SELECT count(*) FROM (SELECT DISTINCT link_id, member, time FROM samples WHERE link_id = ANY(@links)) d", ("links", links));
        Assert.True(produced > 0, "the fleet produced no samples");
        Assert.Equal(produced, distinct);
        Assert.Equal(distinct, rows);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _loggers.Dispose();
        _stop.Dispose();
    }
}
