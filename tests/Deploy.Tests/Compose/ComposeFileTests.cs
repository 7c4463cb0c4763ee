using System.Net;
using Fleet.Deploy.Tests.Debian;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Compose;

/// <summary>
/// docker-compose.yml cannot be started here (no Docker engine: docs/conventions.md, "Build environment"). These tests check what `docker compose
/// up` depends on: every referenced file exists, the start order (database, migration, Api, token, agents, links) is
/// encoded in the dependencies, and the two agent hosts, their networks and the provisioned link specs agree.
/// </summary>
public sealed class ComposeFileTests
{
    private const string ApiImageService = "api";

    public static TheoryData<string> ComposeFiles() => new(ComposeFile.MainFile, ComposeFile.ObservabilityFile, ComposeFile.LocalBaseFile);

    [Theory]
    [MemberData(nameof(ComposeFiles))]
    public void ReferencedFiles_AllExist(string relativePath)
    {
        var compose = ComposeFile.Load(relativePath);
        var problems = new List<string>();
        foreach (var (name, service) in compose.Services)
        {
            if (ComposeFile.Build(service) is var (context, dockerfile))
            {
                if (!Directory.Exists(Repository.PathOf(context)))
                {
                    problems.Add($"{name}: build context {context} does not exist");
                }

                if (!File.Exists(Repository.PathOf(dockerfile)))
                {
                    problems.Add($"{name}: Dockerfile {dockerfile} does not exist");
                }
            }

            foreach (var (source, _, _) in ComposeFile.Volumes(service).Where(v => ComposeFile.IsBindMount(v.Source)))
            {
                if (!File.Exists(Repository.PathOf(source)) && !Directory.Exists(Repository.PathOf(source)))
                {
                    problems.Add($"{name}: bind mount source {source} does not exist (paths are relative to the repository root)");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{relativePath}:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public void Dependencies_NameDefinedServicesAndHaveNoCycle()
    {
        var compose = ComposeFile.Load();
        var services = compose.ServiceNames.ToHashSet(StringComparer.Ordinal);
        var edges = compose.Services.ToDictionary(
            s => s.Name,
            s => ComposeFile.DependsOn(s.Service).Keys.Concat(ComposeFile.NetworkModeService(s.Service) is { } joined ? [joined] : []).ToList(),
            StringComparer.Ordinal);

        foreach (var (name, targets) in edges)
        {
            Assert.All(targets, t => Assert.True(services.Contains(t), $"{name} depends on undefined service {t}"));
        }

        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path, true: done
        void Visit(string name, string path)
        {
            if (state.TryGetValue(name, out var done))
            {
                Assert.True(done, $"dependency cycle: {path} -> {name}");
                return;
            }

            state[name] = false;
            foreach (var target in edges[name])
            {
                Visit(target, $"{path} -> {name}");
            }

            state[name] = true;
        }

        foreach (var name in edges.Keys)
        {
            Visit(name, "");
        }
    }

    [Fact]
    public void HealthConditions_WaitOnlyForServicesWithAHealthCheck()
    {
        var compose = ComposeFile.Load();
        foreach (var (name, service) in compose.Services)
        {
            foreach (var (target, condition) in ComposeFile.DependsOn(service))
            {
                Assert.Contains(condition, new[] { "service_started", "service_healthy", "service_completed_successfully" });
                if (condition == "service_healthy")
                {
                    Assert.True(compose.Service(target).Get("healthcheck") is not null, $"{name} waits for {target} to be healthy, which has no healthcheck");
                }
            }
        }
    }

    [Fact]
    public void StartOrder_DatabaseThenMigrationThenApiThenAgents()
    {
        var compose = ComposeFile.Load();

        var postgres = compose.Service("postgres");
        Assert.Contains(ComposeFile.Volumes(postgres), v => !ComposeFile.IsBindMount(v.Source) && v.Target == "/var/lib/postgresql/data");
        Assert.Contains("pg_isready", postgres.Map("healthcheck").Get("test").Scalars());

        var migrate = compose.Service("migrate");
        Assert.Equal(["migrate"], migrate.Get("command").Scalars());
        Assert.Equal(ComposeFile.Scalar(compose.Service(ApiImageService), "image"), ComposeFile.Scalar(migrate, "image"));
        Assert.Equal("service_healthy", ComposeFile.DependsOn(migrate)["postgres"]);

        var api = compose.Service(ApiImageService);
        Assert.Equal("service_completed_successfully", ComposeFile.DependsOn(api)["migrate"]);
        Assert.Contains("/readyz", string.Join(' ', api.Map("healthcheck").Get("test").Scalars()), StringComparison.Ordinal);

        Assert.Equal("service_healthy", ComposeFile.DependsOn(compose.Service("provision-token"))[ApiImageService]);
        foreach (var agent in AgentServices(compose))
        {
            Assert.Equal("service_completed_successfully", ComposeFile.DependsOn(compose.Service(agent))["provision-token"]);
            Assert.Contains(agent, ComposeFile.DependsOn(compose.Service("provision-link")).Keys);
        }
    }

    [Fact]
    public void Api_JoinsTheRedisServiceAsItsBackplane()
    {
        var compose = ComposeFile.Load();
        var api = compose.Service(ApiImageService);
        var redis = compose.Service("redis");

        Assert.Equal("redis:6379", ComposeFile.Environment(api)["ConnectionStrings__Redis"]);
        Assert.Contains(ComposeFile.Networks(api).Keys, n => ComposeFile.Networks(redis).ContainsKey(n));
        Assert.Contains("redis-cli", redis.Map("healthcheck").Get("test").Scalars());
        Assert.Contains("redis", ComposeFile.DependsOn(api).Keys);
    }

    [Fact]
    public void ApiAndMigration_UseThePostgresServiceWithItsCredentials()
    {
        var compose = ComposeFile.Load();
        var database = ComposeFile.Environment(compose.Service("postgres"));

        foreach (var name in new[] { ApiImageService, "migrate" })
        {
            var connection = ComposeFile.Environment(compose.Service(name))["ConnectionStrings__Fleet"];
            var parts = connection.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
                .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
            Assert.Equal("postgres", parts["Host"]);
            Assert.Equal(database["POSTGRES_DB"], parts["Database"]);
            Assert.Equal(database["POSTGRES_USER"], parts["Username"]);
            Assert.Equal(database["POSTGRES_PASSWORD"], parts["Password"]);
            Assert.Contains(ComposeFile.Networks(compose.Service(name)).Keys, n => ComposeFile.Networks(compose.Service("postgres")).ContainsKey(n));
        }
    }

    [Fact]
    public void Provisioning_UsesTheApisBootstrapKeyAndReachesIt()
    {
        var compose = ComposeFile.Load();
        var api = compose.Service(ApiImageService);
        var key = ComposeFile.Environment(api)["Fleet__Bootstrap__AdminApiKey"];
        Assert.Matches("^fleet_k_[A-Za-z0-9_-]{43}$", key);

        foreach (var name in new[] { "provision-token", "provision-link" })
        {
            var environment = ComposeFile.Environment(compose.Service(name));
            Assert.Equal(key, environment["FLEET_API_KEY"]);
            Assert.Equal("http://api:8080", environment["FLEET_API"]);
            Assert.Contains(ComposeFile.Networks(compose.Service(name)).Keys, n => ComposeFile.Networks(api).ContainsKey(n));
        }
    }

    [Fact]
    public void Agents_AreTwoHostsJoinedByTwoPathNetworks()
    {
        var compose = ComposeFile.Load();
        var agents = AgentServices(compose);
        Assert.Equal(2, agents.Count);

        var pathNetworks = compose.Root.Get("networks").Entries()
            .Where(n => n.Value.StrOrNull("internal") == "true")
            .ToDictionary(n => n.Key, n => ParseSubnet(n.Value.Map("ipam").Seq("config").Items().Single().Str("subnet")), StringComparer.Ordinal);
        Assert.Equal(["path-a", "path-b"], pathNetworks.Keys.Order(StringComparer.Ordinal));

        var provisionLink = ComposeFile.Environment(compose.Service("provision-link"));
        var token = ComposeFile.Environment(compose.Service("provision-token"));
        Assert.Equal(agents.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), token["FLEET_DEMO_HOSTS"]);
        Assert.Equal(["striper-link", .. agents], compose.Service("provision-link").Get("command").Scalars());

        foreach (var agent in agents)
        {
            var service = compose.Service(agent);
            Assert.Contains("NET_ADMIN", service.Get("cap_add").Scalars());
            Assert.Contains("/dev/net/tun:/dev/net/tun", service.Get("devices").Scalars());
            Assert.Contains(ComposeFile.Volumes(service), v => v.Target == "/var/lib/fleet-agent" && !ComposeFile.IsBindMount(v.Source));
            var environment = ComposeFile.Environment(service);
            Assert.Equal(agent, environment["FLEET_AGENT_NAME"]);
            Assert.Equal("http://api:8080", environment["FLEET_SERVER"]);

            var entrypoint = string.Join(' ', service.Get("entrypoint").Scalars());
            var networks = ComposeFile.Networks(service);
            foreach (var (network, (prefix, length)) in pathNetworks)
            {
                var address = IPAddress.Parse(networks[network].Str("ipv4_address"));
                Assert.True(IsInSubnet(address, prefix, length), $"{agent}: {address} is outside {network}'s subnet");
                // The interface on this network is renamed to the network's name: the member name the link spec uses.
                Assert.Contains($"{network}={prefix}/{length}", entrypoint, StringComparison.Ordinal);
                var variable = $"FLEET_DEMO_{agent.ToUpperInvariant().Replace('-', '_')}_PATH_{network[^1..].ToUpperInvariant()}";
                Assert.Equal(address.ToString(), provisionLink[variable]);
            }

            Assert.Contains("fleet-agent-entrypoint run", entrypoint, StringComparison.Ordinal);
            Assert.Contains(ComposeFile.Volumes(service), v => v.Source == "./deploy/compose/name-paths.sh");
        }

        // provision.sh names the members after the path networks.
        var script = Repository.Read("deploy/compose/provision.sh");
        Assert.All(pathNetworks.Keys, n => Assert.Contains($"interface: \"{n}\"", script, StringComparison.Ordinal));
    }

    [Fact]
    public void Images_CarryTheProductVersion()
    {
        var compose = ComposeFile.Load();
        var images = compose.Services.Select(s => ComposeFile.Scalar(s.Service, "image")).OfType<string>()
            .Where(i => i.StartsWith("fleet-", StringComparison.Ordinal)).Distinct().ToList();

        Assert.Equal(["fleet-agent", "fleet-api", "fleet-provision"], images.Select(i => i.Split(':')[0]).Order(StringComparer.Ordinal));
        Assert.All(images, i => Assert.Equal(Repository.Version, i.Split(':')[1]));
        // A Fleet image is built locally: a service naming one without a build would make compose try to pull it.
        Assert.All(compose.Services.Where(s => ComposeFile.Scalar(s.Service, "image")?.StartsWith("fleet-", StringComparison.Ordinal) == true),
            s => Assert.True(ComposeFile.Build(s.Service) is not null, $"{s.Name} runs a Fleet image but has no build section"));
        foreach (var (_, service) in compose.Services.Where(s => s.Service.Get("build")?.Get("args") is not null))
        {
            Assert.Equal(Repository.Version, ComposeFile.Scalar(service.Map("build").Map("args"), "VERSION"));
        }
    }

    [Theory]
    [MemberData(nameof(ComposeFiles))]
    public async Task DockerComposeConfig_ValidatesTheFile(string relativePath)
    {
        Privileged.RequireTool("/usr/bin/docker-compose", "docker-compose");
        string[] files = relativePath == ComposeFile.MainFile ? ["-f", ComposeFile.MainFile] : ["-f", ComposeFile.MainFile, "-f", relativePath];

        var result = await ExternalProcess.RunAsync("/usr/bin/docker-compose", [.. files, "config", "--quiet"], TimeSpan.FromSeconds(60),
            new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" });

        Assert.True(result.ExitCode == 0, result.Describe($"docker-compose config for {relativePath}"));
    }

    [Fact]
    public async Task DockerComposeConfig_RejectsABrokenDependency()
    {
        // Guards the test above: the validator must really look at the file.
        Privileged.RequireTool("/usr/bin/docker-compose", "docker-compose");
        var broken = Path.Combine(Path.GetTempPath(), $"fleet-compose-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(broken, Repository.Read(ComposeFile.MainFile).Replace("condition: service_healthy", "condition: service_happy", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        try
        {
            var result = await ExternalProcess.RunAsync("/usr/bin/docker-compose",
                ["-f", broken, "--project-directory", Repository.Root, "config", "--quiet"], TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("service_happy", result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void Agents_HoldExactlyTheCapabilitiesOfTheSystemdUnit()
    {
        var compose = ComposeFile.Load();
        foreach (var agent in AgentServices(compose))
        {
            var service = compose.Service(agent);
            Assert.Equal(["ALL"], service.Get("cap_drop").Scalars());
            Assert.Equal(SystemdUnit.AgentCapabilities().Order(StringComparer.Ordinal), service.Get("cap_add").Scalars().Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void LocalBaseOverride_BuildsEveryImageOnTheLocalBase()
    {
        var main = ComposeFile.Load();
        var local = ComposeFile.Load(ComposeFile.LocalBaseFile);
        const string localBase = "localhost/debian:bookworm-slim";

        foreach (var (name, service) in main.Services.Where(s => ComposeFile.Build(s.Service) is not null))
        {
            var dockerfile = ComposeFile.Build(service)!.Value.Dockerfile;
            var arguments = local.Service(name).Map("build").Map("args");
            Assert.Equal(localBase, ComposeFile.Scalar(arguments, "BASE_IMAGE"));
            Assert.Contains("BASE_IMAGE", Docker.Dockerfile.Load(Repository.PathOf(dockerfile)).GlobalInstructions.Select(i => i.Arguments.Split('=')[0]));
            if (dockerfile.StartsWith("deploy/docker/", StringComparison.Ordinal))
            {
                // The Fleet images take the apps published on the machine: the SDK image is out of reach too.
                Assert.Equal("context", ComposeFile.Scalar(arguments, "APP_SOURCE"));
            }
        }

        // PostgreSQL and Redis, the services without a build, get one: Debian's package on the local base.
        foreach (var name in new[] { "postgres", "redis" })
        {
            var service = local.Service(name);
            Assert.Equal(("deploy/compose", $"deploy/compose/{name}.Dockerfile"), ComposeFile.Build(service));
            Assert.Equal(localBase, ComposeFile.Scalar(service.Map("build").Map("args"), "BASE_IMAGE"));
            Assert.StartsWith($"fleet-demo-{name}:", ComposeFile.Scalar(service, "image"), StringComparison.Ordinal);
        }
    }

    private static List<string> AgentServices(ComposeFile compose) =>
        [.. compose.Services.Where(s => s.Service.Get("cap_add") is not null && ComposeFile.Scalar(s.Service, "image")!.StartsWith("fleet-agent:", StringComparison.Ordinal))
            .Select(s => s.Name)];

    private static (IPAddress Prefix, int Length) ParseSubnet(string cidr)
    {
        var parts = cidr.Split('/');
        return (IPAddress.Parse(parts[0]), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool IsInSubnet(IPAddress address, IPAddress prefix, int length)
    {
        var a = address.GetAddressBytes();
        var p = prefix.GetAddressBytes();
        for (var bit = 0; bit < length; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (p[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
