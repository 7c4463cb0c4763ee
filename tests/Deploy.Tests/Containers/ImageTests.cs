using System.Text.Json;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>What the built images are, before anything runs in them: labels, users, contents, the unconfigured start.</summary>
[Collection(ContainerCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class ImageTests(ContainerImages images, ITestOutputHelper output)
{
    /// <summary>The entrypoint's first line when it has neither an identity nor a token; docs/operations.md quotes it.</summary>
    public const string NotEnrolledMessage = "fleet-agent-entrypoint: this agent is not enrolled (/var/lib/fleet-agent/identity.json does not exist).";

    [Fact(Timeout = ContainerCollection.TimeoutMilliseconds)]
    public async Task Images_CarryTheOciLabelsOfThisVersionAndCommit()
    {
        Podman.Require("builds the Fleet images with podman");
        var built = await images.GetAsync(output);
        var revision = (await ExternalProcess.RunAsync("git", ["rev-parse", "HEAD"], TimeSpan.FromSeconds(30))).StandardOutput.Trim();

        foreach (var (image, title) in new[] { (built.Api, "fleet-api"), (built.Agent, "fleet-agent") })
        {
            var labels = (await Podman.InspectAsync("image", image)).GetProperty("Labels");
            Assert.Equal(title, Label(labels, "org.opencontainers.image.title"));
            Assert.Equal(Repository.Version, Label(labels, "org.opencontainers.image.version"));
            Assert.Equal(revision, Label(labels, "org.opencontainers.image.revision"));
            Assert.False(string.IsNullOrEmpty(Label(labels, "org.opencontainers.image.created")), $"{image} has no created label");
            Assert.False(string.IsNullOrEmpty(Label(labels, "org.opencontainers.image.source")), $"{image} has no source label");
        }
    }

    [Fact(Timeout = ContainerCollection.TimeoutMilliseconds)]
    public async Task ApiImage_RunsAsTheNonRootUserApp()
    {
        Podman.Require("builds the Fleet images with podman");
        var built = await images.GetAsync(output);

        var config = (await Podman.InspectAsync("image", built.Api)).GetProperty("Config");
        Assert.Equal("1654", config.GetProperty("User").GetString());
        var id = await Podman.MustAsync("run", "--rm", "--entrypoint", "id", built.Api);
        Assert.Equal("uid=1654(app) gid=1654(app) groups=1654(app)", id);
    }

    [Fact(Timeout = ContainerCollection.TimeoutMilliseconds)]
    public async Task AgentImage_HoldsTheSelfContainedAgentAndNoDotnetRuntime()
    {
        Podman.Require("builds the Fleet images with podman");
        var built = await images.GetAsync(output);

        var version = await Podman.MustAsync("run", "--rm", built.Agent, "--version");
        Assert.StartsWith(Repository.Version, version, StringComparison.Ordinal);
        var dotnet = await Podman.RunAsync("run", "--rm", "--entrypoint", "bash", built.Agent, "-c",
            "command -v dotnet || ls -d /usr/share/dotnet /usr/lib/dotnet /opt/dotnet 2>/dev/null");
        Assert.True(dotnet.ExitCode != 0 && dotnet.StandardOutput.Trim().Length == 0, $"the agent image has a .NET installation: {dotnet.StandardOutput}");
        var healthcheck = (await Podman.InspectAsync("image", built.Agent)).GetProperty("Healthcheck").GetProperty("Test");
        Assert.Equal(["CMD", "/usr/local/bin/fleet-agent-entrypoint", "health"], healthcheck.EnumerateArray().Select(e => e.GetString()));
    }

    [Fact(Timeout = ContainerCollection.TimeoutMilliseconds)]
    public async Task AgentImage_StartedWithoutConfiguration_Exits78WithTheDocumentedMessage()
    {
        Podman.Require("builds the Fleet images with podman");
        var built = await images.GetAsync(output);
        await using var janitor = new ContainerJanitor();

        var result = await Podman.RunAsync("run", "--rm", "--name", janitor.Container("unconfigured"), built.Agent);

        Assert.True(result.ExitCode == 78, result.Describe("the agent container without configuration"));
        // podman's own complaints (no systemd for health-check timers) share the stream: look for the line.
        Assert.Contains(NotEnrolledMessage + "\n", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(NotEnrolledMessage, Repository.Read("docs", "operations.md"), StringComparison.Ordinal);
    }

    private static string? Label(JsonElement labels, string name) =>
        labels.TryGetProperty(name, out var value) ? value.GetString() : null;
}
