using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Components;

/// <summary>Previous/next links that keep the rest of the query string.</summary>
public partial class Pager
{
    /// <summary>1-based current page.</summary>
    [Parameter]
    public int Page { get; set; } = 1;

    /// <summary>Items per page.</summary>
    [Parameter]
    public int PageSize { get; set; }

    /// <summary>Items in all pages.</summary>
    [Parameter]
    public int Total { get; set; }

    /// <summary>The query-string parameter that holds the page (two pagers on one page need two).</summary>
    [Parameter]
    public string QueryName { get; set; } = "page";

    /// <summary>Accessible name of the navigation.</summary>
    [Parameter]
    public string Label { get; set; } = "Pages";

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private int PageCount => PageSize <= 0 ? 1 : Math.Max(1, (Total + PageSize - 1) / PageSize);

    // Past the end (a shared ?page=9 after the fleet or the filter's result shrank), "previous" leads to the last
    // page that has rows, not to the page before the empty one.
    private int PreviousPage => Math.Min(Page - 1, PageCount);

    private string Href(int page) => Navigation.GetUriWithQueryParameter(QueryName, page);
}
