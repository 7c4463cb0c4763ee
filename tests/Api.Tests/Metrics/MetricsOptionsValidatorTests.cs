using Fleet.Api.Metrics;

namespace Fleet.Api.Tests.Metrics;

public sealed class MetricsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new MetricsOptionsValidator().Validate(null, new MetricsOptions { Enabled = true }).Succeeded);
    }

    [Theory]
    [InlineData("env")]
    [InlineData("env=prod")]
    [InlineData("fleet.example/tier=gold")]
    public void Validate_GoodHostLabel_Succeeds(string label)
    {
        Assert.True(new MetricsOptionsValidator().Validate(null, new MetricsOptions { HostLabel = label }).Succeeded);
    }

    [Fact]
    public void Validate_EverythingWrong_ReportsEveryError()
    {
        var result = new MetricsOptionsValidator().Validate(null, new MetricsOptions
        {
            HostLabel = "bad key=",
            MaxMembers = 0,
            CatalogRefresh = TimeSpan.Zero,
            ScrapePath = "/api/metrics",
        });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.Contains("HostLabel", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaxMembers", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("CatalogRefresh", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("ScrapePath", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("metrics")]
    [InlineData("/")]
    [InlineData("/hubs/live")]
    [InlineData("/healthz")]
    [InlineData("/me trics")]
    public void Validate_ScrapePathThatIsNoPathOrHidesAnotherEndpoint_Fails(string path)
    {
        Assert.True(new MetricsOptionsValidator().Validate(null, new MetricsOptions { ScrapePath = path }).Failed);
    }
}
