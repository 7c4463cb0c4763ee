using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Alerts;
using Fleet.Api.Alerts.Caps;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Links;
using Fleet.Api.Samples.Ingest;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Alerts.Caps;

/// <summary>
/// Data caps on a real database (docs/alerts.md, "Data caps"): the cap's field errors through REST, the usage counted
/// from stored hour rollups and raw samples of the current cycle only, one alert per level reached, and at 100 % the
/// member demoted to backup as the link's next generation, audited, when its policy says so.
/// </summary>
public abstract class DataCapTests(DatabaseProvider provider, PostgresFixture postgres) : AlertsTestBase(provider, postgres)
{
    protected override IDictionary<string, string?>? Settings
    {
        get
        {
            var settings = base.Settings!;
            settings["Fleet:Alerts:CapRefreshInterval"] = "00:00:00";
            return settings;
        }
    }

    [Fact]
    public async Task CreateLink_CapOutOfRange_FieldErrorsForEachAndNothingStored()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "site-a");
        var spec = LinkSpecs.Bond(activeBackupRoles: false);
        spec = spec with { Members = [spec.Members[0], spec.Members[1] with { Cap = new DataCap { Bytes = 0, CycleStartDay = 31 } }] };

        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = spec }, FleetJson.Options, Cancel);

        var errors = (await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["members[1].cap.bytes", "members[1].cap.cycleStartDay"], errors.EnumerateObject().Select(p => p.Name[p.Name.IndexOf("members", StringComparison.Ordinal)..]).Order(StringComparer.Ordinal));
        await using var db = Database.CreateContext();
        Assert.Equal(0, await db.Links.CountAsync(Cancel));
    }

    [Fact]
    public async Task CappedMember_UsageCrossesLevels_WarningThenExhaustedAndDemotedToBackupThroughTheSpecPath()
    {
        var now = Clock.GetUtcNow();
        var cap = new DataCap { Bytes = 10_000, CycleStartDay = now.Day == 1 ? 28 : 1, DemoteWhenExhausted = true };
        var spec = LinkSpecs.Bond(activeBackupRoles: false);
        spec = spec with { Members = [spec.Members[0], spec.Members[1] with { Cap = cap }] };
        var (hostId, link) = await OnlineHostWithLinkAsync(spec);
        var cycleStart = cap.CycleStart(now);
        await using (var db = Database.CreateContext())
        {
            // The hour before the cycle does not count; the cycle's first hour does: 7,600 bytes, 76 %.
            db.SampleHours.Add(Hour(link.Id, cycleStart.AddHours(-1), 1_000_000));
            db.SampleHours.Add(Hour(link.Id, cycleStart, 5_000, 2_600));
            await db.SaveChangesAsync(Cancel);
        }

        await EvaluateForAsync(TimeSpan.FromSeconds(1));
        var warned = await FiringAsync(hostId);
        await SubmitAsync(hostId, link.Id, rxBytes: 3_000);
        await EvaluateForAsync(TimeSpan.FromSeconds(1));
        var exhausted = await FiringAsync(hostId);

        Assert.Equal([(AlertRule.DataCapWarning, "eth2")], warned.Select(a => (a.Rule, a.Member!)));
        Assert.Contains("76 %", warned[0].Summary, StringComparison.Ordinal);
        Assert.Contains((AlertRule.DataCapExhausted, "eth2", AlertSeverity.Critical), exhausted.Select(a => (a.Rule, a.Member!, a.Severity)));
        await using var check = Database.CreateContext();
        var stored = await check.Links.AsNoTracking().SingleAsync(l => l.Id == link.Id, Cancel);
        Assert.Equal(link.DesiredGeneration + 1, stored.DesiredGeneration);
        Assert.Equal([MemberAdminState.Active, MemberAdminState.Backup], stored.Spec.Members.Select(m => m.AdminState));
        Assert.Equal(cap, stored.Spec.Members[1].Cap);
        Assert.True(await check.AuditLog.AnyAsync(a => a.Actor == DataCapDemotion.Actor && a.TargetId == link.Id.ToString(), Cancel));
    }

    [Fact]
    public async Task Exhausted_DemotionRefusedAtFirst_TriedAgainUntilDone()
    {
        var (hostId, link) = await ExhaustedLinkAsync();
        await SetCapabilitiesAsync(hostId, AgentCapabilities.Of(LinkKind.Striper));

        await EvaluateForAsync(TimeSpan.FromSeconds(1));
        var refused = await StoredAsync(link.Id);
        await SetCapabilitiesAsync(hostId, null);
        await EvaluateForAsync(PendingDemotions.FirstRetry);

        Assert.Contains(AlertRule.DataCapExhausted, (await FiringAsync(hostId)).Select(a => a.Rule));
        Assert.Equal(link.DesiredGeneration, refused.DesiredGeneration);
        var stored = await StoredAsync(link.Id);
        Assert.Equal(link.DesiredGeneration + 1, stored.DesiredGeneration);
        Assert.Equal([MemberAdminState.Active, MemberAdminState.Backup], stored.Spec.Members.Select(m => m.AdminState));
    }

    [Fact]
    public async Task FiringAlertNotDemotedWhenTheApiStopped_NextProcessDemotes_AndLeavesAnOperatorsPromotionAlone()
    {
        var (hostId, link) = await ExhaustedLinkAsync();
        await SetCapabilitiesAsync(hostId, AgentCapabilities.Of(LinkKind.Striper));
        await EvaluateForAsync(TimeSpan.FromSeconds(1));
        await SetCapabilitiesAsync(hostId, null);

        // A new engine starts from the alerts firing in the database, as after a restart; no retry is due yet.
        await ActivatorUtilities.CreateInstance<AlertEngine>(Api.Services).EvaluateOnceAsync(Cancel);
        var demoted = await StoredAsync(link.Id);
        await using (var scope = Api.Services.CreateAsyncScope())
        {
            var promoted = demoted.Spec with { Members = [demoted.Spec.Members[0], demoted.Spec.Members[1] with { AdminState = MemberAdminState.Active }] };
            var result = await scope.ServiceProvider.GetRequiredService<LinkCommands>().ChangeSpecAsync(
                Caller.System("user:operator"), link.Id, promoted, LinkPrecondition.AtGeneration(demoted.DesiredGeneration), "needed today", Cancel);
            Assert.Null(result.FailureText);
        }

        await ActivatorUtilities.CreateInstance<AlertEngine>(Api.Services).EvaluateOnceAsync(Cancel);
        await EvaluateForAsync(PendingDemotions.FirstRetry * 2);

        Assert.Equal(link.DesiredGeneration + 1, demoted.DesiredGeneration);
        Assert.Equal(MemberAdminState.Backup, demoted.Spec.Members[1].AdminState);
        var stored = await StoredAsync(link.Id);
        Assert.Equal(link.DesiredGeneration + 2, stored.DesiredGeneration);
        Assert.Equal(MemberAdminState.Active, stored.Spec.Members[1].AdminState);
        Assert.Contains(AlertRule.DataCapExhausted, (await FiringAsync(hostId)).Select(a => a.Rule));
    }

    /// <summary>A bond whose eth2 has used 12,000 of its 10,000-byte cap this cycle, with the policy to demote it.</summary>
    private async Task<(Guid HostId, LinkDto Link)> ExhaustedLinkAsync()
    {
        var now = Clock.GetUtcNow();
        var cap = new DataCap { Bytes = 10_000, CycleStartDay = now.Day == 1 ? 28 : 1, DemoteWhenExhausted = true };
        var spec = LinkSpecs.Bond(activeBackupRoles: false);
        spec = spec with { Members = [spec.Members[0], spec.Members[1] with { Cap = cap }] };
        var (hostId, link) = await OnlineHostWithLinkAsync(spec);
        await using var db = Database.CreateContext();
        db.SampleHours.Add(Hour(link.Id, cap.CycleStart(now), 12_000));
        await db.SaveChangesAsync(Cancel);
        return (hostId, link);
    }

    private async Task SetCapabilitiesAsync(Guid hostId, AgentCapabilities? capabilities)
    {
        await using var db = Database.CreateContext();
        var host = await db.Hosts.SingleAsync(h => h.Id == hostId, Cancel);
        host.Capabilities = capabilities;
        await db.SaveChangesAsync(Cancel);
    }

    private async Task<LinkEntity> StoredAsync(Guid linkId)
    {
        await using var db = Database.CreateContext();
        return await db.Links.AsNoTracking().SingleAsync(l => l.Id == linkId, Cancel);
    }

    private async Task<List<AlertEntity>> FiringAsync(Guid hostId)
    {
        await using var db = Database.CreateContext();
        return await db.Alerts.AsNoTracking().Where(a => a.HostId == hostId && a.Status == AlertStatus.Firing).OrderBy(a => a.Id).ToListAsync(Cancel);
    }

    private static SampleHourEntity Hour(Guid linkId, DateTimeOffset start, long rxBytes, long txBytes = 0) => new()
    {
        LinkId = linkId, Member = "eth2", BucketStart = UtcDateTimeConverter.ToStore(start.UtcDateTime), SampleCount = 3600, IntervalMsSum = 3_600_000,
        RxBytes = rxBytes, TxBytes = txBytes,
    };

    /// <summary>One second's sample of eth2 through the ingest pipeline an agent's batch takes.</summary>
    private async Task SubmitAsync(Guid hostId, Guid linkId, long rxBytes)
    {
        var sample = new MemberSample { LinkId = linkId, Member = "eth2", Time = Clock.GetUtcNow(), IntervalMs = 1000, RxBytes = rxBytes, Health = MemberHealth.Up };
        var ack = await Api.Services.GetRequiredService<SampleIngestion>().SubmitAsync(hostId, new SampleBatch { Sequence = 1, QueueId = Guid.Empty, Samples = [sample] }, Cancel);
        Assert.Null(ack.Rejected);
    }
}

public sealed class SqliteDataCapTests(PostgresFixture postgres) : DataCapTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresDataCapTests(PostgresFixture postgres) : DataCapTests(DatabaseProvider.Postgres, postgres);
