using Fleet.Web.Account;

namespace Fleet.Web.Tests.Account;

public sealed class LocalUrlTests
{
    [Theory]
    [InlineData("/", true)]
    [InlineData("/links/1?range=1h", true)]
    [InlineData("//evil.example", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("links", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsLocal_Url_OnlySameSitePaths(string? url, bool expected) => Assert.Equal(expected, LocalUrl.IsLocal(url));
}
