using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Fleet.Agent.Simulation;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// One more simulated host beside the demo fleet, run in the test process so that a test can cut its members
/// (<see cref="Agent.Backends.InMemory.SimulatedHost.SetMemberDown"/>): enrolled over REST with a token, one bond link
/// (eth0, eth1) applied. Its name starts with <c>zz-</c>, last by name. Disposing stops its agent and decommissions
/// it, so the demo fleet is what the other tests of the collection see.
/// </summary>
internal sealed class SimulatedExtraHost : IAsyncDisposable
{
    private readonly ApiProcess _api;
    private readonly FleetSimulator _simulator;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private SimulatedExtraHost(ApiProcess api, FleetSimulator simulator)
    {
        _api = api;
        _simulator = simulator;
    }

    public string Name => _simulator.Agents[0].Name;

    public Guid HostId => _simulator.Agents[0].Identity.HostId;

    public Guid LinkId { get; private set; }

    public static async Task<SimulatedExtraHost> StartAsync(DashboardFixture fixture)
    {
        var simulator = new FleetSimulator(
            new FleetSimulatorOptions
            {
                Server = fixture.Api.BaseAddress,
                AllowInsecureHttp = true, // the test Api listens on http:// loopback
                Agents = 1,
                Members = 2,
                NamePrefix = "zz-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)),
                MemberFailuresPerHour = 0,
            },
            NullLoggerFactory.Instance);
        var extra = new SimulatedExtraHost(fixture.Api, simulator);
        try
        {
            using var rest = fixture.Api.CreateClient();
            var ct = TestContext.Current.CancellationToken;
            var tokenResponse = await rest.PostAsJsonAsync("api/v1/enrollment-tokens", new CreateEnrollmentTokenRequest { MaxUses = 1, ExpiresInSeconds = 600, Description = "browser test" }, FleetJson.Options, ct);
            Assert.Equal(HttpStatusCode.Created, tokenResponse.StatusCode);
            var token = (await tokenResponse.Content.ReadFromJsonAsync<CreatedEnrollmentTokenDto>(FleetJson.Options, ct))!.Secret;
            await simulator.EnrollAsync(token, ct);

            var spec = new LinkSpec
            {
                Kind = LinkKind.Bond,
                Name = "bond0",
                Members = [new MemberSpec { Interface = "eth0" }, new MemberSpec { Interface = "eth1" }],
                Bond = new BondOptions { Mode = BondMode.BalanceRoundRobin, MiimonMs = 100 },
            };
            var linkResponse = await rest.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = extra.HostId, Spec = spec, Reason = "browser test" }, FleetJson.Options, ct);
            Assert.True(linkResponse.StatusCode == HttpStatusCode.Created, await linkResponse.Content.ReadAsStringAsync(ct));
            extra.LinkId = (await linkResponse.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, ct))!.Id;

            extra._running = simulator.RunAsync(extra._stop.Token);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            await using var db = fixture.CreateDbContext();
            while (!await db.Links.AnyAsync(l => l.Id == extra.LinkId && l.Phase == LinkPhase.Applied, ct))
            {
                Assert.True(DateTime.UtcNow < deadline, "the extra host's link was not applied within 60 s");
                await Task.Delay(200, ct);
            }

            return extra;
        }
        catch
        {
            await extra.DisposeAsync();
            throw;
        }
    }

    /// <summary>Cuts (or restores) every member of the link, as if both cables were pulled.</summary>
    public void SetMembersDown(bool down)
    {
        _simulator.Agents[0].Host.SetMemberDown("eth0", down);
        _simulator.Agents[0].Host.SetMemberDown("eth1", down);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        if (_simulator.Agents.Count > 0)
        {
            using var rest = _api.CreateClient();
            using var response = await rest.PostAsync($"api/v1/hosts/{HostId}/decommission", null);
            Assert.True(response.IsSuccessStatusCode, $"decommissioning {Name}: {(int)response.StatusCode}");
        }
    }
}
