using Fleet.Api.Agents;

namespace Fleet.Api.Tests.Agents;

public sealed class AgentTextTests
{
    // Test data travels UTF-8 encoded, which cannot carry a lone surrogate: the cases name their text instead.
    [Theory]
    [InlineData("plain", null)]
    [InlineData("pair", null)]
    [InlineData("nul", "U+0000")]
    [InlineData("lone high", "unpaired")]
    [InlineData("lone low", "unpaired")]
    [InlineData("ends high", "unpaired")]
    public void Problem_NamesWhatTheDatabaseCannotStore(string kind, string? expected)
    {
        var text = kind switch
        {
            "plain" => "plain text",
            "pair" => "smile \U0001F600 ok",
            "nul" => "a\0b",
            "lone high" => "lone \uD800 high",
            "lone low" => "lone \uDC00 low",
            _ => "ends high \uD83D",
        };

        var problem = AgentText.Problem(text);

        if (expected is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains(expected, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Storable_ReplacesNulAndLoneSurrogatesKeepsLinesAndPairs()
    {
        Assert.Equal("a\uFFFDb\n\uFFFD \U0001F600", AgentText.Storable("a\0b\n\uD800 \U0001F600", 100));
    }

    [Fact]
    public void SingleLine_AlsoReplacesControlCharacters()
    {
        Assert.Equal("host\uFFFD\uFFFDINFO forged", AgentText.SingleLine("host\r\nINFO forged", 100));
    }

    [Fact]
    public void Cut_NeverSplitsASurrogatePair()
    {
        Assert.Equal("ab", AgentText.Cut("ab\U0001F600", 3));
        Assert.Equal("ab\U0001F600", AgentText.Cut("ab\U0001F600c", 4));
        Assert.Equal("ab", AgentText.Cut("ab", 10));
    }
}
