using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Fleet.Bench.SiteSwarm;

// fleet-bench-site-swarm AGGREGATOR:PORT KEYS.json [TIMEOUT-SECONDS]: every site of KEYS.json (a JSON array of base64
// keys; site id = index + 1) handshakes with the aggregator at once, from this one process; prints one JSON line with
// every site's times (bench/aggregator/README.md, "cold_start").
if (args.Length < 2 || !IPEndPoint.TryParse(args[0], out var aggregator))
{
    await Console.Error.WriteLineAsync("usage: fleet-bench-site-swarm AGGREGATOR:PORT KEYS.json [TIMEOUT-SECONDS]");
    return 2;
}

var keys = JsonSerializer.Deserialize<string[]>(await File.ReadAllTextAsync(args[1])) ?? [];
var timeout = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 120);
using var cancel = new CancellationTokenSource(timeout);
var clock = Stopwatch.StartNew();
var sites = keys.Select((key, i) => Task.Run(() => new SwarmSite(i + 1, key, aggregator).RunAsync(clock, cancel.Token))).ToArray();
try
{
    await Task.WhenAll(sites);
}
catch (OperationCanceledException)
{
    // Reported below: the sites that did not finish in time.
}

var done = sites.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result).ToArray();
Console.WriteLine(JsonSerializer.Serialize(new
{
    sites = keys.Length,
    confirmed = done.Length,
    total_ms = done.Length == 0 ? 0 : done.Max(r => r.ConfirmedMs),
    established_ms = done.Select(r => Math.Round(r.EstablishedMs, 2)).Order().ToArray(),
    confirmed_ms = done.Select(r => Math.Round(r.ConfirmedMs, 2)).Order().ToArray(),
    hellos_sent = done.Sum(r => r.HellosSent),
}));
return done.Length == keys.Length ? 0 : 1;
