using Fleet.Agent.Cli;
using Fleet.Agent.Tests.Support;

namespace Fleet.Agent.Tests.Cli;

public sealed class ProgramTests
{
    [Fact]
    public async Task Main_UnknownOption_ExitsUsage()
    {
        Assert.Equal(ExitCodes.Usage, await Program.Main(["enroll", "--server", "http://x", "--tokn", "t"]));
    }

    [Fact]
    public async Task Main_RunNotEnrolled_ExitsNotEnrolled()
    {
        using var dir = new TempDirectory();

        Assert.Equal(ExitCodes.NotEnrolled, await Program.Main(["run", "--data-dir", dir.Path, "--config", dir.Combine("none.json")]));
    }

    [Fact]
    public async Task Main_RunInvalidInterval_ExitsUsage()
    {
        using var dir = new TempDirectory();

        Assert.Equal(ExitCodes.Usage, await Program.Main(["run", "--data-dir", dir.Path, "--interval", "10ms", "--config", dir.Combine("none.json")]));
    }
}

public sealed class ProgramParseTests
{
    [Fact]
    public void Parse_EnrollWithServerUrl_BindsTheUri()
    {
        var parse = Program.BuildRootCommand().Parse(["enroll", "--server", "http://127.0.0.1:5080/", "--token", "fleet_e_x"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(new Uri("http://127.0.0.1:5080/"), parse.GetValue<Uri>("--server"));
    }

    [Fact]
    public void Parse_SimulateWithDefaults_HasNoErrors()
    {
        var parse = Program.BuildRootCommand().Parse(["simulate", "--server", "http://127.0.0.1:5080", "--token", "fleet_e_x"]);

        Assert.Empty(parse.Errors);
    }

    [Fact]
    public void Parse_SimulateOutOfRange_IsAnError()
    {
        var parse = Program.BuildRootCommand().Parse(["simulate", "--server", "http://127.0.0.1:5080", "--token", "fleet_e_x", "--members", "17", "--interval", "10ms"]);

        Assert.Contains(parse.Errors, e => e.Message == "--members must be between 1 and 16");
        Assert.Contains(parse.Errors, e => e.Message == "--interval must be at least 100ms");
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.net")]
    public void Parse_BadServerUrl_IsAnError(string server)
    {
        foreach (var command in new[] { "simulate", "enroll" })
        {
            var parse = Program.BuildRootCommand().Parse([command, "--server", server, "--token", "fleet_e_x"]);

            var errors = string.Join(" | ", parse.Errors.Select(e => e.Message));
            Assert.True(errors.Contains($"'{server}' is not an absolute http(s) URL", StringComparison.Ordinal), $"{command}: errors were: {errors}");
        }
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.net")]
    public async Task Process_BadServerUrl_ExitsUsageAndSaysWhy(string server)
    {
        using var dir = new TempDirectory();

        // The real executable, as an operator runs it.
        var (code, output) = await AgentProcess.RunAsync("enroll", "--server", server, "--token", "fleet_e_x", "--data-dir", dir.Path);

        Assert.True(code == ExitCodes.Usage, $"exit {code}: {output}");
        Assert.Contains($"'{server}' is not an absolute http(s) URL", output);
        Assert.False(File.Exists(dir.Combine("identity.json")));
    }
}
