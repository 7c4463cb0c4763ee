using System.CommandLine;
using System.Text.Json;
using Fleet.Agent.Cli;
using Fleet.Contracts.Json;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Simulation;

/// <summary><c>fleet-agent simulate</c>: a fleet of simulated hosts in one process.</summary>
public static class SimulateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var server = new Option<Uri>("--server") { Description = "The Fleet Api's base URL", Required = true, CustomParser = ServerUrls.ParseArgument };
        var token = new Option<string>("--token") { Description = "A multi-use enrollment token (one use per simulated host)", Required = true };
        var agents = new Option<int>("--agents") { Description = "How many hosts", DefaultValueFactory = _ => 1 };
        var members = new Option<int>("--members") { Description = "Interfaces per host (eth0…), usable as link members", DefaultValueFactory = _ => 4 };
        var interval = new Option<TimeSpan>("--interval") { Description = "Sampling interval", DefaultValueFactory = _ => TimeSpan.FromSeconds(1), CustomParser = r => Durations.ParseArgument(r) };
        var dataDir = new Option<string?>("--data-dir") { Description = "Keep enrolled identities here and reuse them next time" };
        var prefix = new Option<string>("--name-prefix") { Description = "Host names are PREFIX-001, PREFIX-002, …", DefaultValueFactory = _ => "sim" };
        var seed = new Option<int>("--seed") { Description = "Seed of the simulated traffic", DefaultValueFactory = _ => 1 };
        var failures = new Option<double>("--failures-per-hour") { Description = "Average failures per member per hour", DefaultValueFactory = _ => 2 };
        var duration = new Option<TimeSpan?>("--duration") { Description = "Stop after this long (default: until Ctrl-C)", CustomParser = r => Durations.ParseArgument(r) };
        var allowInsecureHttp = InsecureHttp.Option();
        var statsEvery = new Option<TimeSpan>("--stats-every") { Description = "Print totals this often", DefaultValueFactory = _ => TimeSpan.FromSeconds(10), CustomParser = r => Durations.ParseArgument(r) };
        var command = new Command("simulate", "Run N simulated hosts, each a real agent connection with its own credential and realistic counters.")
        {
            server, token, agents, members, interval, dataDir, prefix, seed, failures, duration, statsEvery, allowInsecureHttp,
        };
        agents.Validators.Add(result => Range(result, result.GetValueOrDefault<int>(), 1, 100_000, "--agents"));
        members.Validators.Add(result => Range(result, result.GetValueOrDefault<int>(), 1, 16, "--members"));
        failures.Validators.Add(result => Range(result, result.GetValueOrDefault<double>(), 0, 3600, "--failures-per-hour"));
        interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<TimeSpan>() < TimeSpan.FromMilliseconds(100))
            {
                result.AddError("--interval must be at least 100ms");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new FleetSimulatorOptions
            {
                Server = parse.GetRequiredValue(server),
                AllowInsecureHttp = parse.GetValue(allowInsecureHttp),
                Agents = parse.GetValue(agents),
                Members = parse.GetValue(members),
                Interval = parse.GetValue(interval),
                NamePrefix = parse.GetRequiredValue(prefix),
                Seed = parse.GetValue(seed),
                MemberFailuresPerHour = parse.GetValue(failures),
                IdentityFile = parse.GetValue(dataDir) is { } dir ? Path.Combine(dir, "simulated-hosts.json") : null,
            };
            return await RunAsync(options, parse.GetRequiredValue(token), parse.GetValue(duration), parse.GetValue(statsEvery), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static void Range(System.CommandLine.Parsing.OptionResult result, double value, double min, double max, string name)
    {
        if (value < min || value > max)
        {
            result.AddError($"{name} must be between {min} and {max}");
        }
    }

    /// <summary>Enrolls and runs the fleet; prints totals periodically and one JSON line at the end.</summary>
    public static async Task<int> RunAsync(FleetSimulatorOptions options, string token, TimeSpan? duration, TimeSpan statsEvery, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (InsecureHttp.Refusal(options.Server, options.AllowInsecureHttp) is { } refusal)
        {
            await error.WriteLineAsync(refusal);
            return ExitCodes.Usage;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Fleet.Agent.Simulation", LogLevel.Information)
            .AddFilter("Microsoft.AspNetCore.SignalR.Client", LogLevel.None)
            .AddSimpleConsole(console => console.SingleLine = true));
        var simulator = new FleetSimulator(options, loggerFactory);
        try
        {
            await simulator.EnrollAsync(token, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return ExitCodes.EnrollmentRefused;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return ExitCodes.ServerUnavailable;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }

        var run = simulator.RunAsync(stop.Token);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(statsEvery, stop.Token);
                var stats = simulator.Stats();
                await output.WriteLineAsync($"{DateTimeOffset.UtcNow:HH:mm:ss} connected {stats.Connected}/{stats.Agents}, samples produced {stats.SamplesProduced}, acknowledged {stats.SamplesAcknowledged}, pending batches {stats.PendingBatches}");
            }
        }
        catch (OperationCanceledException)
        {
        }

        await run;
        await output.WriteLineAsync(JsonSerializer.Serialize(simulator.Stats(), FleetJson.Options));
        return ExitCodes.Success;
    }
}
