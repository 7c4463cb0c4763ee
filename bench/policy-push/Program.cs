using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Bench;
using Fleet.Contracts.Json;

// Policy push benchmark (docs/conventions.md, design targets: "policy push to 1,000 connected agents: REST call → agent Applied p99 < 500 ms").
// The real Api runs as a process on PostgreSQL; 1,000 simulated agents, each a real WebSocket connection, sample in
// the background. Every link gets a new spec by PUT (16 clients in parallel, like a rollout script); for each, the
// time from sending the PUT to the Api recording the agent's Applied (after the commit-confirm round trip) is taken
// from the policy revision's outcome time. Baseline in the same run: a plain authenticated GET of a link.
// The last line printed is one JSON object.
//   dotnet run -c Release --project bench/policy-push [-- --agents 1000 --members 2 --parallel 16]
var agents = Argument("--agents", 1000);
var members = Argument("--members", 2);
var parallel = Argument("--parallel", 16);

await using var fleet = await BenchFleet.StartAsync(agents, members, TimeSpan.FromSeconds(1));
fleet.Simulator.SetSampling(true);
await Task.Delay(TimeSpan.FromSeconds(10));

// Baseline: a REST round trip that changes nothing.
var gets = new List<double>();
for (var i = 0; i < 200; i++)
{
    var watch = Stopwatch.StartNew();
    using var response = await fleet.Http.GetAsync($"api/v1/links/{fleet.LinkIds[i % fleet.LinkIds.Count]}");
    response.EnsureSuccessStatusCode();
    gets.Add(watch.Elapsed.TotalMilliseconds);
}

var cpu0 = fleet.ApiCpuSeconds();
var pushWatch = Stopwatch.StartNew();
var sent = new ConcurrentDictionary<Guid, DateTime>();
var puts = new ConcurrentBag<double>();
var answered = new ConcurrentDictionary<Guid, DateTime>();
await Parallel.ForAsync(0, fleet.LinkIds.Count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, ct) =>
{
    var linkId = fleet.LinkIds[i];
    using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{linkId}/spec")
    {
        Content = JsonContent.Create(BenchFleet.Spec(i, members, generation: 2), options: FleetJson.Options),
    };
    request.Headers.TryAddWithoutValidation("If-Match", "*");
    sent[linkId] = DateTime.UtcNow;
    var watch = Stopwatch.StartNew();
    using var response = await fleet.Http.SendAsync(request, ct);
    puts.Add(watch.Elapsed.TotalMilliseconds);
    answered[linkId] = DateTime.UtcNow;
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"PUT {linkId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }
});
var pushSeconds = pushWatch.Elapsed.TotalSeconds;
BenchFleet.Log($"{fleet.LinkIds.Count} PUTs in {pushSeconds:0.0} s");

var deadline = Stopwatch.StartNew();
long applied;
while ((applied = await fleet.ScalarAsync<long>("SELECT count(*) FROM policy_revisions WHERE generation = 2 AND outcome = 'Applied'")) < fleet.LinkIds.Count && deadline.Elapsed < TimeSpan.FromMinutes(2))
{
    await Task.Delay(200);
}

var cores = (fleet.ApiCpuSeconds() - cpu0) / pushWatch.Elapsed.TotalSeconds;
var outcomes = await fleet.ListRowsAsync("SELECT link_id, outcome_at FROM policy_revisions WHERE generation = 2 AND outcome = 'Applied'");
var latencies = outcomes.Select(o => (o.OutcomeAt - sent[o.LinkId]).TotalMilliseconds).ToList();
var afterAnswer = outcomes.Select(o => (o.OutcomeAt - answered[o.LinkId]).TotalMilliseconds).ToList();
var p50 = Percentiles.Of(latencies, 50);
var p99 = Percentiles.Of(latencies, 99);
var baseline = Percentiles.Of(gets, 50);
BenchFleet.Log($"applied {applied} of {fleet.LinkIds.Count}; REST → Applied p50 {p50:0.0} ms, p99 {p99:0.0} ms");

var result = new Dictionary<string, object>
{
    ["benchmark"] = "policy_push",
    ["agents"] = agents,
    ["links"] = fleet.LinkIds.Count,
    ["parallel_clients"] = parallel,
    ["applied"] = applied,
    ["not_applied"] = fleet.LinkIds.Count - applied,
    ["push_seconds"] = Math.Round(pushSeconds, 1),
    ["rest_to_applied_ms_p50"] = Percentiles.Round(p50),
    ["rest_to_applied_ms_p99"] = Percentiles.Round(p99),
    ["rest_put_ms_p50"] = Percentiles.Round(Percentiles.Of([.. puts], 50)),
    ["put_answer_to_applied_ms_p50"] = Percentiles.Round(Percentiles.Of(afterAnswer, 50)),
    ["put_answer_to_applied_ms_p99"] = Percentiles.Round(Percentiles.Of(afterAnswer, 99)),
    ["baseline_rest_get_ms_p50"] = Percentiles.Round(baseline),
    ["applied_p50_vs_get_baseline"] = Math.Round(p50 / baseline, 1),
    ["api_cpu_cores_during_push"] = Math.Round(cores, 3),
    ["machine_load_average_1m"] = Math.Round(double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture), 1),
    ["target_ms_p99"] = 500,
    ["meets_target"] = applied == fleet.LinkIds.Count && p99 < 500,
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
