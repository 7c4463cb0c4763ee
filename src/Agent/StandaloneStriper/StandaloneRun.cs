using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Processes;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Engine;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.StandaloneStriper;

/// <summary>What differs between the standalone striper commands: their spec, how it is checked, started and reloaded.</summary>
internal interface IStandaloneEndpoint<TSpec, TRunning>
    where TSpec : class
    where TRunning : IDisposable
{
    /// <summary>What the spec file holds, for messages ("link spec", "aggregator spec").</summary>
    string SpecName { get; }

    /// <summary>Options of this command alone, read by <see cref="Start"/> from the parse result.</summary>
    IReadOnlyList<Option> Options { get; }

    IReadOnlyList<ValidationError> Validate(TSpec spec);

    TRunning Start(TSpec spec, StriperEngineOptions options, ILogger logger, ParseResult parse);

    string DeviceName(TRunning running);

    /// <summary>The device's addresses and routes, as a link spec (what <see cref="DeviceAddressing"/> reads).</summary>
    LinkSpec Addressing(TSpec spec);

    /// <summary>The line printed once it runs.</summary>
    string Running(TRunning running, TSpec spec);

    object Snapshot(TRunning running);

    /// <summary>Applies a re-read spec; null on success, else why it was refused.</summary>
    string? Reload(TRunning running, TSpec spec);
}

/// <summary>
/// The standalone striper commands' common run: read and check the spec file (exit 2 when it is not valid), start the
/// endpoint (exit 1 when that fails), put the device's addresses on it, then reload on SIGHUP, print counters every
/// <c>--stats-interval-ms</c> and stop on SIGINT/SIGTERM.
/// </summary>
internal static partial class StandaloneRun
{
    /// <summary>A command with the options every standalone striper command takes.</summary>
    public static Command Command<TSpec, TRunning>(string name, string description, string configDescription, IStandaloneEndpoint<TSpec, TRunning> endpoint)
        where TSpec : class
        where TRunning : IDisposable
    {
        var config = new Option<FileInfo>("--config") { Description = configDescription, Required = true };
        var statsInterval = new Option<int>("--stats-interval-ms") { Description = "Print counters as a JSON line every N ms (0: never).", DefaultValueFactory = _ => 0 };
        var noOffloads = new Option<bool>("--no-offloads") { Description = "Do not use UDP GSO/GRO and TUN offloads (for comparison)." };
        var command = new Command(name, description) { config, statsInterval, noOffloads };
        foreach (var option in endpoint.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
            RunAsync(endpoint, parse, parse.GetValue(config)!, parse.GetValue(statsInterval), parse.GetValue(noOffloads), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync<TSpec, TRunning>(IStandaloneEndpoint<TSpec, TRunning> endpoint, ParseResult parse, FileInfo file, int statsIntervalMs,
        bool noOffloads, CancellationToken cancellationToken)
        where TSpec : class
        where TRunning : IDisposable
    {
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        var logger = loggerFactory.CreateLogger("Fleet.Striper");
        var spec = Load(endpoint, file, out var error);
        if (spec is null)
        {
            await Console.Error.WriteLineAsync(error);
            return 2;
        }

        TRunning running;
        try
        {
            running = endpoint.Start(spec, new StriperEngineOptions { UseOffloads = !noOffloads }, logger, parse);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"cannot start the striper: {ex.Message}");
            return 1;
        }

        using (running)
        {
            var device = endpoint.DeviceName(running);
            var addressing = new DeviceAddressing(KernelContext.Host(new CommandRunner(), new ProcessCommandStreamer()));
            if (await addressing.ApplyAsync(device, endpoint.Addressing(spec), null, cancellationToken) is { } addressError)
            {
                await Console.Error.WriteLineAsync($"cannot configure {device}: {addressError}");
                return 1;
            }

            await Console.Out.WriteLineAsync(endpoint.Running(running, spec));
            await UntilStoppedAsync(() => endpoint.Snapshot(running), statsIntervalMs, () => Reload(endpoint, file, running, logger), cancellationToken);
        }

        return 0;
    }

    private static TSpec? Load<TSpec, TRunning>(IStandaloneEndpoint<TSpec, TRunning> endpoint, FileInfo file, out string error)
        where TSpec : class
        where TRunning : IDisposable
    {
        error = "";
        TSpec? spec;
        try
        {
            using var stream = file.OpenRead();
            spec = JsonSerializer.Deserialize<TSpec>(stream, FleetJson.Options);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            error = $"cannot read {file.FullName}: {ex.Message}";
            return null;
        }

        var errors = spec is null ? [new ValidationError("", "the file holds no spec")] : endpoint.Validate(spec);
        if (errors.Count > 0)
        {
            error = $"{file.FullName} is not a valid {endpoint.SpecName}:\n" + string.Join('\n', errors.Select(e => $"  {e.Path}: {e.Message}"));
            return null;
        }

        return spec;
    }

    private static void Reload<TSpec, TRunning>(IStandaloneEndpoint<TSpec, TRunning> endpoint, FileInfo file, TRunning running, ILogger logger)
        where TSpec : class
        where TRunning : IDisposable
    {
        var spec = Load(endpoint, file, out var error);
        if (spec is null)
        {
            LogReloadRefused(logger, error);
            return;
        }

        if (endpoint.Reload(running, spec) is { } refused)
        {
            LogReloadRefused(logger, refused);
            return;
        }

        LogReloaded(logger, file.Name);
    }

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled (System.CommandLine cancels it on SIGINT and
    /// SIGTERM); SIGHUP calls <paramref name="reload"/>; with <paramref name="statsIntervalMs"/> &gt; 0 prints
    /// <paramref name="snapshot"/> as one JSON line per interval and once more at the end.
    /// </summary>
    private static async Task UntilStoppedAsync(Func<object> snapshot, int statsIntervalMs, Action reload, CancellationToken cancellationToken)
    {
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            reload();
        });

        await Console.Out.FlushAsync(cancellationToken);
        try
        {
            if (statsIntervalMs > 0)
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(statsIntervalMs));
                while (await timer.WaitForNextTickAsync(cancellationToken))
                {
                    await Console.Out.WriteLineAsync(JsonSerializer.Serialize(snapshot(), FleetJson.Options));
                    await Console.Out.FlushAsync(cancellationToken);
                }
            }
            else
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Interrupted: stop cleanly.
        }

        if (statsIntervalMs > 0)
        {
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(snapshot(), FleetJson.Options));
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Config reload refused: {Reason}")]
    private static partial void LogReloadRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Config reloaded from {File}")]
    private static partial void LogReloaded(ILogger logger, string file);
}
