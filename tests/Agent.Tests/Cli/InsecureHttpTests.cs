using Fleet.Agent.Cli;
using Fleet.Agent.Identity;
using Fleet.Agent.Storage;
using Fleet.Agent.Tests.Support;

namespace Fleet.Agent.Tests.Cli;

/// <summary>
/// <c>run</c> and <c>simulate</c> talk to an <c>http://</c> control plane only when told to (<c>--allow-insecure-http</c>
/// or, for <c>run</c>, <c>Agent:AllowInsecureHttp</c> in its configuration): over plain HTTP the credential and every
/// report cross the network in clear text. <c>enroll</c>: <see cref="Enrollment.EnrollCommandTests"/>.
/// </summary>
public sealed class InsecureHttpTests : IDisposable
{
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-000000000a01");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string[] RunArguments(params string[] extra) =>
        ["run", "--data-dir", _dir.Path, "--config", _dir.Combine("agent.json"), "--simulated-host", "--interval", "200ms", "--reconnect-max-delay", "500ms", .. extra];

    private void Enroll(string server) =>
        new IdentityStore(_dir.Path).Save(new AgentIdentity(new Uri(server), s_host, "fleet_a_insecure-http-test", DateTimeOffset.UtcNow));

    [Fact]
    public async Task Run_HttpServerWithoutTheOption_ExitsUsageNamingTheOptionAndNeverStarts()
    {
        Enroll("http://127.0.0.1:9/");

        var (code, _, error) = await CommandLine.InvokeAsync(RunArguments(), TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--allow-insecure-http", error, StringComparison.Ordinal);
        Assert.Contains("Agent:AllowInsecureHttp", error, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:9/", error, StringComparison.Ordinal);
        Assert.False(File.Exists(DataDirectory.StatusFile(_dir.Path)), "the daemon started");
    }

    [Theory]
    [InlineData("https://127.0.0.1:9/", null, false)]
    [InlineData("http://127.0.0.1:9/", null, true)]
    [InlineData("http://127.0.0.1:9/", """{ "Agent": { "AllowInsecureHttp": true } }""", false)]
    public async Task Run_ServerAccepted_StartsTheDaemon(string server, string? configFile, bool option)
    {
        Enroll(server);
        if (configFile is not null)
        {
            await File.WriteAllTextAsync(_dir.Combine("agent.json"), configFile, TestContext.Current.CancellationToken);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = CommandLine.InvokeAsync(option ? RunArguments("--allow-insecure-http") : RunArguments(), stop.Token);

        // The daemon writes its status once its loop runs; nothing listens at the server, so it keeps reconnecting.
        await Eventually.TrueAsync(() => run.IsCompleted || File.Exists(DataDirectory.StatusFile(_dir.Path)), "the daemon started");
        if (run.IsCompleted)
        {
            // Only here: an interpolated message is built before the assertion runs, and awaiting a running daemon
            // there waited out CommandLine's one-minute limit on every run.
            Assert.Fail($"run returned early: {await run}");
        }

        await stop.CancelAsync();
        var (code, _, error) = await run;

        Assert.True(code == ExitCodes.Success, $"exit {code}: {error}");
    }

    [Fact]
    public async Task Simulate_HttpServerWithoutTheOption_ExitsUsageNamingTheOption()
    {
        var (code, _, error) = await CommandLine.InvokeAsync(["simulate", "--server", "http://127.0.0.1:9", "--token", "fleet_e_x", "--agents", "1"], TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--allow-insecure-http", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_EnrollAndRun_ListTheOption()
    {
        // The container entrypoint passes the option only to an agent whose help lists it (deploy/docker).
        foreach (var command in new[] { "enroll", "run", "simulate" })
        {
            using var output = new StringWriter();
            Program.BuildRootCommand().Parse([command, "--help"]).Invoke(new System.CommandLine.InvocationConfiguration { Output = output });

            Assert.Contains("--allow-insecure-http", output.ToString(), StringComparison.Ordinal);
        }
    }
}
