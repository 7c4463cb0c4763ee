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
