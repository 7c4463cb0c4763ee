using System.CommandLine;
using System.Text.Json;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Processes;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Aggregator;
using Fleet.Striper.Engine;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.StandaloneStriper;

/// <summary>
/// <c>fleet-agent striper aggregate --config FILE.json</c>: runs a striper aggregator standalone from an aggregator spec
/// (JSON, docs/striper-protocol.md, "Aggregator"): one UDP port and one TUN device serving every site of the file.
/// SIGHUP re-reads the file and adds, changes and removes sites live; SIGINT/SIGTERM stop it. With
/// <c>--stats-interval-ms</c> it prints the aggregator's and every site's counters as one JSON line per interval.
/// </summary>
public static partial class StandaloneAggregatorCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "Aggregator spec (JSON).", Required = true };
        var statsInterval = new Option<int>("--stats-interval-ms") { Description = "Print counters as a JSON line every N ms (0: never).", DefaultValueFactory = _ => 0 };
        var noOffloads = new Option<bool>("--no-offloads") { Description = "Do not use UDP GSO/GRO and TUN offloads (for comparison)." };
        var aggregate = new Command("aggregate", "Run a striper aggregator serving many sites on one port until interrupted.") { config, statsInterval, noOffloads };
        aggregate.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(config)!, parse.GetValue(statsInterval), parse.GetValue(noOffloads), cancellationToken));
        return aggregate;
    }

    private static async Task<int> RunAsync(FileInfo file, int statsIntervalMs, bool noOffloads, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        var logger = loggerFactory.CreateLogger("Fleet.Striper");
        var spec = Load(file, out var error);
        if (spec is null)
        {
            await Console.Error.WriteLineAsync(error);
            return 2;
        }

        StriperAggregator aggregator;
        try
        {
            aggregator = StriperAggregator.Start(spec, new StriperEngineOptions { UseOffloads = !noOffloads }, logger);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"cannot start the aggregator: {ex.Message}");
            return 1;
        }

        using (aggregator)
        {
            // The device's addresses as a link's: DeviceAddressing reads only the name, addresses and routes.
            var device = new LinkSpec { Kind = LinkKind.Striper, Name = spec.Name, Members = [], Addresses = spec.Addresses };
            var addressing = new DeviceAddressing(KernelContext.Host(new CommandRunner(), new ProcessCommandStreamer()));
            if (await addressing.ApplyAsync(aggregator.DeviceName, device, null, cancellationToken) is { } error2)
            {
                await Console.Error.WriteLineAsync($"cannot configure {aggregator.DeviceName}: {error2}");
                return 1;
            }

            await Console.Out.WriteLineAsync($"aggregator {aggregator.DeviceName} running (mtu {aggregator.TunMtu}, port {spec.Port}, {spec.Sites.Count} sites)");
            await StandaloneRun.UntilStoppedAsync(aggregator.GetSnapshot, statsIntervalMs, () => Reload(file, aggregator, logger), cancellationToken);
        }

        return 0;
    }

    private static AggregatorSpec? Load(FileInfo file, out string error)
    {
        error = "";
        AggregatorSpec? spec;
        try
        {
            using var stream = file.OpenRead();
            spec = JsonSerializer.Deserialize<AggregatorSpec>(stream, FleetJson.Options);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            error = $"cannot read {file.FullName}: {ex.Message}";
            return null;
        }

        if (spec is null)
        {
            error = $"{file.FullName} is empty";
            return null;
        }

        var errors = AggregatorSpecValidator.Validate(spec);
        if (errors.Count > 0)
        {
            error = $"{file.FullName} is not a valid aggregator spec:\n" + string.Join('\n', errors.Select(e => $"  {e.Path}: {e.Message}"));
            return null;
        }

        return spec;
    }

    private static void Reload(FileInfo file, StriperAggregator aggregator, ILogger logger)
    {
        var spec = Load(file, out var error);
        if (spec is null)
        {
            LogReloadRefused(logger, error);
            return;
        }

        try
        {
            aggregator.Update(spec);
            LogReloaded(logger, spec.Sites.Count);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or TimeoutException)
        {
            LogReloadRefused(logger, ex.Message);
        }
    }

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Aggregator config reload refused: {Reason}")]
    private static partial void LogReloadRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Aggregator config reloaded: {Sites} sites")]
    private static partial void LogReloaded(ILogger logger, int sites);
}
