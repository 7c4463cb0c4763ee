using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Fleet.Web.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Events;

/// <summary>
/// Issue 19, the event log's "open problems" view: what is wrong now, as the events that opened it — a member Down or
/// Degraded, a link whose change failed, was rolled back or drifted — on a real database.
/// </summary>
public abstract class OpenProblemsTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenProblems_MemberDownAndALinkRolledBack_TheEventsThatOpenedThem()
    {
        var (flapping, hostA) = await CreateLinkAsync("bond0");
        var (rolledBack, hostB) = await CreateLinkAsync("bond1");
        var (fine, _) = await CreateLinkAsync("bond2");
        var now = DateTime.UtcNow;
        await using (var db = Database.CreateContext())
        {
            var eth1 = await db.Members.SingleAsync(m => m.LinkId == flapping && m.Interface == "eth1", Cancel);
            eth1.Health = MemberHealth.Down;
            (await db.Links.SingleAsync(l => l.Id == rolledBack, Cancel)).Phase = LinkPhase.RolledBack;
            db.Events.AddRange(
                Event(hostA, flapping, "eth1", AgentEventKind.MemberDegraded, EventSeverity.Warning, now.AddMinutes(-9)),
                Event(hostA, flapping, "eth1", AgentEventKind.MemberDown, EventSeverity.Error, now.AddMinutes(-5)),

                // eth2 went down and came back: not open. The fine link's old failure was fixed since: not open.
                Event(hostA, flapping, "eth2", AgentEventKind.MemberDown, EventSeverity.Error, now.AddMinutes(-4)),
                Event(hostA, fine, null, AgentEventKind.ApplyFailed, EventSeverity.Error, now.AddMinutes(-30)),
                Event(hostB, rolledBack, null, AgentEventKind.ApplyFailed, EventSeverity.Error, now.AddMinutes(-20)),
                Event(hostB, rolledBack, null, AgentEventKind.RolledBack, EventSeverity.Warning, now.AddMinutes(-2)));
            await db.SaveChangesAsync(Cancel);
        }

        await using var scope = Api.Services.CreateAsyncScope();
        var events = scope.ServiceProvider.GetRequiredService<IEventQuery>();

        var open = await events.GetOpenProblemsAsync(null, null, Cancel);

        // Worst first: eth1's member_down (error), then bond1's rolled_back (warning, its newest).
        Assert.Equal(
            [("bond0", "eth1", "member_down"), ("bond1", (string?)null, "rolled_back")],
            open.Select(e => (e.LinkName, e.Member, e.Kind)));
        Assert.Equal("host-bond0", open[0].HostName);
        var onB = Assert.Single(await events.GetOpenProblemsAsync(hostB, null, Cancel));
        Assert.Equal("rolled_back", onB.Kind);
        Assert.Empty(await events.GetOpenProblemsAsync(null, fine, Cancel));
    }

    private async Task<(Guid Link, Guid Host)> CreateLinkAsync(string name)
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "host-" + name);
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond(name) }, FleetJson.Options, Cancel);
        return ((await ReadAsync<LinkDto>(response)).Id, host.HostId);
    }

    private static EventEntity Event(Guid host, Guid link, string? member, AgentEventKind kind, EventSeverity severity, DateTime time) => new()
    {
        Id = Guid.CreateVersion7(),
        Time = time,
        HostId = host,
        LinkId = link,
        Member = member,
        Kind = kind,
        Severity = severity,
        Message = $"{kind} {member}",
    };
}

public sealed class SqliteOpenProblemsTests(PostgresFixture postgres) : OpenProblemsTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresOpenProblemsTests(PostgresFixture postgres) : OpenProblemsTests(DatabaseProvider.Postgres, postgres);
