using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Tests;

public sealed class EnhancedNavigationRequestTests
{
    [Theory]
    [InlineData(EnhancedNavigation.AcceptHeader, true)]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false)]
    [InlineData("text/html", false)]
    [InlineData("*/*", false)]
    public void IsEnhanced_AcceptHeader_OnlyBlazorsOwnValue(string accept, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Accept = accept;

        Assert.Equal(expected, EnhancedNavigation.IsEnhanced(context.Request));
    }

    [Fact]
    public void IsEnhanced_NoRequestOrNoAcceptOrTwo_False()
    {
        var none = new DefaultHttpContext();
        var two = new DefaultHttpContext();
        two.Request.Headers.Accept = new Microsoft.Extensions.Primitives.StringValues([EnhancedNavigation.AcceptHeader, "text/html"]);

        Assert.False(EnhancedNavigation.IsEnhanced(null));
        Assert.False(EnhancedNavigation.IsEnhanced(none.Request));
        Assert.False(EnhancedNavigation.IsEnhanced(two.Request));
    }
}
