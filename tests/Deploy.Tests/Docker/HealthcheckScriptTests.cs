using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Docker;

/// <summary>deploy/docker/healthcheck.sh, the Api image's HEALTHCHECK, against the real fleet-api on loopback.</summary>
public sealed class HealthcheckScriptTests(RunningApi api) : IClassFixture<RunningApi>
{
    private static readonly string s_script = Repository.PathOf("deploy/docker/healthcheck.sh");

    [Fact]
    public async Task Healthcheck_ApiAnswers200_ExitsZero()
    {
        var result = await RunAsync(new Uri(api.BaseAddress, "/healthz").ToString());

        Assert.True(result.ExitCode == 0, result.Describe("healthcheck.sh"));
    }

    [Fact]
    public async Task Healthcheck_PathIsNotHealthy_ExitsOneAndSaysWhat()
    {
        var result = await RunAsync(new Uri(api.BaseAddress, "/no-such-endpoint").ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("answered 'HTTP/1.1 ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_NothingListens_ExitsOne()
    {
        var result = await RunAsync($"http://127.0.0.1:{RunningApi.FreeLoopbackPort()}/healthz");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot connect", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://127.0.0.1:8080/healthz")]
    [InlineData("http://127.0.0.1:8080/healthz; rm -rf /")]
    [InlineData("127.0.0.1:8080")]
    public async Task Healthcheck_UnsupportedUrl_ExitsTwo(string url)
    {
        var result = await RunAsync(url);

        Assert.Equal(2, result.ExitCode);
    }

    private static Task<ProcessResult> RunAsync(string url) =>
        ExternalProcess.RunAsync("bash", [s_script, url], TimeSpan.FromSeconds(30));
}
