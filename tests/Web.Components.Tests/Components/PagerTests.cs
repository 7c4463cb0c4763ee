using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Web.Components.Tests.Components;

/// <summary>The overview's pager: when it shows, which links it offers, and that they keep the rest of the query.</summary>
public sealed class PagerTests : BunitContext
{
    public PagerTests()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/?q=edge&size=25&page=2");
    }

    [Theory]
    [InlineData(0, 25)]
    [InlineData(1, 25)]
    [InlineData(25, 25)]
    [InlineData(500, 0)]
    public void Render_OnePageOrLess_RendersNothing(int total, int pageSize)
    {
        var pager = Render<Pager>(p => p.Add(x => x.Page, 1).Add(x => x.PageSize, pageSize).Add(x => x.Total, total));

        Assert.Empty(pager.FindAll("nav"));
    }

    [Theory]
    [InlineData(26, 25, 2)]
    [InlineData(50, 25, 2)]
    [InlineData(51, 25, 3)]
    [InlineData(2_000, 250, 8)]
    public void Render_SeveralPages_CountsAPartialLastPage(int total, int pageSize, int pages)
    {
        var pager = Render<Pager>(p => p.Add(x => x.Page, 1).Add(x => x.PageSize, pageSize).Add(x => x.Total, total));

        Assert.Equal($"Page 1 of {pages}", pager.Find(".pager__status").TextContent);
    }

    [Fact]
    public void Render_FirstPage_OffersOnlyNext()
    {
        var pager = Render<Pager>(p => p.Add(x => x.Page, 1).Add(x => x.PageSize, 25).Add(x => x.Total, 60));

        Assert.Empty(pager.FindAll("a[rel=prev]"));
        Assert.Equal(2, PageOf(pager.Find("a[rel=next]")));
        Assert.Equal("Page 1 of 3", pager.Find(".pager__status").TextContent);
    }

    [Fact]
    public void Render_MiddlePage_OffersBothWays()
    {
        var pager = Render<Pager>(p => p.Add(x => x.Page, 2).Add(x => x.PageSize, 25).Add(x => x.Total, 60));

        Assert.Equal(1, PageOf(pager.Find("a[rel=prev]")));
        Assert.Equal(3, PageOf(pager.Find("a[rel=next]")));
        Assert.Equal("Page 2 of 3", pager.Find(".pager__status").TextContent);
    }

    [Fact]
    public void Render_LastPage_OffersOnlyPrevious()
    {
        var pager = Render<Pager>(p => p.Add(x => x.Page, 3).Add(x => x.PageSize, 25).Add(x => x.Total, 60));

        Assert.Equal(2, PageOf(pager.Find("a[rel=prev]")));
        Assert.Empty(pager.FindAll("a[rel=next]"));
    }

    [Fact]
    public void Render_PageBeyondTheLast_PreviousLeadsToTheLastPage()
    {
        // A bookmarked or shared ?page=9 after the fleet (or the filter's result) shrank to 3 pages: "previous" must
        // lead somewhere with hosts on it, not to the equally empty page 8.
        var pager = Render<Pager>(p => p.Add(x => x.Page, 9).Add(x => x.PageSize, 25).Add(x => x.Total, 60));

        Assert.Equal(3, PageOf(pager.Find("a[rel=prev]")));
        Assert.Empty(pager.FindAll("a[rel=next]"));
    }

    [Fact]
    public void Href_KeepsTheRestOfTheQuery()
    {
        var pager = Render<Pager>(p => p.Add(x => x.Page, 2).Add(x => x.PageSize, 25).Add(x => x.Total, 60).Add(x => x.Label, "Host pages"));

        var next = new Uri(pager.Find("a[rel=next]").GetAttribute("href")!);
        Assert.Equal("?q=edge&size=25&page=3", next.Query);
        Assert.Equal("Host pages", pager.Find("nav").GetAttribute("aria-label"));
    }

    private static int PageOf(AngleSharp.Dom.IElement link)
    {
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(link.GetAttribute("href")!).Query);
        return int.Parse(query["page"]!, System.Globalization.CultureInfo.InvariantCulture);
    }
}
