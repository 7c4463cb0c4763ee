using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Live;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;

// Demo start-up benchmark (the first-run promise: a newcomer who runs `fleet-api --demo` sees live, changing samples
// within 5 s of the Api being up). Each round starts the real Api process with the demo on a fresh SQLite directory
// and times, from the moment /readyz first answers 200: the demo's first link listed in REST, and the first two live
// samples with different values on the dashboard's hub. Baseline in the same run: the process's own start, from
// launch to /readyz (what the machine's load does to any start). The last line printed is one JSON object.
//   dotnet run -c Release --project bench/demo [-- --rounds 5]
var rounds = Argument("--rounds", 5);
var cancel = CancellationToken.None;
var ready = new List<double>();
var firstLink = new List<double>();
var firstLive = new List<double>();

for (var round = 0; round < rounds; round++)
{
    var launch = Stopwatch.StartNew();
    await using var api = await ApiProcess.StartAsync(new ApiProcessOptions { Configuration = { ["Fleet:Demo"] = "true" } }, cancel);
    ready.Add(launch.Elapsed.TotalMilliseconds);
    var up = Stopwatch.StartNew();

    using var http = api.CreateClient();
    await using var hub = DashboardHubConnection.Build(api.BaseAddress, api.AdminApiKey);
    var values = new ConcurrentDictionary<long, bool>();
    hub.On<Guid, IReadOnlyList<MemberSample>>(nameof(ILiveClient.LinkSamples), (_, samples) =>
    {
        foreach (var sample in samples)
        {
            values.TryAdd(sample.TxBytes, true);
        }
    });
    await hub.StartAsync(cancel);

    LinkDto? link = null;
    while (link is null)
    {
        var page = await http.GetFromJsonAsync<Page<LinkDto>>("api/v1/links", FleetJson.Options, cancel);
        link = page!.Items.Count > 0 ? page.Items[0] : null;
        if (link is null)
        {
            await Task.Delay(20, cancel);
        }
        else
        {
            firstLink.Add(up.Elapsed.TotalMilliseconds);
        }

        Deadline(up, "the demo's first link", api);
    }

    await hub.InvokeAsync<HostLiveSnapshot>(nameof(ILiveHub.SubscribeHost), link.HostId, cancel);
    while (values.Count < 2)
    {
        await Task.Delay(20, cancel);
        Deadline(up, "two different live samples", api);
    }

    firstLive.Add(up.Elapsed.TotalMilliseconds);
    Console.Error.WriteLine($"round {round + 1}: ready {ready[^1]:0} ms, first link +{firstLink[^1]:0} ms, changing live samples +{firstLive[^1]:0} ms");
}

var liveP50 = Median(firstLive);
var readyP50 = Median(ready);
var result = new Dictionary<string, object>
{
    ["benchmark"] = "demo_start",
    ["rounds"] = rounds,
    ["process_to_ready_ms_p50"] = Math.Round(readyP50),
    ["ready_to_first_link_ms_p50"] = Math.Round(Median(firstLink)),
    ["ready_to_changing_live_samples_ms_p50"] = Math.Round(liveP50),
    ["ready_to_changing_live_samples_ms_max"] = Math.Round(firstLive.Max()),
    ["live_p50_vs_process_start"] = Math.Round(liveP50 / readyP50, 2),
    ["machine_load_average_1m"] = Math.Round(double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture), 1),
    ["target_ms"] = 5000,
    ["meets_target"] = firstLive.Max() < 5000,
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

// A round that never gets there is a failure to report with the Api's output, not a number.
static void Deadline(Stopwatch up, string what, ApiProcess api)
{
    if (up.Elapsed > TimeSpan.FromSeconds(120))
    {
        throw new TimeoutException($"{what} not seen within 120 s of /readyz; Api output:\n{api.Output}");
    }
}

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
