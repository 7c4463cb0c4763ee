using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Samples;
using Fleet.Api.Samples.Ingest;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Samples;

/// <summary>
/// A striper link's class samples and members' tier and idle reason (issue 13), submitted to the Api's ingestion as
/// the agent hub submits a batch (validation aside), stored by the provider's batch store, and read back through REST.
/// </summary>
public abstract class ClassSamplesApiTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Fleet:Limits:MaxSamplePoints"] = "100" };

    [Fact]
    public async Task Ingested_ClassSamples_ReadBackPerClassWithOverhead()
    {
        var (link, host) = await CreateStriperLinkAsync();
        var start = new DateTimeOffset(DateTime.UtcNow.AddMinutes(-10).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var classes = Enumerable.Range(0, 20).SelectMany(i => new[]
        {
            Class(link, "default", "default", start.AddSeconds(i), txBytes: 1_000_000 + i),
            Class(link, "voice", "fec", start.AddSeconds(i), txBytes: 32_000, parityBytes: 4_000 + i, lost: i % 5 == 0 ? 1 : 0),
            Class(link, "video", "pin", start.AddSeconds(i), txBytes: 500_000) with { PinnedMember = "eth2" },
        }).ToList();

        Assert.Equal(new BatchAck(1), await SubmitAsync(host, 1, new StriperReport { Classes = classes }));

        using var viewer = Client();
        var all = await GetAsync(viewer, $"api/v1/links/{link}/classes/samples?from={Iso(start.AddSeconds(-1))}&to={Iso(start.AddMinutes(1))}");
        var voice = await GetAsync(viewer, $"api/v1/links/{link}/classes/samples?class=voice&from={Iso(start.AddSeconds(5))}&to={Iso(start.AddSeconds(10))}");

        Assert.Equal(["default", "video", "voice"], all.Series.Select(s => s.Class));
        Assert.All(all.Series, s => Assert.Equal(20, s.Points.Count));
        var voicePoints = all.Series.Single(s => s.Class == "voice").Points;
        Assert.Equal(classes.Where(c => c.Class == "voice").Select(c => c.FecParityBytes), voicePoints.Select(p => p.FecParityBytes));
        Assert.Equal(classes.Where(c => c.Class == "voice").Select(c => c.FecLost), voicePoints.Select(p => p.FecLost));
        Assert.Equal(100.0 * 4_000 / 32_000, voicePoints[0].OverheadPercent, 9);
        Assert.All(voicePoints, p => Assert.Equal("fec", p.Action));
        Assert.All(all.Series.Single(s => s.Class == "video").Points, p => Assert.Equal("eth2", p.PinnedMember));
        Assert.Equal(start.AddSeconds(5), Assert.Single(voice.Series).Points[0].Time);
        Assert.Equal(5, voice.Series[0].Points.Count);
    }

    [Fact]
    public async Task Ingested_BatchWithoutStriperPart_StoresNoClassRows()
    {
        var (link, host) = await CreateStriperLinkAsync();

        Assert.Equal(new BatchAck(1), await SubmitAsync(host, 1, null, [Sample(link, "eth1", DateTimeOffset.UtcNow.AddSeconds(-5))]));

        await using var db = Database.CreateContext();
        Assert.Equal(0, await db.ClassSamples.CountAsync(Cancel));
        Assert.Equal(1, await db.Samples.CountAsync(Cancel));
    }

    [Fact]
    public async Task ClassSamples_MoreThanTheLimit_Returns400OnFrom()
    {
        var (link, host) = await CreateStriperLinkAsync();
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var classes = Enumerable.Range(0, 60).SelectMany(i => new[] { Class(link, "default", "default", start.AddSeconds(i)), Class(link, "voice", "duplicate", start.AddSeconds(i)) }).ToList();
        await SubmitAsync(host, 1, new StriperReport { Classes = classes });
        using var viewer = Client();

        using var response = await viewer.GetAsync(new Uri($"api/v1/links/{link}/classes/samples?from={Iso(start.AddSeconds(-1))}&to={Iso(start.AddMinutes(2))}", UriKind.Relative), Cancel);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("narrow it", problem.GetProperty("errors").GetProperty("from")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClassSamples_BadRangeOrUnknownLink_ProblemDetails()
    {
        var (link, _) = await CreateStriperLinkAsync();
        using var viewer = Client();

        using var backwards = await viewer.GetAsync(new Uri($"api/v1/links/{link}/classes/samples?from={Iso(DateTimeOffset.UtcNow)}&to={Iso(DateTimeOffset.UtcNow.AddHours(-1))}", UriKind.Relative), Cancel);
        using var unknown = await viewer.GetAsync(new Uri($"api/v1/links/{Guid.CreateVersion7()}/classes/samples", UriKind.Relative), Cancel);

        var problem = await ProblemAssert.IsProblemAsync(backwards, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("from", out _));
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Ingested_MemberStates_ShowAsTierAndIdleReasonOfTheLinksMembers()
    {
        var (link, host) = await CreateStriperLinkAsync();
        var now = DateTimeOffset.UtcNow.AddSeconds(-2);
        await SubmitAsync(host, 1, new StriperReport
        {
            MemberStates =
            [
                new MemberState { LinkId = link, Member = "eth1", Time = now, Tier = LinkTier.Primary },
                new MemberState { LinkId = link, Member = "eth2", Time = now, Tier = LinkTier.Overflow, IdleReason = "overflow: the primaries are not saturated" },
            ],
        });
        await Api.Services.GetRequiredService<HostActivity>().FlushAsync(lastSeenToo: false, Cancel);

        using var viewer = Client();
        var dto = await viewer.GetFromJsonAsync<LinkDto>($"api/v1/links/{link}", FleetJson.Options, Cancel);

        Assert.Equal((LinkTier.Primary, (string?)null), (dto!.Members[0].Tier, dto.Members[0].IdleReason));
        Assert.Equal((LinkTier.Overflow, "overflow: the primaries are not saturated"), (dto.Members[1].Tier, dto.Members[1].IdleReason));
    }

    [Fact]
    public async Task Retention_DeletesClassSamplesOlderThanRawRetention()
    {
        var (link, host) = await CreateStriperLinkAsync();
        var now = DateTimeOffset.UtcNow;
        await using (var db = Database.CreateContext())
        {
            db.ClassSamples.Add(IngestRows.Class(Class(link, "voice", "fec", now.AddHours(-30))));
            db.ClassSamples.Add(IngestRows.Class(Class(link, "voice", "fec", now.AddMinutes(-5))));
            await db.SaveChangesAsync(Cancel);
        }

        await Api.Services.GetRequiredService<SampleRollupService>().ApplyRetentionAsync(Cancel);

        await using var check = Database.CreateContext();
        var remaining = await check.ClassSamples.Select(s => s.Time).ToListAsync(Cancel);
        Assert.True(Assert.Single(remaining) > now.UtcDateTime.AddHours(-1));
    }

    private Task<BatchAck> SubmitAsync(Guid host, long sequence, StriperReport? striper, IReadOnlyList<MemberSample>? samples = null)
    {
        var batch = new SampleBatch { Sequence = sequence, QueueId = Guid.CreateVersion7(), Samples = samples ?? [], Striper = striper };
        Assert.Empty(BatchValidator.Validate(batch, DateTimeOffset.UtcNow));
        return Api.Services.GetRequiredService<SampleIngestion>().SubmitAsync(host, batch, Cancel);
    }

    private async Task<(Guid Link, Guid Host)> CreateStriperLinkAsync()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin);
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Striper() }, FleetJson.Options, Cancel);
        return ((await ReadAsync<LinkDto>(response)).Id, host.HostId);
    }

    private static ClassSample Class(Guid link, string name, string action, DateTimeOffset time, long txBytes = 16_000, long parityBytes = 0, long lost = 0) => new()
    {
        LinkId = link,
        Class = name,
        Action = action,
        Time = time,
        IntervalMs = 1000,
        TxPackets = txBytes / 160,
        TxBytes = txBytes,
        FecBlocks = parityBytes > 0 ? 25 : 0,
        FecParityPackets = parityBytes / 160,
        FecParityBytes = parityBytes,
        RxPackets = txBytes / 160,
        RxBytes = txBytes,
        FecRecovered = lost > 0 ? 3 : 0,
        FecLost = lost,
    };

    private static MemberSample Sample(Guid link, string member, DateTimeOffset time) => new()
    {
        LinkId = link,
        Member = member,
        Time = time,
        IntervalMs = 1000,
        TxBytes = 1000,
        Health = MemberHealth.Up,
    };

    private static async Task<ClassSamplesDto> GetAsync(HttpClient client, string uri)
    {
        using var response = await client.GetAsync(new Uri(uri, UriKind.Relative), Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<ClassSamplesDto>(FleetJson.Options, Cancel))!;
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
}

public sealed class SqliteClassSamplesApiTests(PostgresFixture postgres) : ClassSamplesApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresClassSamplesApiTests(PostgresFixture postgres) : ClassSamplesApiTests(DatabaseProvider.Postgres, postgres);
