using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Deploy.Tests.Docker;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Compose;

/// <summary>
/// The compose demo's enrollment and provisioning, step by step as docker compose runs them, against the real
/// fleet-api and the real `fleet-agent enroll`: provision.sh creates the token, the agent container's entrypoint
/// enrolls each host with it, provision.sh gives both hosts their striper link. Only `fleet-agent run` is left out
/// (it would drive this machine's network), replaced by a recording stand-in.
/// </summary>
public sealed class ComposeFlowTests(RunningApi api) : IClassFixture<RunningApi>, IDisposable
{
    private const string EnrollBlocked =
        "BLOCKED by src/Agent: `fleet-agent enroll --server URL` throws \"Cannot parse argument ... as expected type " +
        "'System.Uri'\" (System.CommandLine 2.0.15 has no Uri parser; EnrollCommand's Option<Uri> needs a CustomParser). " +
        "This test runs by itself once enroll parses its --server URL.";

    private static readonly Lazy<bool> s_enrollParsesServerUrl = new(ProbeEnrollParsesServerUrl);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("fleet-compose-flow-");

    /// <summary>False while the agent's CLI cannot parse <c>--server</c> (see <see cref="EnrollBlocked"/>).</summary>
    public static bool EnrollParsesServerUrl => s_enrollParsesServerUrl.Value;

    public void Dispose() => _root.Delete(recursive: true);

    [Fact(SkipUnless = nameof(EnrollParsesServerUrl), Skip = EnrollBlocked)]
    public async Task Demo_TokenEnrollAndStriperLink_EndInAPendingLinkOnEachHost()
    {
        Privileged.RequireTool("/usr/bin/curl", "curl");
        Privileged.RequireTool("/usr/bin/jq", "jq");
        var agent = WriteAgentWrapper();
        var tokenFile = Path.Combine(_root.FullName, "enrollment-token");

        var token = await ProvisionAsync("token", tokenFile);
        Assert.True(token.ExitCode == 0, token.Describe("provision.sh token"));

        foreach (var host in new[] { "agent-1", "agent-2" })
        {
            var start = await EntrypointAsync(agent, host);
            Assert.True(start.ExitCode == 0, start.Describe($"entrypoint of {host}"));
            Assert.Contains("enrolling at", start.StandardOutput, StringComparison.Ordinal);
            var identity = Path.Combine(_root.FullName, host, "identity.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(identity));
            Assert.Contains($"run --data-dir {Path.Combine(_root.FullName, host)} --allow-insecure-http", start.StandardOutput, StringComparison.Ordinal);

            // A restarted container keeps its identity and does not enroll again.
            var restart = await EntrypointAsync(agent, host);
            Assert.True(restart.ExitCode == 0, restart.Describe($"restart of {host}"));
            Assert.DoesNotContain("enrolling at", restart.StandardOutput, StringComparison.Ordinal);
        }

        // The token was made for two hosts: a third cannot use it.
        var third = await EntrypointAsync(agent, "agent-3");
        Assert.NotEqual(0, third.ExitCode);
        Assert.False(File.Exists(Path.Combine(_root.FullName, "agent-3", "identity.json")));

        var link = await ProvisionAsync("striper-link", "agent-1", "agent-2");
        Assert.True(link.ExitCode == 0, link.Describe("provision.sh striper-link"));
        var again = await ProvisionAsync("striper-link", "agent-1", "agent-2");
        Assert.True(again.ExitCode == 0, again.Describe("provision.sh striper-link, second run"));

        using var client = new HttpClient { BaseAddress = api.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RunningApi.AdminApiKey);
        var hosts = await client.GetFromJsonAsync<Page<HostDto>>("/api/v1/hosts", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal(["agent-1", "agent-2"], hosts!.Items.Select(h => h.Name).Order(StringComparer.Ordinal));
        foreach (var host in hosts.Items)
        {
            var links = await client.GetFromJsonAsync<Page<LinkDto>>($"/api/v1/links?hostId={host.Id}", FleetJson.Options, TestContext.Current.CancellationToken);
            var only = Assert.Single(links!.Items);
            Assert.Equal("str0", only.Name);
            Assert.Equal(LinkKind.Striper, only.Kind);
            Assert.Equal(["path-a", "path-b"], only.Spec.Members.Select(m => m.Interface));
            Assert.Equal(1, only.DesiredGeneration);
        }
    }

    private static string AgentAssembly => Repository.PathOf("src", "Agent", "bin", Repository.Configuration, "net10.0", "fleet-agent.dll");

    private static bool ProbeEnrollParsesServerUrl()
    {
        // Nothing listens on the discard port: a working CLI gets as far as a connection error.
        var dataDirectory = Directory.CreateTempSubdirectory("fleet-enroll-probe-");
        try
        {
            var result = ExternalProcess.RunAsync("dotnet",
                [AgentAssembly, "enroll", "--server", "http://127.0.0.1:9", "--token", "fleet_e_probe", "--data-dir", dataDirectory.FullName, "--allow-insecure-http"],
                TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            var blocked = result.StandardError.Contains("as expected type 'System.Uri'", StringComparison.Ordinal);
            if (blocked)
            {
                Console.Error.WriteLine($"!!! {EnrollBlocked}");
            }

            return !blocked;
        }
        finally
        {
            dataDirectory.Delete(recursive: true);
        }
    }

    /// <summary>The real agent for every command but `run`, which only says how it was called.</summary>
    private string WriteAgentWrapper()
    {
        var assembly = AgentAssembly;
        Assert.True(File.Exists(assembly), $"{assembly} is missing: the test project builds src/Agent first");
        var wrapper = Path.Combine(_root.FullName, "fleet-agent");
        File.WriteAllText(wrapper, $"#!/bin/bash\nif [[ $1 == run ]]; then echo \"stand-in: $*\"; exit 0; fi\nexec dotnet '{assembly}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return wrapper;
    }

    private Task<ProcessResult> EntrypointAsync(string agent, string host) =>
        ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy/docker/agent-entrypoint.sh"), "run"], TimeSpan.FromSeconds(90),
            new Dictionary<string, string?>
            {
                ["FLEET_AGENT_BIN"] = agent,
                ["FLEET_AGENT_DATA_DIR"] = Path.Combine(_root.FullName, host),
                ["FLEET_SERVER"] = api.BaseAddress.ToString().TrimEnd('/'),
                ["FLEET_AGENT_NAME"] = host,

                // The test Api, like the compose demo's, speaks plain http://.
                ["FLEET_ALLOW_INSECURE_HTTP"] = "true",
                ["FLEET_ENROLLMENT_TOKEN"] = null,
                ["FLEET_ENROLLMENT_TOKEN_FILE"] = Path.Combine(_root.FullName, "enrollment-token"),
                ["FLEET_ENROLLMENT_WAIT_SECONDS"] = "5",
            });

    private Task<ProcessResult> ProvisionAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy/compose/provision.sh"), .. arguments], TimeSpan.FromSeconds(90),
            new Dictionary<string, string?>
            {
                ["FLEET_API"] = api.BaseAddress.ToString().TrimEnd('/'),
                ["FLEET_API_KEY"] = RunningApi.AdminApiKey,
                ["FLEET_DEMO_WAIT_SECONDS"] = "30",
                ["FLEET_DEMO_AGENT_1_PATH_A"] = "10.231.1.11",
                ["FLEET_DEMO_AGENT_1_PATH_B"] = "10.231.2.11",
                ["FLEET_DEMO_AGENT_2_PATH_A"] = "10.231.1.12",
                ["FLEET_DEMO_AGENT_2_PATH_B"] = "10.231.2.12",
            });
}
