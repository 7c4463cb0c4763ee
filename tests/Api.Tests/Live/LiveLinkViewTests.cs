using System.Collections.Concurrent;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Live;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Live;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Fleet.Web.Links;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Live;

/// <summary>
/// A live subscription that says what it draws (issue 17): an aggregator page following one site gets that site's
/// members alone, and one following the aggregator gets its own member and the sites' sum per sampling round, the same
/// sum the database makes for the chart's first frame. Real Kestrel, a real SignalR client.
/// </summary>
public abstract class LiveLinkViewTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private const int Sites = 12;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubscribeLinkView_OneSite_OnlyThatSitesMembersArrive()
    {
        var (hostId, linkId, own) = await AggregatorAsync();
        await using var dashboard = await Dashboard.ConnectAsync(Api.Start(), await ViewerKeyAsync(), linkId, new LiveLinkView { Site = 1 });

        // Two rounds of twelve sites (s1 … s12: s10, s11 and s12 start like s1): the second arrives after anything of the first.
        var fanout = Api.Services.GetRequiredService<LiveFanout>();
        var time = Second(DateTimeOffset.UtcNow);
        fanout.PublishSamples(hostId, Round(linkId, own, time, Sites, paths: 2, round: 0));
        fanout.PublishSamples(hostId, Round(linkId, own, time.AddSeconds(1), Sites, paths: 2, round: 1));
        await dashboard.WaitForAsync(s => s.Member == "s1.1" && s.Time == time.AddSeconds(1));

        Assert.Equal(["s1", "s1.0", "s1.1"], dashboard.Received.Select(s => s.Member).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(6, dashboard.Received.Count);
    }

    [Fact]
    public async Task SubscribeLinkView_AllSites_TheLiveSumEqualsTheDatabaseSum()
    {
        var (hostId, linkId, own) = await AggregatorAsync();
        await using var dashboard = await Dashboard.ConnectAsync(Api.Start(), await ViewerKeyAsync(), linkId, new LiveLinkView { Own = true, AllSites = true });

        // Three rounds, the second in two batches as an agent splits a round larger than its batch; stored as well.
        var fanout = Api.Services.GetRequiredService<LiveFanout>();
        var start = Second(DateTimeOffset.UtcNow);
        var rounds = Enumerable.Range(0, 3).Select(r => Round(linkId, own, start.AddSeconds(r), Sites, paths: 3, round: r)).ToList();
        await using (var db = Database.CreateContext())
        {
            db.Samples.AddRange(rounds.SelectMany(r => r).Select(SampleEntity.From));
            await db.SaveChangesAsync(Cancel);
        }

        fanout.PublishSamples(hostId, rounds[0]);
        fanout.PublishSamples(hostId, rounds[1][..20]);
        await dashboard.WaitForAsync(s => s.Member == AggregatorSiteMembers.AllSites && s.Time == start.AddSeconds(1));
        fanout.PublishSamples(hostId, rounds[1][20..]);
        fanout.PublishSamples(hostId, rounds[2]);
        await dashboard.WaitForAsync(s => s.Member == AggregatorSiteMembers.AllSites && s.Time == start.AddSeconds(2));

        Assert.Equal([AggregatorSiteMembers.AllSites, own], dashboard.Received.Select(s => s.Member).Distinct().Order(StringComparer.Ordinal));
        var live = dashboard.Received.Where(s => s.Member == AggregatorSiteMembers.AllSites)
            .GroupBy(s => s.Time).Select(g => g.Last()).OrderBy(s => s.Time)
            .Select(s => SeriesPoint.From(SamplePointDto.FromSample(s), s.Time)).ToList();
        using var scope = Api.Services.CreateScope();
        var series = await scope.ServiceProvider.GetRequiredService<ILinkSeriesQuery>().GetSeriesAsync(linkId, ChartRange.Live, siteId: null, Cancel);
        var stored = series!.Members.Single(m => m.Member == AggregatorSiteMembers.AllSites).Points;
        Assert.Equal(3, stored.Count);
        Assert.Equal(stored, live);
    }

    /// <summary>
    /// Not a timing assertion: what one browser is sent for an aggregator with 300 sites of three paths at one sampling
    /// round a second, every member (before) against the views the aggregator page asks for, measured at the WebSocket.
    /// </summary>
    [Fact]
    public async Task SubscribeLinkView_ThreeHundredSites_SendsTheBrowserAFractionOfEveryMember()
    {
        const int sites = 300;
        const int rounds = 5;
        var (hostId, linkId, own) = await AggregatorAsync();
        var key = await ViewerKeyAsync();
        var server = Api.Start();
        using var every = await LiveWireCounter.ConnectAsync(server, key, "SubscribeLink", $"\"{linkId}\"");
        using var aggregatorPage = await LiveWireCounter.ConnectAsync(server, key, "SubscribeLinkView", $"\"{linkId}\",{{\"own\":true,\"allSites\":true}}");
        using var sitePage = await LiveWireCounter.ConnectAsync(server, key, "SubscribeLinkView", $"\"{linkId}\",{{\"site\":7}}");

        var fanout = Api.Services.GetRequiredService<LiveFanout>();
        var start = Second(DateTimeOffset.UtcNow);
        for (var r = 0; r < rounds; r++)
        {
            fanout.PublishSamples(hostId, Round(linkId, own, start.AddSeconds(r), sites, paths: 3, round: r));
            await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        }

        var last = start.AddSeconds(rounds - 1).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var counter in new[] { every, aggregatorPage, sitePage })
        {
            await counter.WaitForAsync(last);
        }

        var line = $$"""{"bench":"live-aggregator-view","sites":{{sites}},"pathsPerSite":3,"roundsPerSecond":1,"rounds":{{rounds}},"everyMember":{{every.PerRound(rounds)}},"ownAndAllSites":{{aggregatorPage.PerRound(rounds)}},"oneSite":{{sitePage.PerRound(rounds)}},"bytesRatioOwnAndAllSites":{{(double)aggregatorPage.Bytes / every.Bytes:F5}},"bytesRatioOneSite":{{(double)sitePage.Bytes / every.Bytes:F5}}}""";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Assert.True(aggregatorPage.Bytes * 10 < every.Bytes, line);
        Assert.True(sitePage.Bytes * 10 < every.Bytes, line);
    }

    /// <summary>A link made an aggregator in the database (the hub reads members, not site entries): host, link and its own member.</summary>
    private async Task<(Guid HostId, Guid LinkId, string Own)> AggregatorAsync()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "host-aggregator");
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond("bond0") }, FleetJson.Options, Cancel);
        var link = (await ReadAsync<LinkDto>(created)).Id;
        await using var db = Database.CreateContext();
        await db.Links.Where(l => l.Id == link).ExecuteUpdateAsync(u => u.SetProperty(l => l.Kind, LinkKind.Aggregator), Cancel);
        var own = await db.Links.Where(l => l.Id == link).SelectMany(l => l.Members).OrderBy(m => m.Position).Select(m => m.Interface).FirstAsync(Cancel);
        return (host.HostId, link, own);
    }

    private async Task<string> ViewerKeyAsync()
    {
        using var admin = Client();
        return (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "dashboards")).Secret;
    }

    private static DateTimeOffset Second(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>
    /// One sampling round of an aggregator as its agent reports it: its own member, and per site a session and its paths,
    /// with values that differ per site, path and round (RTT and loss measured on some paths only, one path down).
    /// </summary>
    private static MemberSample[] Round(Guid linkId, string own, DateTimeOffset time, int sites, int paths, int round)
    {
        var samples = new List<MemberSample> { new() { LinkId = linkId, Member = own, Time = time, IntervalMs = 1_000, RxBytes = 99, Health = MemberHealth.Up } };
        for (var site = 1; site <= sites; site++)
        {
            samples.Add(new MemberSample { LinkId = linkId, Member = AggregatorSiteMembers.Session(site), Time = time, IntervalMs = 1_000, Health = MemberHealth.Up });
            for (var path = 0; path < paths; path++)
            {
                var n = (site * 7) + (path * 3) + round;
                samples.Add(new MemberSample
                {
                    LinkId = linkId,
                    Member = AggregatorSiteMembers.Path(site, path),
                    Time = time,
                    IntervalMs = 1_000,
                    TxBytes = 1_000L * n,
                    RxBytes = 2_000L * n,
                    TxDrops = n % 3,
                    ReorderDepthMax = n % 11,
                    RttMs = path == 0 ? 10 + (n % 8 * 0.25) : null,
                    LossPercent = path == 1 ? n % 4 * 0.5 : null,
                    Health = site == 2 && path == 1 ? MemberHealth.Down : MemberHealth.Up,
                });
            }
        }

        return [.. samples];
    }

    /// <summary>A dashboard following one link with a view through the SignalR client, keeping every sample it is sent.</summary>
    private sealed class Dashboard : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly ConcurrentQueue<MemberSample> _received = new();

        private Dashboard(HubConnection connection, Guid linkId)
        {
            _connection = connection;
            connection.On<Guid, IReadOnlyList<MemberSample>>(nameof(ILiveClient.LinkSamples), (link, samples) =>
            {
                if (link == linkId)
                {
                    foreach (var sample in samples)
                    {
                        _received.Enqueue(sample);
                    }
                }
            });
        }

        public IReadOnlyList<MemberSample> Received => [.. _received];

        public static async Task<Dashboard> ConnectAsync(Uri server, string bearer, Guid linkId, LiveLinkView view)
        {
            var dashboard = new Dashboard(DashboardHubConnection.Build(server, bearer), linkId);
            await dashboard._connection.StartAsync(Cancel);
            await dashboard._connection.InvokeAsync<LinkLiveSnapshot>(nameof(ILiveHub.SubscribeLinkView), linkId, view, Cancel);
            return dashboard;
        }

        public async Task WaitForAsync(Func<MemberSample, bool> wanted)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!_received.Any(wanted))
            {
                Assert.True(DateTime.UtcNow < deadline, $"not received; got {string.Join(", ", _received.Select(s => $"{s.Member}@{s.Time:HH:mm:ss}"))}");
                await Task.Delay(20, Cancel);
            }
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}

public sealed class SqliteLiveLinkViewTests(PostgresFixture postgres) : LiveLinkViewTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresLiveLinkViewTests(PostgresFixture postgres) : LiveLinkViewTests(DatabaseProvider.Postgres, postgres);
