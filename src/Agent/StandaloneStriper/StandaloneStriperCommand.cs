using System.CommandLine;
using System.Text.Json;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Processes;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Engine;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.StandaloneStriper;

/// <summary>
/// <c>fleet-agent striper run --config FILE.json</c>: runs one striper endpoint standalone from a link spec (kind
/// striper, JSON as the Api stores it), for tests, benchmarks and hosts without the control plane. SIGHUP re-reads the
/// file and applies what can change live (scheduler, weights, admin states, thresholds); SIGINT/SIGTERM stop it.
/// With <c>--stats-interval-ms</c> it prints the engine's counters as one JSON line per interval on stdout.
/// </summary>
public static partial class StandaloneStriperCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "Link spec of kind striper (JSON).", Required = true };
        var statsInterval = new Option<int>("--stats-interval-ms") { Description = "Print counters as a JSON line every N ms (0: never).", DefaultValueFactory = _ => 0 };
        var noOffloads = new Option<bool>("--no-offloads") { Description = "Do not use UDP GSO/GRO and TUN offloads (for comparison)." };
        var run = new Command("run", "Run one striper endpoint from a config file until interrupted.") { config, statsInterval, noOffloads };
        run.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(config)!, parse.GetValue(statsInterval), parse.GetValue(noOffloads), cancellationToken));
        return new Command("striper", "Fleet's userspace striper.") { run, StandaloneAggregatorCommand.Create() };
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

        StriperEngine engine;
        try
        {
            engine = StriperEngine.Start(spec, new StriperEngineOptions { UseOffloads = !noOffloads }, logger);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"cannot start the striper: {ex.Message}");
            return 1;
        }

        using (engine)
        {
            var addressing = new DeviceAddressing(KernelContext.Host(new CommandRunner(), new ProcessCommandStreamer()));
            if (await addressing.ApplyAsync(engine.DeviceName, spec, null, cancellationToken) is { } error2)
            {
                await Console.Error.WriteLineAsync($"cannot configure {engine.DeviceName}: {error2}");
                return 1;
            }

            await Console.Out.WriteLineAsync($"striper {engine.DeviceName} running (mtu {engine.TunMtu}, {engine.TunFeatures})");
            await StandaloneRun.UntilStoppedAsync(() => engine.GetSnapshot(), statsIntervalMs, () => Reload(file, engine, logger), cancellationToken);
        }

        return 0;
    }

    private static LinkSpec? Load(FileInfo file, out string error)
    {
        error = "";
        LinkSpec? spec;
        try
        {
            using var stream = file.OpenRead();
            spec = JsonSerializer.Deserialize<LinkSpec>(stream, FleetJson.Options);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            error = $"cannot read {file.FullName}: {ex.Message}";
            return null;
        }

        var errors = LinkSpecValidator.Validate(spec);
        if (errors.Count > 0 || spec!.Kind != LinkKind.Striper)
        {
            error = spec?.Kind != LinkKind.Striper && errors.Count == 0
                ? $"{file.FullName}: kind must be striper"
                : $"{file.FullName} is not a valid link spec:\n" + string.Join('\n', errors.Select(e => $"  {e.Path}: {e.Message}"));
            return null;
        }

        return spec;
    }

    private static void Reload(FileInfo file, StriperEngine engine, ILogger logger)
    {
        var spec = Load(file, out var error);
        if (spec is null)
        {
            LogReloadRefused(logger, error);
            return;
        }

        if (!engine.CanUpdateLive(spec))
        {
            LogReloadRefused(logger, "the change needs a restart (members, ports, peers, key, cipher, name or MTU changed)");
            return;
        }

        engine.Update(spec);
        LogReloaded(logger, LinkSpecValidator.SchedulerName(spec.Striper!.Scheduler));
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Config reload refused: {Reason}")]
    private static partial void LogReloadRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Config reloaded: scheduler {Scheduler}")]
    private static partial void LogReloaded(ILogger logger, string scheduler);
}
