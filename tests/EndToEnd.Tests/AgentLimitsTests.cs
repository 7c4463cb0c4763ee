using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.EndToEnd.Tests;

/// <summary>Issue 10 (Medium): what one agent may cost the Api — its hello, the members it reports, its connections.</summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class AgentLimitsTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Hello_OversizedWithControlCharacters_StoredWithinBoundsAndLoggedOnOneLine()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (hostId, credential) = (await fleet.EnrollHostsAsync(1, "big"))[0];
        await using var agent = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, credential);
        var note = new string('n', 10_000);
        var hello = RawAgentConnection.Hello("evil\nfleet-api forged log line") with
        {
            Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper) with { Notes = Enumerable.Range(0, 100).ToDictionary(i => $"note{i}", _ => note) },
            Interfaces = [.. Enumerable.Range(0, 2000).Select(i => new InterfaceInventory($"veth{i}", "veth", null, 1500, true, [.. Enumerable.Range(0, 40).Select(a => $"10.{i % 250}.{a}.1/24")]))],
        };

        await agent.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), hello, TestContext.Current.CancellationToken);

        var host = await fleet.Rest.GetHostAsync(hostId);
        Assert.Equal("evil\uFFFDfleet-api forged log line", host.Hostname);
        Assert.Equal(16, host.Capabilities!.Notes!.Count);
        Assert.All(host.Capabilities.Notes.Values, v => Assert.Equal(500, v.Length));
        Assert.Equal(1024, host.Interfaces!.Count);
        Assert.True(host.Interfaces.Sum(i => i.Addresses.Count) <= 4096);
        await Eventually.TrueAsync(() => fleet.Api.Output.Contains($"Hello from host {hostId}", StringComparison.Ordinal), "the hello logged");
        Assert.DoesNotContain(fleet.Api.Output.Split('\n'), line => line.TrimStart().StartsWith("fleet-api forged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Samples_OfMembersTheLinkDoesNotHave_NotStoredAndTheAgentTold()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (hostId, credential) = (await fleet.EnrollHostsAsync(1, "members"))[0];
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond(members: ["eth0", "eth1"]));
        await using var agent = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, credential);
        await agent.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), RawAgentConnection.Hello("members"), TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow;
        var batch = new SampleBatch
        {
            Sequence = 1,
            Samples =
            [
                new MemberSample { LinkId = link.Id, Member = "eth0", Time = now, IntervalMs = 1000, TxBytes = 1 },
                .. Enumerable.Range(0, 500).Select(i => new MemberSample { LinkId = link.Id, Member = $"fake{i}", Time = now, IntervalMs = 1000, TxBytes = 2 }),
            ],
        };

        var ack = await agent.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), batch, TestContext.Current.CancellationToken);

        Assert.Null(ack.Rejected);
        Assert.Contains("500 samples of members the link does not have were not stored", ack.Note, StringComparison.Ordinal);
        Assert.Equal(["eth0"], await fleet.Database.ListAsync("SELECT member FROM samples WHERE link_id = @l", r => r.GetString(0), ("l", link.Id)));
        Assert.Equal(1, await fleet.Database.ScalarAsync<int>("SELECT sample_count FROM ingested_batches WHERE host_id = @h", ("h", hostId)));
    }

    [Fact]
    public async Task SecondConnectionOfOneCredential_ClosesTheFirst()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (_, credential) = (await fleet.EnrollHostsAsync(1, "twice"))[0];
        await using var first = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, credential);
        var firstClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.Closed += _ =>
        {
            firstClosed.TrySetResult();
            return Task.CompletedTask;
        };
        await first.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), RawAgentConnection.Hello("twice"), TestContext.Current.CancellationToken);

        await using var second = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, credential);

        await firstClosed.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await second.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), RawAgentConnection.Hello("twice"), TestContext.Current.CancellationToken);
        Assert.Equal(HubConnectionState.Connected, second.State);
        Assert.Contains("replaced by", fleet.Api.Output, StringComparison.Ordinal);
    }
}
