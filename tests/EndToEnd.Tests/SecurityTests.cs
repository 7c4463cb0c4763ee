using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Agent.Cli;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.EndToEnd.Tests;

/// <summary>An agent speaks only for its own host; tokens are one-time and expire.</summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class SecurityTests(PostgresFixture postgres)
{
    [Fact]
    public async Task AgentReportingForAnotherHost_IsRejectedLoggedAndAudited()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (agentA, hostA) = await fleet.EnrollAgentAsync();
        var (agentB, hostB) = await fleet.EnrollAgentAsync();
        agentB.StartDaemon();
        await AgentReportingTests.WaitForHelloAsync(fleet, hostB);
        var linkB = await fleet.Rest.CreateLinkAsync(hostB, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(linkB.Id, l => l.Phase == LinkPhase.Applied, "B's link applied");

        await using var connection = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, RawAgentConnection.CredentialOf(agentA.DataDirectory));
        var hello = await connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), new AgentHello
        {
            Hostname = "impostor",
            AgentVersion = "0",
            KernelVersion = "0",
            Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper),
            Interfaces = [],
        }, TestContext.Current.CancellationToken);

        // A's credential is A: its hello names A and none of B's links.
        Assert.Equal(hostA, hello.HostId);
        Assert.Empty(hello.Links);

        var now = DateTimeOffset.UtcNow;
        var forged = new SampleBatch
        {
            Sequence = 1,
            Samples = [new MemberSample { LinkId = linkB.Id, Member = "eth0", Time = now, IntervalMs = 1000, TxBytes = 123_456_789 }],
        };
        var ack = await connection.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), forged, TestContext.Current.CancellationToken);
        Assert.NotNull(ack.Rejected);
        Assert.Contains(linkB.Id.ToString(), ack.Rejected);

        var state = new ObservedLinkState { LinkId = linkB.Id, ObservedGeneration = 1, TargetGeneration = 1, Phase = LinkPhase.Failed, Error = "forged", Time = now };
        var refused = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync(nameof(IAgentHub.ReportLinkState), state, TestContext.Current.CancellationToken));
        Assert.Contains("not this host's", refused.Message);
        await Eventually.TrueAsync(() => fleet.Api.Output.Contains($"Agent of host {hostA}: state of link {linkB.Id} rejected", StringComparison.Ordinal), "the rejection logged");
        Assert.Contains($"Agent of host {hostA}: batch 1 rejected", fleet.Api.Output);

        // Nothing of it was stored: no sample with the forged counter, B's link still Applied, no batch recorded for A.
        Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE tx_bytes = 123456789"));
        Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM ingested_batches WHERE host_id = @h", ("h", hostA)));
        Assert.Equal(LinkPhase.Applied, (await fleet.Rest.GetLinkAsync(linkB.Id)).Phase);

        var audit = await fleet.Rest.Http.GetFromJsonAsync<JsonElement>($"api/v1/audit?actor=agent:{hostA}", FleetJson.Options, TestContext.Current.CancellationToken);
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(2, actions.Count(a => a == "agent.report.rejected"));
    }

    [Fact]
    public async Task Credentials_OnlyOpenTheirOwnDoors()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (agent, _) = await fleet.EnrollAgentAsync();
        var credential = RawAgentConnection.CredentialOf(agent.DataDirectory);

        // A user's API key is not an agent; an agent credential is not a user; nobody without a credential is anyone.
        await AssertRefusedAsync(() => RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, fleet.Api.AdminApiKey));
        await AssertRefusedAsync(() => LiveSubscriber.ConnectAsync(fleet.Api.BaseAddress, credential));
        await AssertRefusedAsync(() => RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, "fleet_a_" + new string('x', 43)));
        using var asAgent = fleet.Api.CreateClient(credential);
        var response = await asAgent.GetAsync("api/v1/hosts", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task UsedOneTimeToken_CannotEnrollAgain()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var token = await fleet.Rest.CreateEnrollmentTokenAsync(maxUses: 1);
        var first = fleet.NewAgent();
        Assert.Equal(ExitCodes.Success, (await first.EnrollAsync(fleet.Api.BaseAddress, token)).ExitCode);

        var second = fleet.NewAgent();
        var (code, output) = await second.EnrollAsync(fleet.Api.BaseAddress, token);

        Assert.Equal(ExitCodes.EnrollmentRefused, code);
        Assert.Contains("exhausted", output, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(second.DataDirectory, "identity.json")));
        Assert.Equal(1, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM hosts"));
    }

    [Fact]
    public async Task ExpiredToken_IsRefused()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var token = await fleet.Rest.CreateEnrollmentTokenAsync(maxUses: 5, expiresInSeconds: 60);

        // Sixty seconds is the shortest lifetime the Api grants; the token's clock is moved on instead of waiting.
        await fleet.Database.ExecuteAsync("UPDATE enrollment_tokens SET expires_at = now() - interval '1 second'");
        var agent = fleet.NewAgent();
        var (code, output) = await agent.EnrollAsync(fleet.Api.BaseAddress, token);

        Assert.Equal(ExitCodes.EnrollmentRefused, code);
        Assert.Contains("expired", output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM hosts"));
    }

    /// <summary>The hub's negotiation refuses the credential: 401 (nobody) or 403 (someone, not for this hub).</summary>
    private static async Task AssertRefusedAsync(Func<Task> connect)
    {
        var refused = await Assert.ThrowsAsync<HttpRequestException>(connect);
        Assert.True(refused.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"refused with {refused.StatusCode}");
    }
}
