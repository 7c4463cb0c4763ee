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

    [Theory]
    [InlineData("/links/1?range=1h", "/links/1?range=1h")]
    [InlineData("/é", "/%C3%A9")]
    [InlineData("/a b", "/a%20b")]
    [InlineData("/%C3%A9", "/%C3%A9")]
    [InlineData("/\u2028", "/%E2%80%A8")]
    [InlineData("/\ud83d\ude80", "/%F0%9F%9A%80")]
    [InlineData("//evil.example/é", "/")]
    [InlineData(null, "/")]
    public void ForRedirect_Url_IsLocalAndHeaderSafe(string? url, string expected) => Assert.Equal(expected, LocalUrl.ForRedirect(url));
}
