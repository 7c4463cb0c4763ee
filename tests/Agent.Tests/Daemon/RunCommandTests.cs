using System.Text.Json;
using Fleet.Agent.Cli;
using Fleet.Agent.Identity;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Daemon;

/// <summary><c>fleet-agent run</c> as a real process on a simulated host, against the loopback test hub.</summary>
public sealed class RunCommandTests : IDisposable
{
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-000000000701");
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000702");
    private const string Credential = "fleet_a_daemon-test-credential";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // The test hub listens on http:// loopback.
    private AgentProcess StartAgent() => AgentProcess.Start(
        "run", "--data-dir", _dir.Path, "--config", _dir.Combine("absent.json"), "--simulated-host", "--interval", "200ms", "--reconnect-max-delay", "500ms", "--allow-insecure-http");

    [Fact]
    public async Task Run_SimulatedHost_ReportsWritesStatusAndStopsOnSigterm()
    {
        var state = new TestHubState(s_host, Credential);
        state.Desired.Add(new DesiredLink(s_link, 1, Specs.Bond(mode: BondMode.BalanceRoundRobin)));
        await using var api = await TestAgentApi.StartAsync(state);
        new IdentityStore(_dir.Path).Save(new AgentIdentity(api.Url, s_host, Credential, DateTimeOffset.UtcNow));
        using var agent = StartAgent();

        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.Applied), "link applied", detail: () => agent.Output);
        await Eventually.TrueAsync(() => state.Stored.Values.Sum(b => b.Samples.Count) >= 4, "samples stored", detail: () => agent.Output);
        var (code, json) = await AgentProcess.RunAsync("status", "--json", "--data-dir", _dir.Path);

        Assert.Equal(ExitCodes.Success, code);
        using (var status = JsonDocument.Parse(json))
        {
            Assert.True(status.RootElement.GetProperty("running").GetBoolean(), json);
            Assert.Equal("connected", status.RootElement.GetProperty("status").GetProperty("connection").GetProperty("state").GetString());
            Assert.Equal("applied", status.RootElement.GetProperty("status").GetProperty("links")[0].GetProperty("phase").GetString());
        }

        Assert.DoesNotContain(Credential, agent.Output);

        // The Api goes away: the daemon keeps running, and status says so with its exit code.
        await api.DisposeAsync();
        await Eventually.TrueAsync(async () => (await AgentProcess.RunAsync("status", "--data-dir", _dir.Path)).ExitCode == ExitCodes.ServerUnavailable, "status exits 'not connected'", TimeSpan.FromSeconds(60), () => agent.Output);
        var (disconnectedCode, disconnectedJson) = await AgentProcess.RunAsync("status", "--json", "--data-dir", _dir.Path);
        Assert.Equal(ExitCodes.ServerUnavailable, disconnectedCode);
        using (var status = JsonDocument.Parse(disconnectedJson))
        {
            Assert.True(status.RootElement.GetProperty("running").GetBoolean(), disconnectedJson);
            Assert.NotEqual("connected", status.RootElement.GetProperty("status").GetProperty("connection").GetProperty("state").GetString());
        }

        // SIGTERM: a clean exit 0 well within systemd's 30 s stop timeout.
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        agent.Terminate();
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ExitCodes.Success, agent.ExitCode);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(30), $"stopped after {stopping.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(ExitCodes.NotRunning, (await AgentProcess.RunAsync("status", "--data-dir", _dir.Path)).ExitCode);
    }

    [Fact]
    public async Task Run_KilledAndRestarted_EveryBatchArrivesOnce()
    {
        var state = new TestHubState(s_host, Credential);
        state.Desired.Add(new DesiredLink(s_link, 1, Specs.Bond(mode: BondMode.BalanceRoundRobin)));
        await using var api = await TestAgentApi.StartAsync(state);
        new IdentityStore(_dir.Path).Save(new AgentIdentity(api.Url, s_host, Credential, DateTimeOffset.UtcNow));

        // The Api refuses the agent, so batches pile up on disk; then the agent is SIGKILLed.
        state.Credential = "fleet_a_refused";
        using (var first = StartAgent())
        {
            await Eventually.TrueAsync(() => Directory.Exists(_dir.Combine("queue")) && Directory.GetFiles(_dir.Combine("queue"), "*.seg").Any(f => new FileInfo(f).Length > 0), "queue written", detail: () => first.Output);
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        state.Credential = Credential;
        using var second = StartAgent();
        await Eventually.TrueAsync(() => state.Stored.Count >= 8, "batches stored after the restart", detail: () => second.Output);
        second.Terminate();
        await second.WaitForExitAsync(TimeSpan.FromSeconds(20));

        var sequences = state.Stored.Keys.Order().ToList();
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        Assert.Contains(state.Stored.Values.SelectMany(b => b.Events), e => e.Kind == AgentEventKind.AgentStarted);
    }

    /// <summary>Issue 10: a links.json that is not JSON stopped the agent for good, with exit code 0.</summary>
    [Fact]
    public async Task Run_CorruptLinksJson_QuarantinesItReportsAndKeepsRunning()
    {
        var state = new TestHubState(s_host, Credential);
        state.Desired.Add(new DesiredLink(s_link, 1, Specs.Bond(mode: BondMode.BalanceRoundRobin)));
        await using var api = await TestAgentApi.StartAsync(state);
        new IdentityStore(_dir.Path).Save(new AgentIdentity(api.Url, s_host, Credential, DateTimeOffset.UtcNow));
        File.WriteAllText(_dir.Combine("links.json"), "{ this is not what the agent wrote");
        using var agent = StartAgent();

        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.Applied), "the desired link applied from the Api's state", TimeSpan.FromSeconds(60), () => agent.Output);
        await Eventually.TrueAsync(
            () => state.Stored.Values.SelectMany(b => b.Events).Any(e => e.Kind == AgentEventKind.Drift && e.Message.Contains("links.json", StringComparison.Ordinal)),
            "an event about the quarantined links.json",
            TimeSpan.FromSeconds(30),
            () => agent.Output);
        Assert.False(agent.HasExited, agent.Output);
        var kept = Directory.GetFiles(_dir.Path, "links.json.corrupt-*");
        Assert.True(kept.Length == 1, $"one quarantined copy: {string.Join(", ", Directory.GetFiles(_dir.Path))}");
        Assert.Equal("{ this is not what the agent wrote", File.ReadAllText(kept[0]));
        agent.Terminate();
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ExitCodes.Success, agent.ExitCode);
    }

    /// <summary>A failure the agent cannot work around ends it with a non-zero code, so systemd restarts it (never 0).</summary>
    [Fact]
    public async Task Run_LinksJsonUnreadable_ExitsNonZero()
    {
        var state = new TestHubState(s_host, Credential);
        await using var api = await TestAgentApi.StartAsync(state);
        new IdentityStore(_dir.Path).Save(new AgentIdentity(api.Url, s_host, Credential, DateTimeOffset.UtcNow));
        Directory.CreateDirectory(_dir.Combine("links.json"));
        using var agent = StartAgent();

        await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(agent.ExitCode == ExitCodes.DataDirectoryError, $"exit code {agent.ExitCode}: {agent.Output}");
        Assert.Contains("links.json", agent.Output, StringComparison.Ordinal);
    }
}
