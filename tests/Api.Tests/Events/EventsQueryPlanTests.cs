using System.Data.Common;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Events;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Events;

/// <summary>
/// <c>GET /events</c> filtered by host, link or kind reads a page through an index in id order, on 20,000 events
/// with statistics gathered: the engine's own plan (PostgreSQL <c>EXPLAIN</c>, SQLite <c>EXPLAIN QUERY PLAN</c>) of
/// the exact query the endpoint runs searches an index led by the filtered column and never scans the table (nor
/// walks its primary key filtering row by row); SQLite also reads the page in index order, without a sort. The host,
/// link and kind asked for are rare (61 events), the case where walking the table in id order would read all of it.
/// </summary>
public abstract class EventsQueryPlanTests(DatabaseProvider provider, PostgresFixture postgres) : IAsyncLifetime
{
    private const int Hosts = 50;
    private const int Events = 20_000;
    private static readonly AgentEventKind[] s_kinds = Enum.GetValues<AgentEventKind>();
    private readonly Guid[] _hosts = [.. Enumerable.Range(0, Hosts).Select(_ => Guid.CreateVersion7())];
    private readonly Guid[] _links = [.. Enumerable.Range(0, Hosts).Select(_ => Guid.CreateVersion7())];
    private TestDatabase _database = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = _database.CreateContext();
        await db.Database.MigrateAsync(Cancel);
        var start = new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < Events; i++)
        {
            // Every 333rd event is of the rare host, link and kind; the rest spread over the others.
            var rare = i % 333 == 0;
            var other = 1 + (i % (Hosts - 1));
            db.Events.Add(new EventEntity
            {
                Id = Guid.CreateVersion7(),
                Time = start.AddSeconds(i),
                HostId = _hosts[rare ? 0 : other],
                LinkId = rare ? _links[0] : i % 3 == 0 ? null : _links[other],
                Kind = rare ? AgentEventKind.Failover : s_kinds.Where(k => k != AgentEventKind.Failover).ElementAt(i % (s_kinds.Length - 1)),
                Severity = EventSeverity.Info,
                Message = "event " + i,
            });
        }

        await db.SaveChangesAsync(Cancel);
        await db.Database.ExecuteSqlRawAsync(provider == DatabaseProvider.Postgres ? "ANALYZE events" : "ANALYZE", Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public static TheoryData<string> Filters => ["host", "link", "kind", "host+kind", "host, next page"];

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Select_Filtered_ReadsAnIndexInIdOrder(string filter)
    {
        await using var db = _database.CreateContext();
        var before = filter.EndsWith("next page", StringComparison.Ordinal)
            ? await db.Events.Where(e => e.HostId == _hosts[0]).OrderByDescending(e => e.Id).Skip(30).Select(e => e.Id).FirstAsync(Cancel)
            : (Guid?)null;
        var query = EventsApi.Select(db, new EventListFilter(
            HostId: filter.StartsWith("host", StringComparison.Ordinal) ? _hosts[0] : null,
            LinkId: filter == "link" ? _links[0] : null,
            Kind: filter.Contains("kind", StringComparison.Ordinal) ? AgentEventKind.Failover : null,
            Severity: null,
            From: null,
            To: null,
            Before: before), limit: 100);

        var plan = await ExplainAsync(db, query);

        var column = filter switch
        {
            "link" => "link_id",
            "kind" => "kind",
            _ => "host_id",
        };
        // Either index narrows a host+kind page. PostgreSQL may fetch the few matching rows with a bitmap and sort them
        // (cheaper than an ordered index walk when fewer rows match than a page holds); SQLite reads them in order.
        var both = filter == "host+kind";
        var index = both ? "(host_id|kind)" : column;
        var postgres = provider == DatabaseProvider.Postgres;
        var (scan, search) = postgres
            ? (@"Seq Scan|Scan( Backward)? using ""PK_events""", $@"(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) ""IX_events_{index}")
            : (@"SCAN (events|e)\b", $@"SEARCH (events|e) USING (COVERING )?INDEX IX_events_{index}");
        Assert.False(Regex.IsMatch(plan, scan), $"{filter}: the table is scanned:\n{plan}");
        Assert.True(Regex.IsMatch(plan, search), $"{filter}: no index on {index} is searched:\n{plan}");
        Assert.True(postgres || both || !plan.Contains("TEMP B-TREE", StringComparison.Ordinal), $"{filter}: the page is sorted, not read in index order:\n{plan}");
    }

    /// <summary>The engine's plan for the query, with the parameters EF would send.</summary>
    private async Task<string> ExplainAsync(FleetDbContext db, IQueryable<EventEntity> query)
    {
        await using var command = query.CreateDbCommand();
        await db.Database.OpenConnectionAsync(Cancel);
        command.CommandText = (provider == DatabaseProvider.Postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + command.CommandText;
        var lines = new List<string>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            // PostgreSQL: one column of text per line; SQLite: id, parent, notused, detail.
            lines.Add(reader.GetString(reader.FieldCount - 1));
        }

        return string.Join('\n', lines);
    }
}

public sealed class SqliteEventsQueryPlanTests(PostgresFixture postgres) : EventsQueryPlanTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresEventsQueryPlanTests(PostgresFixture postgres) : EventsQueryPlanTests(DatabaseProvider.Postgres, postgres);
