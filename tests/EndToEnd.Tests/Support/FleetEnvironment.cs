using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>One test's world: a fresh PostgreSQL database, the real Api on it, agents in temp directories.</summary>
internal sealed class FleetEnvironment : IAsyncDisposable
{
    private readonly List<AgentProcess> _agents = [];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fleet-e2e-" + Guid.NewGuid().ToString("N")[..10]);

    private FleetEnvironment(ApiProcess api, string connectionString)
    {
        Api = api;
        Database = new Database(connectionString);
        Rest = new FleetRest(api.CreateClient());
    }

    public ApiProcess Api { get; }

    public Database Database { get; }

    public FleetRest Rest { get; }

    /// <summary>
    /// A fresh database and the Api on it; <paramref name="apiConnectionString"/> may change the Api's connection string
    /// (pool size), <paramref name="configuration"/> adds settings, <paramref name="apiEnvironment"/> adds environment variables,
    /// <paramref name="host"/> is the loopback address the Api listens on (<c>[::1]</c> for IPv6).
    /// </summary>
    public static async Task<FleetEnvironment> StartAsync(
        PostgresFixture postgres,
        Func<string, string>? apiConnectionString = null,
        IDictionary<string, string>? configuration = null,
        IReadOnlyDictionary<string, string>? apiEnvironment = null,
        string host = "127.0.0.1")
    {
        var connectionString = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var options = new ApiProcessOptions
        {
            PostgresConnectionString = apiConnectionString?.Invoke(connectionString) ?? connectionString,
            Configuration = configuration ?? new Dictionary<string, string>(),
            Host = host,
        };
        foreach (var (name, value) in apiEnvironment ?? new Dictionary<string, string>())
        {
            options.Environment[name] = value;
        }

        var api = await ApiProcess.StartAsync(options, TestContext.Current.CancellationToken);
        return new FleetEnvironment(api, connectionString);
    }

    /// <summary>A new agent with its own data directory (not enrolled, not running).</summary>
    public AgentProcess NewAgent()
    {
        var agent = new AgentProcess(Path.Combine(_root, "agent-" + _agents.Count));
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Enrolls a new agent against <paramref name="server"/> (the Api or a proxy in front of it) and returns it with its host id.</summary>
    public async Task<(AgentProcess Agent, Guid HostId)> EnrollAgentAsync(Uri? server = null, string? token = null)
    {
        token ??= await Rest.CreateEnrollmentTokenAsync();
        var agent = NewAgent();
        var (code, output) = await agent.EnrollAsync(server ?? Api.BaseAddress, token);
        Assert.True(code == 0, $"enroll exited {code}: {output}");
        var identity = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(agent.DataDirectory, "identity.json"), TestContext.Current.CancellationToken));
        return (agent, identity.RootElement.GetProperty("hostId").GetGuid());
    }

    /// <summary>
    /// Enrolls <paramref name="count"/> hosts over REST (no agent process): their ids and credentials, for hand-made
    /// connections (<see cref="RawAgentConnection"/>) or an in-process simulated fleet.
    /// </summary>
    public async Task<IReadOnlyList<(Guid HostId, string Credential)>> EnrollHostsAsync(int count, string namePrefix)
    {
        var token = await Rest.CreateEnrollmentTokenAsync(maxUses: count);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var client = new Fleet.Agent.Enrollment.EnrollmentClient(http);
        var hosts = new (Guid, string)[count];
        for (var i = 0; i < count; i++)
        {
            var name = $"{namePrefix}-{i:000}";
            var result = await client.EnrollWithRetryAsync(Api.BaseAddress, new Fleet.Agent.Enrollment.EnrollRequest(token, name, name), 30, TimeProvider.System, TestContext.Current.CancellationToken);
            Assert.True(result.Response is not null, $"enrolling {name}: {result.Error}");
            hosts[i] = (result.Response.HostId, result.Response.Credential);
        }

        return hosts;
    }

    /// <summary>Adds the Api's and the agents' output to a failure message.</summary>
    public string Diagnostics() =>
        $"--- api ---\n{Tail(Api.Output)}\n" + string.Join('\n', _agents.Select((a, i) => $"--- agent {i} ---\n{Tail(a.Output)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await Api.DisposeAsync();
        Rest.Http.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Tail(string text) => text.Length > 6000 ? text[^6000..] : text;
}
