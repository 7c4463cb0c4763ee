using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Alerts;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Alerts;

/// <summary>
/// What the alert suites on a real database share: the engine's loops off (each test drives it step by step on the
/// fake clock), one webhook receiver so that notifications are queued, and a host whose agent is seen connected.
/// </summary>
public abstract class AlertsTestBase(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Fleet:Alerts:Enabled"] = "false",
        ["Fleet:Alerts:Receivers:0:Name"] = "hook",
        ["Fleet:Alerts:Receivers:0:Kind"] = "Webhook",
        ["Fleet:Alerts:Receivers:0:Url"] = "http://127.0.0.1:9/hook",
        ["Fleet:Alerts:Receivers:0:Secret"] = new string('s', 40),
    };

    /// <summary>A host seen connected with one link of <paramref name="spec"/> (an active-backup bond of eth1 and eth2 when null), both members up.</summary>
    protected async Task<(Guid HostId, LinkDto Link)> OnlineHostWithLinkAsync(LinkSpec? spec = null)
    {
        using var admin = Client();
        var enrolled = await FleetRequests.EnrollHostAsync(admin, "site-a");
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = enrolled.HostId, Spec = spec ?? Specs.Bond() }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var link = await ReadAsync<LinkDto>(created);

        // What a connected agent's hello and its replica's activity write (HostPresence, HostActivity).
        var now = UtcDateTimeConverter.ToStore(Clock.GetUtcNow().UtcDateTime);
        await using var db = Database.CreateContext();
        await db.Hosts.Where(h => h.Id == enrolled.HostId).ExecuteUpdateAsync(s => s.SetProperty(h => h.ConnectedSince, now).SetProperty(h => h.LastSeenAt, now), Cancel);
        await SetHealthAsync(link.Id, "eth1", MemberHealth.Up);
        await SetHealthAsync(link.Id, "eth2", MemberHealth.Up);
        return (enrolled.HostId, link);
    }

    protected async Task SetHealthAsync(Guid linkId, string member, MemberHealth health)
    {
        await using var db = Database.CreateContext();
        await db.Members.Where(m => m.LinkId == linkId && m.Interface == member).ExecuteUpdateAsync(s => s.SetProperty(m => m.Health, health), Cancel);
    }

    /// <summary>Evaluates every second for <paramref name="duration"/>, keeping the hosts seen as a connected agent's replica does.</summary>
    protected Task EvaluateForAsync(TimeSpan duration) => EvaluateForAsync(duration, _ => Task.CompletedTask);

    /// <summary>As above, calling <paramref name="beforeEach"/> with the elapsed time before each evaluation (an agent's samples).</summary>
    protected async Task EvaluateForAsync(TimeSpan duration, Func<TimeSpan, Task> beforeEach)
    {
        var engine = Api.Services.GetRequiredService<AlertEngine>();
        for (var elapsed = TimeSpan.Zero; elapsed <= duration; elapsed += TimeSpan.FromSeconds(1))
        {
            await beforeEach(elapsed);
            await engine.EvaluateOnceAsync(Cancel);
            Clock.Advance(TimeSpan.FromSeconds(1));
            var now = UtcDateTimeConverter.ToStore(Clock.GetUtcNow().UtcDateTime);
            await using var db = Database.CreateContext();
            await db.Hosts.Where(h => h.ConnectedSince != null).ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSeenAt, now), Cancel);
        }
    }
}
