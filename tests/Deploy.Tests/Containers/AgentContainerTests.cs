using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Striper.Tests.Integration;
using Fleet.Testing;
using ProcessResult = Fleet.Deploy.Tests.Infrastructure.ProcessResult;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>
/// The images for real (docs/operations.md, "Containers"): the Api container on PostgreSQL, and two agent containers,
/// each a host in its own network namespace with two paths to the other, that enroll, get a striper link from the Api
/// and carry traffic through it.
/// </summary>
[Collection(ContainerCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed partial class AgentContainerTests(ContainerImages images, PostgresFixture postgres, ITestOutputHelper output)
{
    private const string TunnelA = "10.99.0.1";
    private const string TunnelB = "10.99.0.2";
    private const int StriperPort = 7000;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = ContainerCollection.TimeoutMilliseconds)]
    public async Task ApiContainer_OnPostgres_MigratesAnswersReadyzAndServesTheDashboard()
    {
        Podman.Require("builds and runs the Fleet images with podman");
        var built = await images.GetAsync(output);
        await using var janitor = new ContainerJanitor();
        using var api = await ApiContainer.StartAsync(built, await postgres.CreateDatabaseAsync(Token), janitor);

        Assert.Contains("Applying", api.MigrationOutput, StringComparison.Ordinal);
        using var login = await api.Http.GetAsync(new Uri("/account/login", UriKind.Relative), Token);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var page = await login.Content.ReadAsStringAsync(Token);
        Assert.Contains("Sign in to Fleet", page, StringComparison.Ordinal);
        // The page's stylesheets and script are in the image too (the publish's static web assets).
        var assets = AssetReference().Matches(page).Select(m => m.Groups["path"].Value).ToList();
        Assert.True(assets.Count >= 2, $"the sign-in page links no stylesheets or scripts:\n{page}");
        foreach (var asset in assets)
        {
            // Relative to the page's <base href="/">.
            using var response = await api.Http.GetAsync(new Uri("/" + asset.TrimStart('/'), UriKind.Relative), Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {asset} answered {(int)response.StatusCode}");
        }

        var user = (await Podman.MustAsync("exec", api.Name, "id", "-u")).Trim();
        Assert.Equal("1654", user);
        Assert.True((await Podman.HealthCheckAsync(api.Name)).Healthy, "the Api container's health check failed");
    }

    [Fact(Timeout = ContainerCollection.TimeoutMilliseconds)]
    public async Task AgentContainers_StriperLinkFromTheApi_CarriesTrafficSurvivesRestartAndIsTornDownOnDelete()
    {
        Podman.Require("runs agent containers in network namespaces with podman");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        var built = await images.GetAsync(output);
        var clock = Stopwatch.StartNew();
        await using var janitor = new ContainerJanitor();
        await using var bed = await AgentTestBed.CreateAsync(janitor);
        using var api = await ApiContainer.StartAsync(built, await postgres.CreateDatabaseAsync(Token), janitor,
            bed.ControlAddress(forA: true), bed.ControlAddress(forA: false));
        var rest = api.Rest;

        // Enroll: one token for both hosts, through the container's environment.
        var token = await rest.CreateEnrollmentTokenAsync(maxUses: 2);
        await bed.A.StartAsync(built, new Uri($"http://{bed.ControlAddress(forA: true)}:{api.Port}"), token);
        await bed.B.StartAsync(built, new Uri($"http://{bed.ControlAddress(forA: false)}:{api.Port}"), token);
        var hostA = await WaitForConnectedHostAsync(api, bed.A);
        var hostB = await WaitForConnectedHostAsync(api, bed.B);
        await AssertCapabilitiesAsync(bed.A);
        Assert.True((await Podman.HealthCheckAsync(bed.A.Name)).Healthy, "agent A connected, yet its health check fails");

        // The link: one striper link per host, mirrored (A knows B's endpoints, B listens), one pre-shared key.
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var linkA = await rest.CreateLinkAsync(hostA.Id, StriperSpec(a: true, key));
        var linkB = await rest.CreateLinkAsync(hostB.Id, StriperSpec(a: false, key));
        await WaitAppliedAsync(rest, linkA, "A");
        await WaitAppliedAsync(rest, linkB, "B");
        await AssertPingAsync(bed.A, TunnelB);
        var transfer = await Iperf.TcpAsync(bed.Topology, TunnelB, "-n", "20M");
        output.WriteLine($"iperf3 through the containers' striper link: {transfer}");
        Assert.True(transfer.Completed, transfer.ToString());
        Assert.True(transfer.BytesSent >= 20 << 20, transfer.ToString());
        // Only the link joins the two tunnel addresses, so every byte iperf3's server received crossed str0 in
        // container A, whose counter (IP packets, headers included) holds at least that many. Not compared with what the
        // client wrote: `-n` ends once the client has written its bytes, and some were still in flight when the counter
        // was read (seen: 18.9 MB counted of 21.1 MB written, 18.0 MB received).
        Assert.True(transfer.BytesReceived > 0, transfer.ToString());
        var carried = await DeviceBytesAsync(bed.A, "str0");
        Assert.True(carried.Tx >= transfer.BytesReceived, $"str0 in container A sent only {carried.Tx} bytes; iperf3's server received {transfer.BytesReceived}");

        // Restart: the identity stays in the volume (no second enrollment, same host), the link comes back.
        var restartedAt = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        await Podman.MustAsync("restart", "--time", "10", bed.A.Name);
        Assert.Equal(hostA.Id, (await WaitForConnectedHostAsync(api, bed.A)).Id);
        Assert.DoesNotContain("enrolling at", await bed.A.LogsAsync(since: restartedAt), StringComparison.Ordinal);
        var hosts = await api.Http.GetFromJsonAsync<Page<HostDto>>("api/v1/hosts", FleetJson.Options, Token);
        Assert.Equal(2, hosts!.Items.Count);
        await AssertPingAsync(bed.A, TunnelB);
        await WaitAppliedAsync(rest, linkA, "A, after the restart");

        // Deleting the link through REST tears it down inside the container.
        using (var deleted = await api.Http.DeleteAsync(new Uri($"api/v1/links/{linkA.Id}", UriKind.Relative), Token))
        {
            Assert.True(deleted.IsSuccessStatusCode, $"DELETE link answered {(int)deleted.StatusCode}");
        }

        await Eventually.TrueAsync(async () => (await bed.A.ExecAsync("ip", "link", "show", "str0")).ExitCode != 0,
            "str0 gone from container A after the link was deleted", TimeSpan.FromSeconds(60));
        var status = await bed.A.StatusAsync();
        Assert.Equal(0, status.Status!.Value.GetProperty("status").GetProperty("links").GetArrayLength());

        // Health: not connected while the Api is down, connected again once it is back.
        await Podman.MustAsync("stop", "--time", "10", api.Name);
        var unhealthy = await WaitForHealthAsync(bed.A, healthy: false);
        Assert.Contains("not connected", unhealthy, StringComparison.Ordinal);
        await Podman.MustAsync("start", api.Name);
        await api.WaitUntilReadyAsync();
        await WaitForHealthAsync(bed.A, healthy: true);
        output.WriteLine($"scenario (without building the images) took {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>A stylesheet or script the page loads from the Api itself.</summary>
    [GeneratedRegex("(?:href|src)=\"(?<path>[^\":]+\\.(?:css|js))\"")]
    private static partial Regex AssetReference();

    private static LinkSpec StriperSpec(bool a, string key)
    {
        var members = Enumerable.Range(0, 2).Select(i => a
            ? new MemberSpec { Interface = $"a{i}", Address = NamespaceTopology.AddressA(i), Peer = $"{NamespaceTopology.AddressB(i)}:{StriperPort}" }
            : new MemberSpec { Interface = $"b{i}", Address = NamespaceTopology.AddressB(i), LocalPort = StriperPort });
        return new LinkSpec
        {
            Kind = LinkKind.Striper,
            Name = "str0",
            Members = [.. members],
            Addresses = [a ? $"{TunnelA}/30" : $"{TunnelB}/30"],
            Striper = new StriperOptions { Key = key, Scheduler = StripeSchedulerKind.Weighted },
        };
    }

    /// <summary>The host the agent enrolled as, once its agent has connected (it reported its version).</summary>
    private static async Task<HostDto> WaitForConnectedHostAsync(ApiContainer api, AgentContainer agent)
    {
        HostDto? host = null;
        await Eventually.TrueAsync(async () =>
        {
            var page = await api.Http.GetFromJsonAsync<Page<HostDto>>($"api/v1/hosts?name={agent.HostName}", FleetJson.Options, Token);
            host = page!.Items.SingleOrDefault(h => h.Name == agent.HostName);
            var (exitCode, _) = await agent.StatusAsync();
            return host?.AgentVersion is not null && exitCode == 0;
        }, $"{agent.HostName} enrolled and connected", TimeSpan.FromMinutes(2), () => $"host {host?.Id}; container log:\n{agent.LogsAsync().GetAwaiter().GetResult()}");
        return host!;
    }

    private static Task<LinkDto> WaitAppliedAsync(FleetRest rest, LinkDto link, string side) =>
        rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == link.DesiredGeneration,
            $"the striper link on host {side} applied", TimeSpan.FromMinutes(2));

    /// <summary>The container runs with exactly the unit's capabilities, no more.</summary>
    private static async Task AssertCapabilitiesAsync(AgentContainer agent)
    {
        var inspected = await Podman.InspectAsync("container", agent.Name);
        var effective = inspected.GetProperty("EffectiveCaps").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(Debian.SystemdUnit.AgentCapabilities().Select(c => "CAP_" + c).Order(StringComparer.Ordinal), effective);
    }

    /// <summary>Pings through the link from inside the container; the first answers may wait for the striper's handshake.</summary>
    private static async Task AssertPingAsync(AgentContainer from, string target)
    {
        ProcessResult? last = null;
        await Eventually.TrueAsync(async () =>
        {
            last = await from.ExecAsync("ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", target);
            return last.ExitCode == 0 && last.StandardOutput.Contains(" 0% packet loss", StringComparison.Ordinal);
        }, $"ping {target} from {from.HostName} without loss", TimeSpan.FromSeconds(60), () => last?.Describe("ping") ?? "");
    }

    private static async Task<(long Rx, long Tx)> DeviceBytesAsync(AgentContainer agent, string device)
    {
        var result = await agent.ExecAsync("ip", "-json", "-statistics", "link", "show", device);
        Assert.True(result.ExitCode == 0, result.Describe($"ip link show {device}"));
        using var document = JsonDocument.Parse(result.StandardOutput);
        var stats = document.RootElement[0].GetProperty("stats64");
        return (stats.GetProperty("rx").GetProperty("bytes").GetInt64(), stats.GetProperty("tx").GetProperty("bytes").GetInt64());
    }

    /// <summary>Runs the agent container's health check until it reports <paramref name="healthy"/>; returns its output.</summary>
    private static async Task<string> WaitForHealthAsync(AgentContainer agent, bool healthy)
    {
        var last = "";
        await Eventually.TrueAsync(async () =>
        {
            var (isHealthy, report) = await Podman.HealthCheckAsync(agent.Name);
            last = report;
            return isHealthy == healthy;
        }, $"the health check of {agent.HostName} reporting {(healthy ? "healthy" : "unhealthy")}", TimeSpan.FromMinutes(2), () => last);
        return last;
    }
}
