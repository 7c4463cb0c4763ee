using Fleet.Agent.Cli;

namespace Fleet.Agent.Tests.Cli;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("1s", 1000)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("00:00:03", 3000)]
    public void Parse_ValidDuration_ReturnsMilliseconds(string text, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("-1s")]
    [InlineData("1x")]
    public void Parse_Invalid_ReturnsNull(string text) => Assert.Null(Durations.Parse(text));
}
