using System.Buffers;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Api.Data;
using Fleet.Api.Samples;
using Fleet.Api.Samples.Ingest;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Fleet.Web.Links;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Samples;

/// <summary>
/// Every counter of the catalogue (<see cref="MemberCounterCatalog"/>) carried end to end on a real database, each with
/// a value of its own: a sample through the agents' wire (MessagePack and JSON), the ingest store (PostgreSQL's binary
/// COPY, SQLite's EF insert), the raw row back to a sample, the rollups, the REST points at every resolution and the
/// dashboard's chart series. A counter added to the catalogue but dropped by any layer fails here
/// (docs/conventions.md, "Adding a counter").
/// </summary>
public abstract class CounterCatalogEndToEndTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static readonly MessagePackHubProtocol s_messagePack = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    [Fact]
    public async Task EveryCounter_FromSampleToChart_KeepsItsValue()
    {
        await Api.Services.GetRequiredService<SampleRollupService>().StopAsync(Cancel);
        var (link, host) = await CreateLinkAsync();
        var now = Clock.GetUtcNow();
        var time = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero) - TimeSpan.FromSeconds(30);
        var batch = new SampleBatch { Sequence = 1, QueueId = Guid.NewGuid(), Samples = [CounterSamples.Distinct(link, "eth1", time)] };

        // The agents' wire, both protocols the hub accepts.
        batch = ViaJson(ViaMessagePack(batch));
        AssertCounters(batch.Samples[0], "wire");

        // The ingest store of this provider, then the row read back as a sample (live snapshots, latest values).
        var stored = await Api.Services.GetRequiredService<IBatchStore>().StoreAsync([new IngestItem(host, batch, now.UtcDateTime)], Cancel);
        Assert.True(Assert.Single(stored));
        await using (var db = Database.CreateContext())
        {
            AssertCounters((await db.Samples.AsNoTracking().SingleAsync(s => s.LinkId == link, Cancel)).ToSample(), "stored row");
            var minute = time.UtcDateTime.AddTicks(-(time.UtcTicks % TimeSpan.TicksPerMinute));
            await SampleRollupService.RollupAsync(db, minute, minute.AddMinutes(1), Cancel);
        }

        // REST at every resolution: one sample is its own sum, average, peak and worst.
        foreach (var resolution in new[] { SamplesApi.Raw, SamplesApi.Minute, SamplesApi.Hour })
        {
            var point = Assert.Single(Assert.Single((await GetSamplesAsync(link, time, resolution)).Series).Points);
            Assert.All(MemberCounterCatalog.All, c =>
            {
                Assert.True(Number(CounterSamples.Property<SamplePointDto>(c.Name)!.GetValue(point)) == CounterSamples.Expected(c.Counter), $"{resolution}: {c.Name}");
                if (c.Kind == CounterKind.Measured)
                {
                    Assert.True(Number(CounterSamples.Property<SamplePointDto>(c.Name + "Max")!.GetValue(point)) == CounterSamples.Expected(c.Counter), $"{resolution}: {c.Name}Max");
                }
            });
        }

        // The dashboard's chart series, live (raw) and over an hour (1-minute rollups).
        foreach (var range in new[] { ChartRange.Live, ChartRange.Hour })
        {
            using var scope = Api.Services.CreateScope();
            var series = await scope.ServiceProvider.GetRequiredService<ILinkSeriesQuery>().GetSeriesAsync(link, range, siteId: null, Cancel);
            var point = Assert.Single(Assert.Single(series!.Members).Points);
            Assert.Equal(MemberHealth.Degraded, point.Health);
            foreach (var key in MemberCounterCatalog.ChartSeries.Where(k => k != "health"))
            {
                Assert.True(point.Value(key) == ExpectedSeries(key), $"{range}: series {key} is {point.Value(key)}, expected {ExpectedSeries(key)}");
            }
        }
    }

    /// <summary>What a chart series shows for the sample: rates add up over its 2 s interval, other values as they are.</summary>
    private static double ExpectedSeries(string key)
    {
        var counters = MemberCounterCatalog.All.Where(c => c.Chart?.Series == key).ToList();
        return counters.Sum(c => c.Kind == CounterKind.Delta
            ? CounterSamples.Expected(c.Counter) * c.Chart!.Scale / 2.0
            : CounterSamples.Expected(c.Counter));
    }

    private static void AssertCounters(MemberSample sample, string where) =>
        Assert.All(MemberCounterCatalog.All, c => Assert.True(c.Value(sample) == CounterSamples.Expected(c.Counter), $"{where}: {c.Name} is {c.Value(sample)}"));

    private static SampleBatch ViaMessagePack(SampleBatch batch)
    {
        var written = new ArrayBufferWriter<byte>();
        s_messagePack.WriteMessage(new InvocationMessage("ReportBatch", [batch]), written);
        var input = new ReadOnlySequence<byte>(written.WrittenMemory);
        Assert.True(s_messagePack.TryParseMessage(ref input, new Binder(), out var parsed));
        return (SampleBatch)Assert.IsType<InvocationMessage>(parsed).Arguments[0]!;
    }

    private static SampleBatch ViaJson(SampleBatch batch) =>
        JsonSerializer.Deserialize<SampleBatch>(JsonSerializer.Serialize(batch, FleetJson.Options), FleetJson.Options)!;

    private async Task<(Guid Link, Guid Host)> CreateLinkAsync()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "host-counters");
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond("bond0") }, FleetJson.Options, Cancel);
        return ((await ReadAsync<LinkDto>(response)).Id, host.HostId);
    }

    private async Task<SamplesDto> GetSamplesAsync(Guid link, DateTimeOffset time, string resolution)
    {
        using var client = Client();
        var from = Uri.EscapeDataString((time - TimeSpan.FromHours(1)).ToString("O", CultureInfo.InvariantCulture));
        var to = Uri.EscapeDataString((time + TimeSpan.FromHours(1)).ToString("O", CultureInfo.InvariantCulture));
        using var response = await client.GetAsync($"api/v1/links/{link}/samples?resolution={resolution}&from={from}&to={to}", Cancel);
        return await ReadAsync<SamplesDto>(response);
    }

    private static double? Number(object? value) => value switch
    {
        null => null,
        Enum e => Convert.ToInt64(e, CultureInfo.InvariantCulture),
        _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
    };

    private sealed class Binder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(SampleBatch)];

        public Type GetReturnType(string invocationId) => typeof(SampleBatch);

        public Type GetStreamItemType(string streamId) => throw new NotSupportedException();
    }
}

public sealed class SqliteCounterCatalogEndToEndTests(PostgresFixture postgres) : CounterCatalogEndToEndTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresCounterCatalogEndToEndTests(PostgresFixture postgres) : CounterCatalogEndToEndTests(DatabaseProvider.Postgres, postgres);
