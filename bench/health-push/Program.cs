using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Bench;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;

// Health push benchmark (issue 20, item 7: "health reaches REST and dashboard 0.8–1.6 s after the striper acted").
// The real Api runs as a process on PostgreSQL; simulated agents (real WebSocket connections) sample every second. Each
// round cuts one member of one host's link and times, from the cut, the dashboard hub delivering a sample with the
// member Down and REST (GET /api/v1/links/{id}) showing it Down; then the member comes back and the round waits for Up.
// Rounds alternate between the agents sampling at once on a health change (what ships) and the baseline in the same
// run: only at the next interval (AgentRuntime.PushHealthChanges off). The backend's own detection time (probes, MII,
// subflow events) comes before this and is not in it. The last line printed is one JSON object.
//   dotnet run -c Release --project bench/health-push [-- --agents 100 --rounds 40]
var agents = Argument("--agents", 100);
var rounds = Argument("--rounds", 40);

await using var fleet = await BenchFleet.StartAsync(agents, members: 2, TimeSpan.FromSeconds(1));
fleet.Simulator.SetSampling(true);
await Task.Delay(TimeSpan.FromSeconds(5));

await using var hub = DashboardHubConnection.Build(fleet.Api.BaseAddress, fleet.Api.AdminApiKey);
var seen = new ConcurrentDictionary<(Guid Link, string Member), (MemberHealth Health, long At)>();
hub.On<Guid, IReadOnlyList<MemberSample>>(nameof(ILiveClient.LinkSamples), (link, samples) =>
{
    var at = Stopwatch.GetTimestamp();
    foreach (var sample in samples)
    {
        seen.AddOrUpdate((link, sample.Member), (sample.Health, at), (_, before) => before.Health == sample.Health ? before : (sample.Health, at));
    }
});
await hub.StartAsync();

var live = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
var rest = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
var random = new Random(7);
for (var round = 0; round < rounds; round++)
{
    var push = round % 2 == 0;
    fleet.Simulator.SetHealthPush(push);
    var index = random.Next(fleet.LinkIds.Count);
    var agent = fleet.Simulator.Agents[index];
    var linkId = fleet.LinkIds[index];
    await hub.InvokeAsync<LinkLiveSnapshot>(nameof(ILiveHub.SubscribeLink), linkId);

    // Start each cut at a random point of the sampling interval, as a real failure does.
    await Task.Delay(random.Next(1000));
    seen.TryRemove((linkId, "eth1"), out _);
    var cut = Stopwatch.GetTimestamp();
    agent.Host.SetMemberDown("eth1", down: true);
    var restMs = await RestShowsAsync(fleet.Http, linkId, MemberHealth.Down);
    var liveMs = await LiveShowsAsync(linkId, MemberHealth.Down, cut);
    live[push].Add(liveMs);
    rest[push].Add(restMs);
    BenchFleet.Log($"round {round + 1} ({(push ? "push" : "interval only")}): live {liveMs:0} ms, REST {restMs:0} ms");

    agent.Host.SetMemberDown("eth1", down: false);
    await RestShowsAsync(fleet.Http, linkId, MemberHealth.Up);
    await hub.InvokeAsync(nameof(ILiveHub.UnsubscribeLink), linkId);
}

var result = new Dictionary<string, object>
{
    ["benchmark"] = "health_push",
    ["agents"] = agents,
    ["rounds_each"] = rounds / 2,
    ["sample_interval_ms"] = 1000,
    ["live_ms_p50"] = Percentiles.Round(Percentiles.Of(live[true], 50)),
    ["live_ms_p99"] = Percentiles.Round(Percentiles.Of(live[true], 99)),
    ["rest_ms_p50"] = Percentiles.Round(Percentiles.Of(rest[true], 50)),
    ["rest_ms_p99"] = Percentiles.Round(Percentiles.Of(rest[true], 99)),
    ["baseline_interval_only_live_ms_p50"] = Percentiles.Round(Percentiles.Of(live[false], 50)),
    ["baseline_interval_only_live_ms_p99"] = Percentiles.Round(Percentiles.Of(live[false], 99)),
    ["baseline_interval_only_rest_ms_p50"] = Percentiles.Round(Percentiles.Of(rest[false], 50)),
    ["baseline_interval_only_rest_ms_p99"] = Percentiles.Round(Percentiles.Of(rest[false], 99)),
    ["live_p50_vs_baseline"] = Math.Round(Percentiles.Of(live[true], 50) / Percentiles.Of(live[false], 50), 2),
    ["machine_load_average_1m"] = Math.Round(double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture), 1),
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

async Task<double> LiveShowsAsync(Guid linkId, MemberHealth health, long since)
{
    var watch = Stopwatch.StartNew();
    while (!(seen.TryGetValue((linkId, "eth1"), out var last) && last.Health == health && last.At >= since))
    {
        if (watch.Elapsed > TimeSpan.FromSeconds(30))
        {
            throw new TimeoutException($"the dashboard hub did not show eth1 of {linkId} {health} within 30 s");
        }

        await Task.Delay(2);
    }

    return Stopwatch.GetElapsedTime(since, seen[(linkId, "eth1")].At).TotalMilliseconds;
}

// REST is polled every 5 ms while a round waits, the way an automation script watching one link would.
static async Task<double> RestShowsAsync(HttpClient http, Guid linkId, MemberHealth health)
{
    var watch = Stopwatch.StartNew();
    while (true)
    {
        var link = await http.GetFromJsonAsync<LinkDto>($"api/v1/links/{linkId}", FleetJson.Options);
        if (link!.Members.Single(m => m.Interface == "eth1").Health == health)
        {
            return watch.Elapsed.TotalMilliseconds;
        }

        if (watch.Elapsed > TimeSpan.FromSeconds(30))
        {
            throw new TimeoutException($"REST did not show eth1 of {linkId} {health} within 30 s");
        }

        await Task.Delay(5);
    }
}

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
