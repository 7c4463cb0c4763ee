using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Fleet.Agent.Hub;
using Fleet.Agent.Simulation;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Fleet.Bench;

/// <summary>
/// A benchmark's world: PostgreSQL (initdb'ed from the installed binaries, or <c>FLEET_TEST_POSTGRES</c>), the real Api
/// as a process on it, and a simulated fleet in this process, each agent a real WebSocket connection with its own
/// enrolled credential and one link of <c>members</c> members.
/// </summary>
internal sealed class BenchFleet : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _loggers;
    private PostgresServer? _postgres;
    private Task _running = Task.CompletedTask;

    private BenchFleet(ILoggerFactory loggers) => _loggers = loggers;

    /// <summary>The Api's connection pool bound (<c>Maximum Pool Size</c>), set so the storm has a bound to respect.</summary>
    public const int PoolSize = 50;

    public ApiProcess Api { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public FleetSimulator Simulator { get; private set; } = null!;

    public IReadOnlyList<Guid> LinkIds { get; private set; } = [];

    /// <summary>The fleet up and applied; <paramref name="settings"/> is Api configuration on top of the benchmark's own (a feature switched on or off).</summary>
    public static async Task<BenchFleet> StartAsync(int agents, int members, TimeSpan interval, IReadOnlyDictionary<string, string>? settings = null)
    {
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.AspNetCore.SignalR.Client", LogLevel.None).AddFilter("Microsoft.AspNetCore.Http.Connections.Client", LogLevel.None).AddSimpleConsole(c => c.SingleLine = true));
        var fleet = new BenchFleet(loggers);
        try
        {
            await fleet.SetUpAsync(agents, members, interval, settings);
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Seconds of CPU (user + system) the Api process has used.</summary>
    public double ApiCpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Api.ProcessId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / (double)ClockTicksPerSecond;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<double>> ListAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        var values = new List<double>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToDouble(reader.GetValue(0), CultureInfo.InvariantCulture));
        }

        return values;
    }

    public async Task<List<(Guid LinkId, DateTime OutcomeAt)>> ListRowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        var rows = new List<(Guid, DateTime)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetGuid(0), reader.GetDateTime(1)));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        Http?.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _loggers.Dispose();
        _stop.Dispose();
    }

    private async Task SetUpAsync(int agents, int members, TimeSpan interval, IReadOnlyDictionary<string, string>? settings)
    {
        var watch = Stopwatch.StartNew();
        _postgres = await PostgresServer.StartAsync();
        ConnectionString = await _postgres.CreateDatabaseAsync("bench");
        var options = new ApiProcessOptions
        {
            PostgresConnectionString = ConnectionString + $";Maximum Pool Size={PoolSize}",
            Configuration =
            {
                ["Fleet:RateLimits:EnrollPerMinute"] = "1000000",
                ["Logging:LogLevel:Default"] = "Warning",
            },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            options.Configuration[key] = value;
        }

        Api = await ApiProcess.StartAsync(options);
        Http = Api.CreateClient();
        Log($"PostgreSQL and the Api ({Api.BaseAddress}) up in {watch.Elapsed.TotalSeconds:0.0} s");

        var tokenResponse = await Http.PostAsJsonAsync("api/v1/enrollment-tokens", new CreateEnrollmentTokenRequest { MaxUses = agents, ExpiresInSeconds = 3600, Description = "benchmark" }, FleetJson.Options);
        tokenResponse.EnsureSuccessStatusCode();
        var token = (await tokenResponse.Content.ReadFromJsonAsync<CreatedEnrollmentTokenDto>(FleetJson.Options))!.Secret;
        Simulator = new FleetSimulator(
            new FleetSimulatorOptions
            {
                Server = Api.BaseAddress,
                AllowInsecureHttp = true, // the benchmark's Api listens on http:// loopback
                Agents = agents,
                Members = members,
                Interval = interval,
                NamePrefix = "bench",
                MemberFailuresPerHour = 0,
                EnrollConcurrency = 16,
                Hub = new HubClientOptions { ReconnectMinDelay = TimeSpan.FromMilliseconds(500), ReconnectMaxDelay = TimeSpan.FromSeconds(10) },
            },
            _loggers);
        watch.Restart();
        await Simulator.EnrollAsync(token, _stop.Token);
        Log($"{agents} agents enrolled in {watch.Elapsed.TotalSeconds:0.0} s");

        // One link per host, created before the agents connect: their hello brings them the spec.
        watch.Restart();
        var ids = new Guid[agents];
        await Parallel.ForAsync(0, agents, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var response = await Http.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = Simulator.Agents[i].Identity.HostId, Spec = Spec(i, members, generation: 1) }, FleetJson.Options, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"creating link {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }

            ids[i] = (await response.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, ct))!.Id;
        });
        LinkIds = ids;
        Log($"{agents} links created in {watch.Elapsed.TotalSeconds:0.0} s");

        watch.Restart();
        Simulator.SetSampling(false);
        _running = Simulator.RunAsync(_stop.Token);
        while (Simulator.Stats().Connected < agents || await ScalarAsync<long>("SELECT count(*) FROM links WHERE phase = 'Applied'") < agents)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(5))
            {
                var applied = await ScalarAsync<string>("SELECT string_agg(phase || '=' || n, ', ') FROM (SELECT phase, count(*) n FROM links GROUP BY phase) p");
                var output = Api.Output;
                throw new TimeoutException($"the fleet did not come up: {Simulator.Stats()}, links by phase: {applied}\n--- api ---\n{(output.Length > 8000 ? output[^8000..] : output)}");
            }

            await Task.Delay(500);
        }

        Log($"{agents} agents connected, links applied in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The spec of host <paramref name="index"/>; generations alternate a detail so every PUT is a real change.</summary>
    public static LinkSpec Spec(int index, int members, long generation)
    {
        var spec = new LinkSpec
        {
            Kind = LinkKind.Bond,
            Name = "bond0",
            Members = [.. Enumerable.Range(0, members).Select(m => new MemberSpec { Interface = $"eth{m}" })],
            Addresses = ["10.9.0.1/30"],
            Bond = new BondOptions { Mode = index % 2 == 0 ? BondMode.BalanceRoundRobin : BondMode.ActiveBackup, MiimonMs = (int)(100 * (1 + (generation % 2))) },
        };
        var errors = LinkSpecValidator.Validate(spec);
        return errors.Count == 0 ? spec : throw new InvalidOperationException("benchmark spec is invalid: " + string.Join("; ", errors));
    }

    public static void Log(string message) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

    private static readonly long ClockTicksPerSecond = ReadClockTicks();

    private static long ReadClockTicks()
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf") { ArgumentList = { "CLK_TCK" }, RedirectStandardOutput = true })!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return long.TryParse(text, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
    }
}
