using System.Text.Json;
using Fleet.Contracts.Agents;
using Fleet.EndToEnd.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Issue 20: REST tells a connected agent from a dead one (<c>online</c>, <c>connectedSince</c>), not only by
/// <c>lastSeenAt</c>, which is written every 15 s at most.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class HostPresenceTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Host_AgentConnectsThenStops_OnlineAndConnectedSinceFollowTheConnection()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (agent, hostId) = await fleet.EnrollAgentAsync();
        var before = await HostJsonAsync(fleet, hostId);
        Assert.False(before.GetProperty("online").GetBoolean());
        Assert.False(before.TryGetProperty("connectedSince", out var none) && none.ValueKind != JsonValueKind.Null, before.ToString());

        var started = DateTimeOffset.UtcNow;
        agent.StartDaemon();
        await AgentReportingTests.WaitForHelloAsync(fleet, hostId);

        var connected = await HostJsonAsync(fleet, hostId);
        Assert.True(connected.GetProperty("online").GetBoolean(), connected.ToString());
        var since = connected.GetProperty("connectedSince").GetDateTimeOffset();
        Assert.InRange(since, started.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        var listed = await fleet.Rest.Http.GetFromJsonDocumentAsync("api/v1/hosts");
        var row = listed.RootElement.GetProperty("items").EnumerateArray().Single(h => h.GetProperty("id").GetGuid() == hostId);
        Assert.True(row.GetProperty("online").GetBoolean(), row.ToString());

        // The agent stops (systemd stop): offline at once, not a lastSeenAt window later.
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(30)));
        var stopped = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(async () => !(await HostJsonAsync(fleet, hostId)).GetProperty("online").GetBoolean(), "host offline", TimeSpan.FromSeconds(10), fleet.Diagnostics);
        var offline = await HostJsonAsync(fleet, hostId);
        TestContext.Current.TestOutputHelper?.WriteLine($"offline after {(DateTimeOffset.UtcNow - stopped).TotalSeconds:0.0} s: {offline}");
        Assert.False(offline.TryGetProperty("connectedSince", out var gone) && gone.ValueKind != JsonValueKind.Null, offline.ToString());
        Assert.NotEqual(JsonValueKind.Null, offline.GetProperty("lastSeenAt").ValueKind);

        // And back: a new connection, a new connectedSince.
        agent.StartDaemon();
        await Eventually.TrueAsync(async () => (await HostJsonAsync(fleet, hostId)).GetProperty("online").GetBoolean(), "host online again", TimeSpan.FromSeconds(60), fleet.Diagnostics);
        Assert.True((await HostJsonAsync(fleet, hostId)).GetProperty("connectedSince").GetDateTimeOffset() > since);
    }

    /// <summary>Issue 20: the inventory was sent only at connect; an agent now sends it again when it changes.</summary>
    [Fact]
    public async Task ReportInventory_AfterHello_RestShowsTheNewInterfaceAndTheConnectionStays()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var (hostId, credential) = (await fleet.EnrollHostsAsync(1, "inv"))[0];
        await using var agent = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, credential);
        var hello = RawAgentConnection.Hello("inv-host");
        await agent.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), hello, TestContext.Current.CancellationToken);
        var since = (await fleet.Rest.GetHostAsync(hostId)).ConnectedSince;

        await agent.InvokeAsync(nameof(IAgentHub.ReportInventory), hello with
        {
            Interfaces = [.. hello.Interfaces, new InterfaceInventory("str0", "tun", null, 1404, true, ["10.68.0.1/30"])],
        }, TestContext.Current.CancellationToken);

        var host = await fleet.Rest.GetHostAsync(hostId);
        Assert.Contains(host.Interfaces!, i => i.Name == "str0" && i.Addresses.Contains("10.68.0.1/30"));
        Assert.True(host.Online);
        Assert.Equal(since, host.ConnectedSince);
    }

    private static async Task<JsonElement> HostJsonAsync(FleetEnvironment fleet, Guid hostId) =>
        (await fleet.Rest.Http.GetFromJsonDocumentAsync($"api/v1/hosts/{hostId}")).RootElement.Clone();
}

internal static class JsonDocumentHttp
{
    public static async Task<JsonDocument> GetFromJsonDocumentAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
