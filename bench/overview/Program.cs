using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Bench.Overview;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

// Server render time of the dashboard's fleet overview for a large fleet, against a baseline in the same run:
// the same page for an empty fleet. The real Api runs as a process on loopback (SQLite); the fleet is written
// into its database; times are request-to-last-byte over loopback. The last line printed is one JSON object.
//   dotnet run -c Release --project bench/overview [-- --hosts 1000 --iterations 30]
var hosts = Argument("--hosts", 1000);
var iterations = Argument("--iterations", 30);
const double TargetMs = 300;
const string Password = "bench-admin-password";

// --data-dir DIR keeps the seeded database for a look afterwards (the default is a temporary directory).
var dataDirectory = Array.IndexOf(args, "--data-dir") is >= 0 and var at && at + 1 < args.Length ? args[at + 1] : null;
await using var api = await ApiProcess.StartAsync(new ApiProcessOptions { AdminPassword = Password, DataDirectory = dataDirectory });
var cookies = new CookieContainer();
using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = api.BaseAddress };
await LogInAsync(client, cookies);

Console.WriteLine($"Api {api.BaseAddress} (SQLite in {api.DataDirectory})");
Measurement baseline;
try
{
    baseline = await MeasureAsync(client, api, "/", iterations, "overview, empty fleet (baseline)");
}
catch (InvalidOperationException)
{
    Console.Error.WriteLine(api.Output);
    throw;
}


var options = new DbContextOptionsBuilder<FleetDbContext>();
FleetDatabase.ForSqliteDirectory(api.DataDirectory).Configure(options);
var seedWatch = Stopwatch.StartNew();
await using (var db = new FleetDbContext(options.Options))
{
    // 15 minutes of rollups: every row of the overview draws its sparkline and health strip (issue 19).
    await FleetSeed.SeedAsync(db, hosts, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(15), CancellationToken.None, rollupMinutes: 15);
}

Console.WriteLine($"seeded {hosts} hosts, {hosts * 2} links, {hosts * 8} members in {seedWatch.Elapsed.TotalSeconds:0.0} s");

// The overview serves a snapshot at most a second old (FleetSnapshotCache): wait until it shows the seeded fleet.
var shown = $"{hosts} hosts";
for (var waited = Stopwatch.StartNew(); !(await client.GetStringAsync("/")).Contains(shown, StringComparison.Ordinal);)
{
    if (waited.Elapsed > TimeSpan.FromSeconds(60))
    {
        throw new InvalidOperationException($"the overview never showed '{shown}'");
    }

    await Task.Delay(200);
}

var page = await MeasureAsync(client, api, "/", iterations, $"overview, {hosts} hosts, first page (50)");
var all = await MeasureAsync(client, api, $"/?size=1000", Math.Max(5, iterations / 3), $"overview, {hosts} hosts, all on one page");
var filtered = await MeasureAsync(client, api, "/?health=degraded&kind=striper", iterations, $"overview, {hosts} hosts, filtered");

// Cold: the first overview after a restart reads every host, link, member and latest sample from the database.
await api.RestartAsync();
await LogInAsync(client, cookies);
var coldWatch = Stopwatch.StartNew();
await GetAsync(client, "/");
var coldMs = coldWatch.Elapsed.TotalMilliseconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"overview, " + hosts + " hosts, first after a restart (cold)",-48} {coldMs,8:0.0} ms"));

var result = new Dictionary<string, object>
{
    ["benchmark"] = "overview",
    ["hosts"] = hosts,
    ["links"] = hosts * 2,
    ["members"] = hosts * 8,
    ["iterations"] = iterations,
    ["baseline_empty_ms_p50"] = Round(baseline.P50),
    ["baseline_empty_cpu_ms"] = Round(baseline.CpuMs),
    ["page_ms_p50"] = Round(page.P50),
    ["page_ms_p95"] = Round(page.P95),
    ["page_cpu_ms"] = Round(page.CpuMs),
    ["all_hosts_ms_p50"] = Round(all.P50),
    ["all_hosts_cpu_ms"] = Round(all.CpuMs),
    ["filtered_ms_p50"] = Round(filtered.P50),
    ["cold_ms"] = Round(coldMs),
    ["page_vs_baseline"] = Round(page.P50 / baseline.P50),
    ["load_average"] = Round(LoadAverage()),
    ["target_ms"] = TargetMs,
    ["meets_target"] = page.P50 < TargetMs,
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

static async Task LogInAsync(HttpClient client, CookieContainer cookies)
{
    var form = await client.GetStringAsync("/account/login");
    var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
    using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["__RequestVerificationToken"] = token,
        ["userName"] = "admin",
        ["password"] = Password,
        ["returnUrl"] = "/",
    }));
    if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString != "/")
    {
        throw new InvalidOperationException($"login failed: {(int)response.StatusCode} {response.Headers.Location}");
    }

    // The session cookie is Secure (outside Development), and CookieContainer sends no Secure cookie over http://,
    // which a browser does for 127.0.0.1: hand it on as a plain cookie for this loopback address.
    foreach (var cookie in cookies.GetAllCookies().Where(c => c.Secure).ToList())
    {
        cookies.Add(client.BaseAddress!, new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain) { HttpOnly = cookie.HttpOnly });
    }
}

static async Task<Measurement> MeasureAsync(HttpClient client, ApiProcess api, string path, int count, string label)
{
    for (var i = 0; i < 3; i++)
    {
        await GetAsync(client, path);
    }

    var times = new List<double>(count);
    var cpuBefore = CpuMilliseconds(api);
    for (var i = 0; i < count; i++)
    {
        var watch = Stopwatch.StartNew();
        await GetAsync(client, path);
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    var cpu = (CpuMilliseconds(api) - cpuBefore) / count;
    times.Sort();
    var p50 = times[times.Count / 2];
    var p95 = times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.95) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-48} p50 {p50,8:0.0} ms   p95 {p95,8:0.0} ms   Api CPU {cpu,7:0.0} ms/request"));
    return new Measurement(p50, p95, cpu);
}

// The Api's CPU time (user + system) from /proc: what a request costs the server however busy the machine is.
static double CpuMilliseconds(ApiProcess api)
{
    var stat = File.ReadAllText($"/proc/{api.ProcessId}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
}

static double LoadAverage() =>
    double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

static async Task GetAsync(HttpClient client, string path)
{
    using var response = await client.GetAsync(path);
    var body = await response.Content.ReadAsStringAsync();
    if (response.StatusCode != HttpStatusCode.OK || !body.Contains("Fleet overview", StringComparison.Ordinal))
    {
        throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode}");
    }
}

static double Round(double value) => Math.Round(value, 1);

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

internal readonly record struct Measurement(double P50, double P95, double CpuMs);
