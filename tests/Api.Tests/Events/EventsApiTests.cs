using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Events;

/// <summary>Events as the agent hub stores them, listed newest first with filters and cursor pagination.</summary>
public abstract class EventsApiTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_FiltersAndPagesNewestFirst()
    {
        var hostA = Guid.CreateVersion7();
        var hostB = Guid.CreateVersion7();
        var link = Guid.CreateVersion7();
        var start = DateTime.UtcNow.AddHours(-1);
        var stored = new List<EventEntity>();
        await using (var db = Database.CreateContext())
        {
            for (var i = 0; i < 9; i++)
            {
                var e = new EventEntity
                {
                    // Ids carry their event's time, so arrival order is the order of i (two v7 ids made in the same
                    // millisecond would order randomly).
                    Id = Guid.CreateVersion7(new DateTimeOffset(start.AddMinutes(i))),
                    Time = start.AddMinutes(i),
                    HostId = i % 3 == 0 ? hostB : hostA,
                    LinkId = i % 2 == 0 ? link : null,
                    Member = i % 2 == 0 ? "eth1" : null,
                    Kind = i % 2 == 0 ? AgentEventKind.MemberDown : AgentEventKind.Failover,
                    Severity = i == 4 ? EventSeverity.Error : EventSeverity.Warning,
                    Message = $"event {i}",
                };
                stored.Add(e);
                db.Events.Add(e);
                await db.SaveChangesAsync(Cancel);
            }
        }

        using var viewer = Client();
        var all = await ReadAllAsync(viewer, "api/v1/events?limit=4");
        Assert.Equal(stored.Select(e => e.Id).Reverse(), all.Select(e => e.Id));

        var hostAEvents = await ReadAllAsync(viewer, $"api/v1/events?hostId={hostA}&limit=2");
        Assert.Equal(stored.Where(e => e.HostId == hostA).Select(e => e.Message).Reverse(), hostAEvents.Select(e => e.Message));

        var memberDown = await ReadAllAsync(viewer, $"api/v1/events?linkId={link}&kind=member_down");
        Assert.Equal(["event 8", "event 6", "event 4", "event 2", "event 0"], memberDown.Select(e => e.Message));

        var errors = await ReadAllAsync(viewer, "api/v1/events?severity=error");
        Assert.Equal(["event 4"], errors.Select(e => e.Message));

        var window = await ReadAllAsync(viewer, $"api/v1/events?from={Uri.EscapeDataString(start.AddMinutes(2).ToString("O"))}&to={Uri.EscapeDataString(start.AddMinutes(5).ToString("O"))}");
        Assert.Equal(["event 4", "event 3", "event 2"], window.Select(e => e.Message));
    }

    private static async Task<List<EventDto>> ReadAllAsync(HttpClient client, string uri)
    {
        var items = new List<EventDto>();
        string? cursor = null;
        do
        {
            var separator = uri.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            var page = await client.GetFromJsonAsync<Page<EventDto>>(uri + (cursor is null ? "" : $"{separator}cursor={cursor}"), FleetJson.Options, Cancel);
            items.AddRange(page!.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return items;
    }
}

public sealed class SqliteEventsApiTests(PostgresFixture postgres) : EventsApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresEventsApiTests(PostgresFixture postgres) : EventsApiTests(DatabaseProvider.Postgres, postgres);
