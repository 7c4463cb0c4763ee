using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Aggregators;

/// <summary>On a site's link page: which aggregator it is a site of, with a link to the aggregator's page (issue 17).</summary>
public partial class SiteOfAggregator
{
    /// <summary>The striper link.</summary>
    [Parameter]
    public Guid LinkId { get; set; }

    /// <summary>The current request (static SSR always has one).</summary>
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    [Inject]
    private IAggregatorSites Sites { get; set; } = default!;

    private SiteOf? Site { get; set; }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => Site = await Sites.SiteOfAsync(LinkId, HttpContext?.RequestAborted ?? CancellationToken.None);
}
