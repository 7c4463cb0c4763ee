using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Doctor;

/// <summary>
/// A speed test of a striper pair's end measures both directions: once the end that was asked reported, the Api orders
/// the same test from the pair's other end (agents connected as the real one connects) and the result resource carries
/// both; the other end offline, or silent past the timeout, leaves the first direction completed and says why.
/// </summary>
public abstract class SpeedTestPairsApiTests(DatabaseProvider provider, PostgresFixture postgres) : SpeedTestApiTestBase(provider, postgres)
{
    [Fact]
    public async Task Start_PairEnd_FirstEndReportsThenTheOtherEnd_BothDirectionsInTheResult()
    {
        var (a, linkA, b, linkB) = await ArrangePairAsync();
        await using var agentA = await SpeedTestAgent.ConnectAsync(Api.Start(), a.Credential);
        await using var agentB = await SpeedTestAgent.ConnectAsync(Api.Start(), b.Credential);
        using var operatorClient = Client(OperatorKey);

        var pending = await StartAsync(operatorClient, linkA);
        var orderA = await agentA.NextOrderAsync();
        Assert.Equal((SpeedTestState.Pending, linkB, SpeedTestState.Pending), (pending.State, pending.Peer!.LinkId, pending.Peer.State));
        Assert.False(agentB.HasOrder);
        await agentA.ReportAsync(orderA, SpeedTestAgent.Measured(("eth1", 30), ("eth2", 10)));
        var orderB = await agentB.NextOrderAsync();
        var halfway = await ReadAsync(linkA, pending.Id);
        await agentB.ReportAsync(orderB, SpeedTestAgent.Measured(("eth1", 20), ("eth2", 5)));
        var both = await ReadAsync(linkA, pending.Id);

        Assert.Equal((pending.Id, linkB, "str0", 100e6), (orderB.TestId, orderB.LinkId, orderB.Link, orderB.MaxRateBitsPerSecond));
        Assert.Equal((SpeedTestState.Completed, SpeedTestState.Pending), (halfway.State, halfway.Peer!.State));
        Assert.Equal([30e6, 10e6], halfway.Result!.Paths.Select(p => p.CapacityBitsPerSecond));
        Assert.Equal((SpeedTestState.Completed, (string?)null), (both.Peer!.State, both.Peer.Error));
        Assert.Equal([20e6, 5e6], both.Peer.Result!.Paths.Select(p => p.CapacityBitsPerSecond));
        Assert.Equal([30e6, 10e6], both.Result!.Paths.Select(p => p.CapacityBitsPerSecond));
    }

    [Fact]
    public async Task Start_PairEndWhoseOtherEndIsOffline_FirstDirectionCompletedTheOtherSaysWhy()
    {
        var (a, linkA, _, _) = await ArrangePairAsync();
        await using var agentA = await SpeedTestAgent.ConnectAsync(Api.Start(), a.Credential);
        using var operatorClient = Client(OperatorKey);

        var pending = await StartAsync(operatorClient, linkA);
        await agentA.ReportAsync(await agentA.NextOrderAsync(), SpeedTestAgent.Measured(("eth1", 30), ("eth2", 10)));
        var test = await ReadAsync(linkA, pending.Id);

        Assert.Equal(SpeedTestState.Completed, test.State);
        Assert.Equal((SpeedTestState.Failed, "the other direction was not measured: the other end's agent is offline"), (test.Peer!.State, test.Peer.Error));
    }

    [Fact]
    public async Task Start_PairEndWhoseOtherEndNeverAnswers_OtherDirectionTimesOutAndALateReportIsIgnored()
    {
        var (a, linkA, b, _) = await ArrangePairAsync();
        await using var agentA = await SpeedTestAgent.ConnectAsync(Api.Start(), a.Credential);
        await using var agentB = await SpeedTestAgent.ConnectAsync(Api.Start(), b.Credential);
        using var operatorClient = Client(OperatorKey);
        var pending = await StartAsync(operatorClient, linkA);
        await agentA.ReportAsync(await agentA.NextOrderAsync(), SpeedTestAgent.Measured(("eth1", 30), ("eth2", 10)));
        var orderB = await agentB.NextOrderAsync();

        Clock.Advance(Fleet.Api.Doctor.SpeedTestCommands.Timeout);
        await agentB.ReportAsync(orderB, SpeedTestAgent.Measured(("eth1", 20), ("eth2", 5)));
        var test = await ReadAsync(linkA, pending.Id);

        Assert.Equal(SpeedTestState.Completed, test.State);
        Assert.Equal(SpeedTestState.TimedOut, test.Peer!.State);
        Assert.Null(test.Peer.Result);
        Assert.Contains("did not answer within 90 s", test.Peer.Error, StringComparison.Ordinal);
    }

    /// <summary>Two enrolled hosts with a striper link each, stored as the two ends of one pair (as the pair command stores them).</summary>
    private async Task<(EnrollResponse A, Guid LinkA, EnrollResponse B, Guid LinkB)> ArrangePairAsync()
    {
        var (a, linkA) = await ArrangeAsync();
        using var admin = Client();
        var b = await FleetRequests.EnrollHostAsync(admin, "host-b");
        var linkB = await CreateLinkAsync(b.HostId, Specs.Striper());
        await using var db = Database.CreateContext();
        var pairId = Guid.CreateVersion7();
        var now = DateTime.UtcNow;
        db.LinkPairs.Add(new LinkPairEntity
        {
            Id = pairId,
            Name = "pair0",
            Spec = new LinkPairSpec { Name = "pair0", A = new LinkPairEnd { HostId = a.HostId }, B = new LinkPairEnd { HostId = b.HostId }, Paths = [] },
            Generation = 1,
            AEndLinkId = linkA,
            BEndLinkId = linkB,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync(Cancel);
        await db.Links.Where(l => l.Id == linkA || l.Id == linkB).ExecuteUpdateAsync(s => s.SetProperty(l => l.PairId, pairId), Cancel);
        return (a, linkA, b, linkB);
    }

    private static async Task<SpeedTestDto> StartAsync(HttpClient operatorClient, Guid link)
    {
        using var started = await operatorClient.PostAsJsonAsync($"api/v1/links/{link}/speed-tests", new StartSpeedTestRequest(), FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return await ReadAsync<SpeedTestDto>(started);
    }

    private async Task<SpeedTestDto> ReadAsync(Guid link, Guid test)
    {
        using var viewer = Client(ViewerKey);
        return await GetAsync<SpeedTestDto>(viewer, $"api/v1/links/{link}/speed-tests/{test}");
    }
}

public sealed class SqliteSpeedTestPairsApiTests(PostgresFixture postgres) : SpeedTestPairsApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresSpeedTestPairsApiTests(PostgresFixture postgres) : SpeedTestPairsApiTests(DatabaseProvider.Postgres, postgres);
