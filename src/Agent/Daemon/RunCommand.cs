using System.CommandLine;
using Fleet.Agent.Backends;
using Fleet.Agent.Backends.InMemory;
using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Cli;
using Fleet.Agent.Events;
using Fleet.Agent.Hub;
using Fleet.Agent.Identity;
using Fleet.Agent.Inventory;
using Fleet.Agent.Queue;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Runtime;
using Fleet.Agent.SpeedTests;
using Fleet.Agent.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Agent.Daemon;

/// <summary><c>fleet-agent run</c>: the daemon.</summary>
public static class RunCommand
{
    /// <summary>The optional configuration file of package installs.</summary>
    public const string DefaultConfigFile = "/etc/fleet-agent/agent.json";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var dataDir = CommonOptions.DataDirectory();
        var config = new Option<string>("--config") { Description = "Configuration file (JSON, section \"Agent\")", DefaultValueFactory = _ => DefaultConfigFile };
        var interval = new Option<TimeSpan?>("--interval") { Description = "Sampling interval (default 1s)", CustomParser = r => Durations.ParseArgument(r) };
        var queueMaxBytes = new Option<long?>("--queue-max-bytes") { Description = "Bound of the on-disk batch queue (default 256 MiB)" };
        var simulated = new Option<bool>("--simulated-host") { Description = "Drive an in-memory simulated host instead of the kernel (tests and demos)" };
        var interfaces = new Option<string[]>("--simulated-interfaces") { Description = "Interfaces of the simulated host", AllowMultipleArgumentsPerToken = true };
        var reconnectMax = new Option<TimeSpan?>("--reconnect-max-delay") { Description = "Longest reconnect delay (default 60s)", CustomParser = r => Durations.ParseArgument(r) };
        var allowInsecureHttp = InsecureHttp.Option();
        var command = new Command("run", "Run the agent daemon: apply link specs, sample counters, report to the control plane.")
        {
            dataDir, config, interval, queueMaxBytes, simulated, interfaces, reconnectMax, allowInsecureHttp,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();

            // Only a --data-dir that was given wins over the configuration file: the option's default would otherwise
            // hide Agent:DataDirectory from the file.
            if (parse.GetResult(dataDir) is { Implicit: false })
            {
                overrides[$"{AgentOptions.Section}:{nameof(AgentOptions.DataDirectory)}"] = parse.GetRequiredValue(dataDir);
            }

            if (parse.GetValue(interval) is { } i)
            {
                overrides[$"{AgentOptions.Section}:{nameof(AgentOptions.SampleInterval)}"] = i.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
            }

            if (parse.GetValue(queueMaxBytes) is { } q)
            {
                overrides[$"{AgentOptions.Section}:{nameof(AgentOptions.QueueMaxBytes)}"] = q.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (parse.GetValue(simulated))
            {
                overrides[$"{AgentOptions.Section}:{nameof(AgentOptions.SimulatedHost)}"] = "true";
            }

            if (parse.GetValue(allowInsecureHttp))
            {
                overrides[$"{AgentOptions.Section}:{nameof(AgentOptions.AllowInsecureHttp)}"] = "true";
            }

            if (parse.GetValue(interfaces) is { Length: > 0 } names)
            {
                for (var n = 0; n < names.Length; n++)
                {
                    overrides[$"{AgentOptions.Section}:{nameof(AgentOptions.SimulatedInterfaces)}:{n}"] = names[n];
                }
            }

            if (parse.GetValue(reconnectMax) is { } r)
            {
                overrides[$"{AgentOptions.Section}:{nameof(AgentOptions.ReconnectMaxDelay)}"] = r.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
            }

            return await RunAsync(parse.GetRequiredValue(config), overrides, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>Runs the daemon until SIGTERM/SIGINT; returns an exit code from <see cref="ExitCodes"/>.</summary>
    public static async Task<int> RunAsync(string configFile, IReadOnlyDictionary<string, string?> overrides, TextWriter error, CancellationToken cancellationToken)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonFile(configFile, optional: true, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables("FLEET_AGENT_");
        builder.Configuration.AddInMemoryCollection(overrides);
        // The SignalR client and its HTTP connection report every dropped connection as an error with a stack trace; the
        // hub client logs each disconnect once, as a warning with the reason. Configuration (Logging:LogLevel:…) can turn
        // them back on.
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Client", LogLevel.Critical);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Http.Connections.Client", LogLevel.Critical);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.UseUtcTimestamp = true;
        });
        builder.Services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();

        var options = new AgentOptions();
        builder.Configuration.GetSection(AgentOptions.Section).Bind(options);
        var validation = new AgentOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            foreach (var failure in validation.Failures)
            {
                await error.WriteLineAsync(failure);
            }

            return ExitCodes.Usage;
        }

        AgentIdentity? identity;
        try
        {
            identity = new IdentityStore(options.DataDirectory).Load();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync(ex.Message);
            return ExitCodes.DataDirectoryError;
        }

        if (identity is null)
        {
            await error.WriteLineAsync($"this host is not enrolled ({Path.Combine(options.DataDirectory, IdentityStore.FileName)} does not exist); run 'fleet-agent enroll' first");
            return ExitCodes.NotEnrolled;
        }

        if (InsecureHttp.Refusal(identity.ServerUrl, options.AllowInsecureHttp, $"{AgentOptions.Section}:{nameof(AgentOptions.AllowInsecureHttp)}=true in {configFile}") is { } refusal)
        {
            await error.WriteLineAsync($"{Path.Combine(options.DataDirectory, IdentityStore.FileName)}: {refusal}");
            return ExitCodes.Usage;
        }

        AddAgent(builder.Services, identity, options);
        builder.Services.AddHostedService<AgentDaemon>();

        // Under systemd (Type=notify): READY=1 once started, STOPPING=1 on SIGTERM, journald-style log lines, and the
        // watchdog pinged while the main loop makes progress. Elsewhere these do nothing.
        builder.Services.AddSystemd();
        builder.Services.AddHostedService(sp =>
        {
            var runtime = sp.GetRequiredService<AgentRuntime>();
            return new SystemdWatchdog(
                sp.GetService<ISystemdNotifier>() ?? new SystemdNotifier(),
                SystemdWatchdog.PeriodFromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId),
                () => runtime.LoopProgressTimestamp,
                SystemdWatchdog.AllowanceFor(runtime.SampleInterval),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<SystemdWatchdog>>());
        });
        builder.AddAgentTelemetry(identity, Environment.GetEnvironmentVariables());
        using var host = builder.Build();
        var daemon = host.Services.GetServices<IHostedService>().OfType<AgentDaemon>().Single();
        try
        {
            await host.RunAsync(cancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"the data directory {options.DataDirectory} is not usable: {ex.Message}");
            return ExitCodes.DataDirectoryError;
        }

        // The host logs a failed daemon and stops, and RunAsync returns normally: a failure must not look like a stop
        // (exit 0 keeps a systemd unit with Restart=on-failure down for good).
        if (daemon.ExecuteTask is { IsFaulted: true } failed && failed.Exception?.InnerException is { } cause)
        {
            await error.WriteLineAsync($"the agent stopped: {cause.Message}");
            return cause is IOException or UnauthorizedAccessException ? ExitCodes.DataDirectoryError : ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    /// <summary>Registers one agent's parts: backends (real or simulated), queue, reconciler, hub client, runtime.</summary>
    public static void AddAgent(IServiceCollection services, AgentIdentity identity, AgentOptions options)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(identity);
        services.AddSingleton<HealthChangeSignal>();
        if (options.SimulatedHost)
        {
            services.AddSimulatedLinkBackends(new SimulatedHost(InventoryHostname(), options.SimulatedInterfaces));
            services.AddSingleton<IInventorySource, SimulatedInventory>();
        }
        else
        {
            services.AddLinkBackends();
            services.AddSingleton<IInventorySource, HostInventory>();
        }

        services.AddSingleton<ILinkSpeedTester>(sp => new StriperSpeedTester(sp.GetService<StriperBackend>()));
        services.AddHostedService(sp => new SpeedTestInbox(
            options.DataDirectory, sp.GetRequiredService<ILinkSpeedTester>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SpeedTestInbox>>()));
        services.AddSingleton(sp => new AgentEventLog(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IBatchQueue>(sp => DiskBatchQueue.Open(
            DataDirectory.Queue(options.DataDirectory),
            identity.HostId,
            new DiskBatchQueueOptions { MaxBytes = options.QueueMaxBytes },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DiskBatchQueue>>()));
        services.AddSingleton<ILinkStateStore>(new FileLinkStateStore(options.DataDirectory));
        services.AddSingleton<Reconciler>();
        services.AddSingleton(new HubClientOptions
        {
            MaxBatchesInFlight = options.MaxBatchesInFlight,
            ReconnectMinDelay = options.ReconnectMinDelay,
            ReconnectMaxDelay = options.ReconnectMaxDelay,
            InventoryInterval = options.InventoryInterval,
        });
        services.AddSingleton(sp => new AgentHubClient(
            identity,
            sp.GetRequiredService<IBatchQueue>(),
            sp.GetRequiredService<Reconciler>(),
            sp.GetRequiredService<IInventorySource>(),
            sp.GetRequiredService<HubClientOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<ILinkSpeedTester>()));
        services.AddSingleton(new AgentRuntimeOptions
        {
            SampleInterval = options.SampleInterval,
            StatusFile = DataDirectory.StatusFile(options.DataDirectory),
        });
        services.AddSingleton<AgentRuntime>();
    }

    private static string InventoryHostname() => HostInventory.Hostname();
}
