using System.Text.Json;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>
/// The container engine of the container tests: podman (Docker does not run on the build machines), with the
/// repository's <c>deploy/docker/podman-containers.conf</c> named by <c>CONTAINERS_CONF</c> (runc, ulimits within this
/// machine's limits). Arguments are lists, never a shell string.
/// </summary>
internal static class Podman
{
    public const string Executable = "/usr/bin/podman";

    /// <summary>The base image deploy/docker/debian-base.sh makes once per machine (kept between runs).</summary>
    public const string BaseImage = "localhost/debian:bookworm-slim";

    public static string ConfigFile => Repository.PathOf("deploy", "docker", "podman-containers.conf");

    /// <summary>What every podman, build script and compose process of the tests gets in its environment.</summary>
    public static Dictionary<string, string?> Environment() => new(StringComparer.Ordinal) { ["CONTAINERS_CONF"] = ConfigFile };

    /// <summary>Skips loudly (fails under CI=true) unless this runs as root with podman, runc and debootstrap.</summary>
    public static void Require(string what)
    {
        Privileged.Require(what);
        Privileged.RequireTool(Executable, "podman");
        Privileged.RequireTool("/usr/sbin/runc", "runc");
        Privileged.RequireTool("/usr/sbin/debootstrap", "debootstrap");
    }

    public static Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] arguments) =>
        ExternalProcess.RunAsync(Executable, arguments, timeout, Environment());

    public static Task<ProcessResult> RunAsync(params string[] arguments) => RunAsync(TimeSpan.FromSeconds(120), arguments);

    /// <summary>Runs podman and fails the test when it fails; returns its trimmed standard output.</summary>
    public static async Task<string> MustAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, result.Describe($"podman {string.Join(' ', arguments)}"));
        return result.StandardOutput.Trim();
    }

    /// <summary><c>podman inspect</c> of one object, as JSON.</summary>
    public static async Task<JsonElement> InspectAsync(string kind, string name)
    {
        using var document = JsonDocument.Parse(await MustAsync(kind, "inspect", name));
        return document.RootElement[0].Clone();
    }

    /// <summary>Runs a container's health check once (nothing runs them on a schedule without systemd): healthy or not, and its output.</summary>
    public static async Task<(bool Healthy, string Output)> HealthCheckAsync(string container)
    {
        var result = await RunAsync("healthcheck", "run", container);
        // podman prints "unhealthy" and exits 1 for a failing check; anything else is a problem with the call itself.
        Assert.True(result.ExitCode is 0 or 1, result.Describe($"podman healthcheck run {container}"));
        var health = await InspectAsync("container", container);
        var log = health.GetProperty("State").GetProperty("Health").GetProperty("Log");
        var output = log.GetArrayLength() > 0 ? log[log.GetArrayLength() - 1].GetProperty("Output").GetString() ?? "" : "";
        return (result.ExitCode == 0, output);
    }
}
