using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>
/// The compose demo brought up from docker-compose.yml with the local-base override (see <see cref="ComposeEngine"/>
/// for the engine): PostgreSQL, Redis, migration, Api, token, two agents on two path networks, their striper link and the
/// traffic through it; then <c>down</c>, after which no container, volume or network of the project is left.
/// </summary>
[Collection(ContainerCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class ComposeStackTests(ContainerImages images, ITestOutputHelper output)
{
    [Fact(Timeout = ContainerCollection.TimeoutMilliseconds)]
    public async Task ComposeDemo_UpOnTheLocalBase_TrafficFlowsThroughTheStriperLink_DownLeavesNothing()
    {
        Podman.Require("brings the compose demo up with podman");
        Privileged.RequireTool(ComposeEngine.Executable, "docker-compose");
        var built = await images.GetAsync(output);
        var clock = Stopwatch.StartNew();
        await using var janitor = new ContainerJanitor();
        // compose builds these two (its Docker API names them docker.io/library/…); the Fleet images are this run's.
        janitor.Image($"docker.io/library/fleet-demo-postgres:{built.Tag}");
        janitor.Image($"docker.io/library/fleet-demo-redis:{built.Tag}");
        janitor.Image($"docker.io/library/fleet-provision:{built.Tag}");
        var project = janitor.ComposeProject(janitor.Prefix);
        await using var compose = await ComposeEngine.StartAsync(project, new Dictionary<string, string>
        {
            ["FLEET_VERSION"] = built.Tag,
            ["FLEET_HTTP_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["FLEET_BASE_IMAGE"] = Podman.BaseImage,
        });
        await compose.MustAsync(TimeSpan.FromMinutes(15), "build", "postgres", "redis", "provision-token");
        var before = await PodmanObjectsAsync();

        ProcessResult traffic, down;
        try
        {
            // docker-compose waits for every depends_on condition: database healthy, migration done, Api healthy, token made.
            var started = clock.Elapsed;
            await compose.MustAsync(TimeSpan.FromMinutes(10), "up", "--detach", "--no-build");
            output.WriteLine($"images for compose built in {started.TotalSeconds:F0} s, up in {(clock.Elapsed - started).TotalSeconds:F0} s");

            var agent1 = $"{project}_agent-1_1";
            var agent2 = $"{project}_agent-2_1";
            var received = await TunnelBytesAsync(agent2);
            await Eventually.TrueAsync(async () => await TunnelBytesAsync(agent2) - received >= 20 * 1200,
                "the traffic service's pings arriving through str0 on agent-2", TimeSpan.FromMinutes(4),
                () => compose.LogsAsync().GetAwaiter().GetResult());
            var ping = await Podman.RunAsync("exec", agent1, "ping", "-n", "-c", "3", "-W", "2", "10.99.0.2");
            Assert.True(ping.ExitCode == 0, ping.Describe("ping 10.99.0.2 from agent-1"));
            output.WriteLine($"traffic through the striper link after {clock.Elapsed.TotalSeconds:F0} s");
        }
        catch
        {
            output.WriteLine(await compose.LogsAsync());
            throw;
        }
        finally
        {
            // podman refuses to remove a container whose network another one shares (traffic uses agent-1's), and
            // docker-compose removes containers in parallel: traffic goes first (docs/operations.md).
            traffic = await compose.RunAsync(TimeSpan.FromMinutes(2), "rm", "--stop", "--force", "-v", "traffic");
            down = await compose.RunAsync(TimeSpan.FromMinutes(5), "down", "--volumes", "--remove-orphans", "--timeout", "10");
            output.WriteLine($"down after {clock.Elapsed.TotalSeconds:F0} s");
        }

        Assert.True(traffic.ExitCode == 0, traffic.Describe("docker-compose rm --stop --force -v traffic"));
        Assert.True(down.ExitCode == 0, down.Describe("docker-compose down --volumes"));
        // Everything up created, labelled or not (anonymous volumes carry no project label), is gone again.
        var after = await PodmanObjectsAsync();
        foreach (var (kind, names) in after)
        {
            var left = names.Except(before[kind]).ToList();
            Assert.True(left.Count == 0, $"after down: {kind} {string.Join(", ", left)} left");
        }
    }

    /// <summary>The names of every container, volume and network podman has.</summary>
    private static async Task<Dictionary<ContainerResource, HashSet<string>>> PodmanObjectsAsync()
    {
        var objects = new Dictionary<ContainerResource, HashSet<string>>();
        foreach (var (kind, command) in new (ContainerResource, string[])[]
                 {
                     (ContainerResource.Container, ["ps", "--all", "--format", "{{.Names}}"]),
                     (ContainerResource.Volume, ["volume", "ls", "--format", "{{.Name}}"]),
                     (ContainerResource.Network, ["network", "ls", "--format", "{{.Name}}"]),
                 })
        {
            objects[kind] = [.. (await Podman.MustAsync(command)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        return objects;
    }

    /// <summary>Bytes received on the striper device inside a container; 0 while it does not exist yet.</summary>
    private static async Task<long> TunnelBytesAsync(string container)
    {
        var result = await Podman.RunAsync("exec", container, "ip", "-json", "-statistics", "link", "show", "str0");
        if (result.ExitCode != 0)
        {
            return 0;
        }

        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement[0].GetProperty("stats64").GetProperty("rx").GetProperty("bytes").GetInt64();
    }
}
