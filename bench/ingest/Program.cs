using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fleet.Bench;
using Fleet.Testing;

// Ingest benchmark (docs/conventions.md, design targets: "1,000 simulated agents × 8 members × 1 Hz: zero loss, sample → browser p99 < 1 s,
// Api < 1 core"). The real Api runs as a process on PostgreSQL; the simulated fleet runs here, each agent a real
// WebSocket connection with its own credential. Phases: the connected fleet idle (baseline CPU), then sampling for
// the measured window while a dashboard on /hubs/live follows a share of the links; then the storm (issue 21): the
// Api is killed with SIGKILL mid-run and started again while the fleet keeps sampling, and the time until the ingest
// rate is back within 10 % of the window's, the most database connections the Api held and the samples lost are
// measured; then sampling stops, queues drain, and the database is counted against what the agents produced (the
// storm included). The last line printed is one JSON object.
//   dotnet run -c Release --project bench/ingest [-- --agents 1000 --members 8 --seconds 60 --watched 100 --storm 1]
var agents = Argument("--agents", 1000);
var members = Argument("--members", 8);
var seconds = Argument("--seconds", 60);
var watched = Argument("--watched", 100);
var storm = Argument("--storm", 1) != 0;
var interval = TimeSpan.FromSeconds(1);

await using var fleet = await BenchFleet.StartAsync(agents, members, interval);
await using var connections = new ConnectionSampler(fleet.ConnectionString);
await using var live = await LiveLatency.ConnectAsync(fleet.Api.BaseAddress, fleet.Api.AdminApiKey);
var step = Math.Max(1, agents / Math.Max(1, watched));
var followed = fleet.LinkIds.Where((_, i) => i % step == 0).Take(watched).ToList();
foreach (var linkId in followed)
{
    await live.SubscribeAsync(linkId);
}

// Baseline: the same fleet connected and idle (keepalives, no samples).
await Task.Delay(TimeSpan.FromSeconds(5));
var idleSeconds = 15;
var idleCpu0 = fleet.ApiCpuSeconds();
await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
var idleCores = (fleet.ApiCpuSeconds() - idleCpu0) / idleSeconds;
BenchFleet.Log($"baseline: connected idle fleet, Api {idleCores:0.000} cores");

fleet.Simulator.SetSampling(true);
await Task.Delay(TimeSpan.FromSeconds(10));
var cpu0 = fleet.ApiCpuSeconds();
var agentsCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
var windowStart = DateTime.UtcNow;
var load0 = LoadAverage();
var stats0 = fleet.Simulator.Stats();
var wire0 = WireBytes.SentTo(fleet.Api.Port);
var window = Stopwatch.StartNew();
live.Start();
await Task.Delay(TimeSpan.FromSeconds(seconds));
var latencies = live.Stop();
var wire1 = WireBytes.SentTo(fleet.Api.Port);
var stats1 = fleet.Simulator.Stats();
var cores = (fleet.ApiCpuSeconds() - cpu0) / window.Elapsed.TotalSeconds;
var agentsCores = (Process.GetCurrentProcess().TotalProcessorTime - agentsCpu0).TotalSeconds / window.Elapsed.TotalSeconds;
var windowEnd = DateTime.UtcNow;

// Wire bytes per batch in the window: everything the fleet (and the dashboard) sent to the Api over TCP, hub framing
// and pings included, divided by the batches sent. The other direction is not reported: it mixes the acknowledgements
// with the dashboard's live stream on the same port.
var windowBatches = Math.Max(1, stats1.BatchesSent - stats0.BatchesSent);
var windowSamples = Math.Max(1, stats1.SamplesAcknowledged - stats0.SamplesAcknowledged);
var bytesPerBatch = (wire1 - wire0) / (double)windowBatches;
var load1 = LoadAverage();
BenchFleet.Log($"window: {seconds} s, Api {cores:0.000} cores, {latencies.Count} live samples timed, {bytesPerBatch:0} wire bytes per batch to the Api");

// The storm: the same fleet sampling, the Api killed and started again on the same database.
var windowRate = (double)0;
double? stormRecovery = null;
double stormOutage = 0;
if (storm)
{
    windowRate = await AcknowledgedRateAsync(TimeSpan.FromSeconds(10));
    var killed = Stopwatch.StartNew();
    await fleet.Api.KillAsync();
    await Task.Delay(TimeSpan.FromSeconds(5));
    await fleet.Api.RestartAsync();
    stormOutage = killed.Elapsed.TotalSeconds;
    var restarted = Stopwatch.StartNew();
    while (restarted.Elapsed < TimeSpan.FromMinutes(3))
    {
        var rate = await AcknowledgedRateAsync(TimeSpan.FromSeconds(2));
        if (fleet.Simulator.Stats().Connected == agents && rate >= 0.9 * windowRate)
        {
            stormRecovery = restarted.Elapsed.TotalSeconds;
            break;
        }
    }

    BenchFleet.Log($"storm: ingest rate {windowRate:0}/s before the kill; Api back after {stormOutage:0.0} s, rate back {(stormRecovery is { } r ? $"{r:0.0} s" : "never")} after that; {connections.MaxTotal} database connections at most");
}

fleet.Simulator.SetSampling(false);
var drained = await fleet.Simulator.WaitForDrainAsync(TimeSpan.FromMinutes(3), CancellationToken.None);
var stats = fleet.Simulator.Stats();
var stored = await fleet.ScalarAsync<long>("SELECT count(*) FROM samples");
var distinct = await fleet.ScalarAsync<long>("SELECT count(*) FROM (SELECT DISTINCT link_id, member, time FROM samples) d");
BenchFleet.Log($"drained: {drained}; produced {stats.SamplesProduced}, stored {stored} ({distinct} distinct); {stats}");

// Where the time goes: from the agent's sample time to the Api receiving the batch (agent side and network), by batch.
var transit = await fleet.ListAsync(
    $"SELECT extract(epoch FROM received_at - last_sample_at) * 1000 FROM ingested_batches WHERE last_sample_at >= '{windowStart:O}' AND last_sample_at < '{windowEnd:O}'");
var p50 = Percentiles.Of(latencies, 50);
var p99 = Percentiles.Of(latencies, 99);
var lost = stats.SamplesProduced - distinct;
var duplicated = stored - distinct;
var result = new Dictionary<string, object>
{
    ["benchmark"] = "ingest",
    ["agents"] = agents,
    ["members"] = agents * members,
    ["interval_s"] = interval.TotalSeconds,
    ["window_s"] = seconds,
    ["samples_sent"] = stats.SamplesProduced,
    ["samples_stored"] = stored,
    ["samples_lost"] = lost,
    ["samples_duplicated"] = duplicated,
    ["batches_sent"] = stats.BatchesSent,
    ["batches_resent_as_duplicate"] = stats.DuplicateAcknowledgements,
    ["live_links_followed"] = followed.Count,
    ["live_samples_timed"] = latencies.Count,
    ["live_latency_ms_p50"] = Percentiles.Round(p50),
    ["live_latency_ms_p99"] = Percentiles.Round(p99),
    ["agent_to_api_ms_p50"] = Percentiles.Round(Percentiles.Of(transit, 50)),
    ["agent_to_api_ms_p99"] = Percentiles.Round(Percentiles.Of(transit, 99)),
    ["wire_bytes_to_api_per_batch"] = Math.Round(bytesPerBatch, 1),
    ["wire_bytes_to_api_per_sample"] = Math.Round((wire1 - wire0) / (double)windowSamples, 1),
    ["api_cpu_cores"] = Math.Round(cores, 3),
    ["simulated_agents_cpu_cores"] = Math.Round(agentsCores, 3),
    ["machine_load_average_1m"] = Math.Round((load0 + load1) / 2, 1),
    ["baseline_idle_api_cpu_cores"] = Math.Round(idleCores, 3),
    ["cpu_vs_idle_baseline"] = idleCores > 0 ? Math.Round(cores / idleCores, 1) : -1,
    ["target_live_latency_ms_p99"] = 1000,
    ["target_api_cpu_cores"] = 1.0,
    ["storm"] = storm,
    ["storm_ingest_rate_before_per_s"] = Math.Round(windowRate),
    ["storm_outage_s"] = Math.Round(stormOutage, 1),
    ["storm_recovery_s"] = stormRecovery is { } recovery ? Math.Round(recovery, 1) : -1,
    ["storm_max_db_connections"] = connections.MaxTotal,
    ["storm_max_db_pool_connections"] = connections.MaxPooled,
    ["db_pool_max"] = BenchFleet.PoolSize,
    ["storm_samples_lost"] = lost,
    ["target_storm_recovery_s"] = 30,
    ["meets_targets"] = drained && lost == 0 && duplicated == 0 && p99 < 1000 && cores < 1.0 && (!storm || stormRecovery <= 30),
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

async Task<double> AcknowledgedRateAsync(TimeSpan window)
{
    var before = fleet.Simulator.Stats().SamplesAcknowledged;
    var watch = Stopwatch.StartNew();
    await Task.Delay(window);
    return (fleet.Simulator.Stats().SamplesAcknowledged - before) / watch.Elapsed.TotalSeconds;
}

static double LoadAverage() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
