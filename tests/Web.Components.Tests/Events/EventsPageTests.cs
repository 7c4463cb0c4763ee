using Bunit;
using Fleet.Contracts.Agents;
using Fleet.Web.Events;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Events;

/// <summary>Issue 19: the event log's "open problems" view next to the log, in the URL (<c>view=problems</c>).</summary>
public sealed class EventsPageTests : BunitContext
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeEvents _events = new();

    public EventsPageTests()
    {
        Services.AddSingleton<IEventQuery>(_events);
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_now));
    }

    [Fact]
    public void Render_ProblemsView_ListsTheOpenProblemsNotTheLog()
    {
        _events.Problems = [new EventRow(Guid.CreateVersion7(), s_now.AddMinutes(-3), EventSeverity.Error, "member_down", Guid.Empty, "edge-1", Guid.Empty, "bond0", "eth1", "eth1 lost carrier")];
        Services.GetRequiredService<NavigationManager>().NavigateTo("/events?view=problems");

        var page = Render<EventsPage>();

        Assert.Equal("page", page.Find("[data-testid=open-problems]").GetAttribute("aria-current"));
        Assert.Contains("eth1 lost carrier", page.Find("[data-events-part=list]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 open problem:", page.Find("[data-events-part=list]").TextContent, StringComparison.Ordinal);
        Assert.False(_events.LogRead);
    }

    [Fact]
    public void Render_ProblemsViewWithNone_SaysSo()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/events?view=problems");

        var page = Render<EventsPage>();

        Assert.NotNull(page.Find("[data-testid=no-problems]"));
    }

    [Fact]
    public void Render_Log_TheViewLinksKeepTheFiltersAndDropTheCursor()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/events?severity=warning&before=0193a0a0-0000-7000-8000-000000000000");

        var page = Render<EventsPage>();

        Assert.True(_events.LogRead);
        Assert.Null(page.Find("[data-testid=open-problems]").GetAttribute("aria-current"));
        Assert.Equal("http://localhost/events?severity=warning&view=problems", page.Find("[data-testid=open-problems]").GetAttribute("href"));
    }

    private sealed class FakeEvents : IEventQuery
    {
        public IReadOnlyList<EventRow> Problems { get; set; } = [];

        public bool LogRead { get; private set; }

        public Task<EventPage> GetEventsAsync(EventFilter filter, CancellationToken cancellationToken)
        {
            LogRead = true;
            return Task.FromResult(new EventPage([], null));
        }

        public Task<IReadOnlyList<string>> GetKindsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(["member_down"]);

        public Task<IReadOnlyList<EventRow>> GetOpenProblemsAsync(Guid? hostId, Guid? linkId, CancellationToken cancellationToken) => Task.FromResult(Problems);
    }
}
