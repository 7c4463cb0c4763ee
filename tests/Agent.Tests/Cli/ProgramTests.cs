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

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.net")]
    public void Parse_BadServerUrl_IsAnError(string server)
    {
        var parse = Program.BuildRootCommand().Parse(["simulate", "--server", server, "--token", "fleet_e_x"]);

        Assert.Contains(parse.Errors, e => e.Message.Contains("http(s) URL", StringComparison.Ordinal));
    }
}
