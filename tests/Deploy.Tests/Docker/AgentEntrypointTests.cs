using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Docker;

/// <summary>
/// deploy/docker/agent-entrypoint.sh decides when a container enrolls. Unit tests: the agent is replaced (through
/// FLEET_AGENT_BIN) by a script that records how it was called, so the decisions are checked without an Api.
/// </summary>
public sealed class AgentEntrypointTests : IDisposable
{
    private static readonly string s_entrypoint = Repository.PathOf("deploy/docker/agent-entrypoint.sh");
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("fleet-entrypoint-");

    public AgentEntrypointTests()
    {
        // Prints FAKE_AGENT_HELP for `COMMAND --help`; records every other call; `status` exits FAKE_STATUS_EXIT.
        File.WriteAllText(FakeAgent,
            "#!/bin/bash\n" +
            "if [[ ${2:-} == --help ]]; then printf '%s\\n' \"${FAKE_AGENT_HELP:-}\"; exit 0; fi\n" +
            "printf '%s\\n' \"$*\" >>\"" + Calls + "\"\n" +
            "if [[ $1 == status ]]; then echo 'api       disconnected'; exit ${FAKE_STATUS_EXIT:-0}; fi\n");
        File.SetUnixFileMode(FakeAgent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(DataDirectory);
    }

    private string FakeAgent => Path.Combine(_root.FullName, "fleet-agent");

    private string Calls => Path.Combine(_root.FullName, "calls");

    private string DataDirectory => Path.Combine(_root.FullName, "data");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Run_NotEnrolledAndNoToken_ExitsWithConfigErrorWithoutStartingTheAgent()
    {
        var result = await RunAsync(new() { ["FLEET_SERVER"] = "http://api:8080" }, "run");

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("not enrolled", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(RecordedCalls());
    }

    [Fact]
    public async Task Run_NotEnrolledWithToken_EnrollsThenRuns()
    {
        var result = await RunAsync(new()
        {
            ["FLEET_SERVER"] = "http://api:8080",
            ["FLEET_ENROLLMENT_TOKEN"] = "fleet_e_abc",
            ["FLEET_AGENT_NAME"] = "edge-1",
        }, "run", "--verbose");

        Assert.True(result.ExitCode == 0, result.Describe("entrypoint"));
        Assert.Equal(
            [$"enroll --server http://api:8080 --token fleet_e_abc --name edge-1 --data-dir {DataDirectory}", $"run --data-dir {DataDirectory} --verbose"],
            RecordedCalls());
    }

    [Fact]
    public async Task Run_Enrolled_RunsWithoutEnrollingAgain()
    {
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "identity.json"), "{}", TestContext.Current.CancellationToken);

        var result = await RunAsync(new() { ["FLEET_SERVER"] = "http://api:8080", ["FLEET_ENROLLMENT_TOKEN"] = "fleet_e_abc" });

        Assert.True(result.ExitCode == 0, result.Describe("entrypoint"));
        Assert.Equal([$"run --data-dir {DataDirectory}"], RecordedCalls());
    }

    [Fact]
    public async Task Run_TokenFileAppearsLater_WaitsAndEnrollsWithItsTrimmedContent()
    {
        var tokenFile = Path.Combine(_root.FullName, "token");
        var writer = Task.Run(async () =>
        {
            await Task.Delay(1500);
            await File.WriteAllTextAsync(tokenFile, "fleet_e_fromfile\n");
        }, TestContext.Current.CancellationToken);

        var result = await RunAsync(new()
        {
            ["FLEET_SERVER"] = "http://api:8080",
            ["FLEET_ENROLLMENT_TOKEN_FILE"] = tokenFile,
            ["FLEET_AGENT_NAME"] = "edge-2",
        }, "run");
        await writer;

        Assert.True(result.ExitCode == 0, result.Describe("entrypoint"));
        Assert.StartsWith("enroll --server http://api:8080 --token fleet_e_fromfile --name edge-2 ", RecordedCalls()[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TokenFileNeverAppears_GivesUpWithConfigError()
    {
        var result = await RunAsync(new()
        {
            ["FLEET_SERVER"] = "http://api:8080",
            ["FLEET_ENROLLMENT_TOKEN_FILE"] = Path.Combine(_root.FullName, "missing"),
            ["FLEET_ENROLLMENT_WAIT_SECONDS"] = "1",
        }, "run");

        Assert.Equal(78, result.ExitCode);
        Assert.Empty(RecordedCalls());
    }

    [Fact]
    public async Task OtherCommand_IsPassedToTheAgent()
    {
        var result = await RunAsync([], "status", "--json");

        Assert.True(result.ExitCode == 0, result.Describe("entrypoint"));
        Assert.Equal(["status --json"], RecordedCalls());
    }

    [Fact]
    public async Task Run_InsecureHttpAllowed_PassesTheOptionToEnrollAndRunOfAnAgentThatKnowsIt()
    {
        var result = await RunAsync(new()
        {
            ["FLEET_SERVER"] = "http://api:8080",
            ["FLEET_ENROLLMENT_TOKEN"] = "fleet_e_abc",
            ["FLEET_AGENT_NAME"] = "edge-1",
            ["FLEET_ALLOW_INSECURE_HTTP"] = "true",
            ["FAKE_AGENT_HELP"] = "  --allow-insecure-http  Accept an http:// server",
        }, "run");

        Assert.True(result.ExitCode == 0, result.Describe("entrypoint"));
        Assert.Equal(
            [$"enroll --server http://api:8080 --token fleet_e_abc --name edge-1 --data-dir {DataDirectory} --allow-insecure-http", $"run --data-dir {DataDirectory} --allow-insecure-http"],
            RecordedCalls());
    }

    [Fact]
    public async Task Run_InsecureHttpAllowed_AgentWithoutTheOption_RunsWithoutIt()
    {
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "identity.json"), "{}", TestContext.Current.CancellationToken);

        var result = await RunAsync(new() { ["FLEET_ALLOW_INSECURE_HTTP"] = "true", ["FAKE_AGENT_HELP"] = "  --data-dir  The data directory" }, "run");

        Assert.True(result.ExitCode == 0, result.Describe("entrypoint"));
        Assert.Equal([$"run --data-dir {DataDirectory}"], RecordedCalls());
    }

    [Fact]
    public async Task Run_InsecureHttpNeitherTrueNorFalse_ExitsWithConfigErrorWithoutStartingTheAgent()
    {
        var result = await RunAsync(new() { ["FLEET_SERVER"] = "http://api:8080", ["FLEET_ENROLLMENT_TOKEN"] = "fleet_e_abc", ["FLEET_ALLOW_INSECURE_HTTP"] = "yes" }, "run");

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("FLEET_ALLOW_INSECURE_HTTP must be true or false", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(RecordedCalls());
    }

    [Theory]
    [InlineData(0, 0, "")]
    [InlineData(5, 1, "unhealthy: the agent runs but is not connected to the Api")]
    [InlineData(6, 1, "unhealthy: the agent is not enrolled")]
    [InlineData(8, 1, "unhealthy: the agent is not running")]
    [InlineData(7, 1, "unhealthy: fleet-agent status exited 7")]
    public async Task Health_StatusExitCode_DecidesHealthyAndSaysWhyNot(int statusExitCode, int expectedExitCode, string reason)
    {
        var result = await RunAsync(new() { ["FAKE_STATUS_EXIT"] = statusExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "health");

        Assert.True(result.ExitCode == expectedExitCode, result.Describe("entrypoint health"));
        Assert.Equal([$"status --data-dir {DataDirectory}"], RecordedCalls());
        if (expectedExitCode != 0)
        {
            Assert.StartsWith(reason + "\n", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("api       disconnected", result.StandardOutput, StringComparison.Ordinal);
        }
    }

    private Task<ProcessResult> RunAsync(Dictionary<string, string?> environment, params string[] arguments)
    {
        // Whatever the test process inherited must not decide for the script.
        foreach (var name in new[] { "FLEET_SERVER", "FLEET_ENROLLMENT_TOKEN", "FLEET_ENROLLMENT_TOKEN_FILE", "FLEET_ENROLLMENT_WAIT_SECONDS", "FLEET_AGENT_NAME", "FLEET_ALLOW_INSECURE_HTTP" })
        {
            environment.TryAdd(name, null);
        }

        environment["FLEET_AGENT_BIN"] = FakeAgent;
        environment["FLEET_AGENT_DATA_DIR"] = DataDirectory;
        return ExternalProcess.RunAsync("bash", [s_entrypoint, .. arguments], TimeSpan.FromSeconds(30), environment);
    }

    private List<string> RecordedCalls() => File.Exists(Calls) ? [.. File.ReadAllLines(Calls)] : [];
}
