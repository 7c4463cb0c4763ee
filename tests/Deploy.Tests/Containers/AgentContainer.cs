using System.Text.Json;
using Fleet.Deploy.Tests.Debian;
using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>
/// A fleet-agent container that is one host: it joins a network namespace of the test bed (in place of the host's own
/// network), runs with exactly the capabilities of the systemd unit (<see cref="SystemdUnit.AgentCapabilities"/>)
/// and the TUN device, keeps its identity in a named volume, and enrolls through the documented environment.
/// </summary>
internal sealed class AgentContainer(string name, string volume, string networkNamespace, string hostName)
{
    public string Name => name;

    public string HostName => hostName;

    public string Namespace => networkNamespace;

    /// <summary>The <c>podman run</c> arguments of docs/operations.md with the test bed's network in place of <c>--network host</c>.</summary>
    public static IEnumerable<string> RunOptions()
    {
        yield return "--cap-drop";
        yield return "ALL";
        foreach (var capability in SystemdUnit.AgentCapabilities())
        {
            yield return "--cap-add";
            yield return capability;
        }

        yield return "--device";
        yield return "/dev/net/tun";
    }

    public async Task StartAsync(BuiltImages images, Uri server, string enrollmentToken)
    {
        await Podman.MustAsync([
            "run", "--detach", "--name", name, "--hostname", hostName,
            "--network", $"ns:/run/netns/{networkNamespace}", .. RunOptions(),
            "--volume", $"{volume}:/var/lib/fleet-agent",
            "--env", $"FLEET_SERVER={server.ToString().TrimEnd('/')}",
            "--env", $"FLEET_ENROLLMENT_TOKEN={enrollmentToken}",
            "--env", $"FLEET_AGENT_NAME={hostName}",
            // The test bed's Api speaks plain HTTP on a private link (docs/operations.md).
            "--env", "FLEET_ALLOW_INSECURE_HTTP=true",
            images.Agent,
        ]);
    }

    public Task<ProcessResult> ExecAsync(params string[] command) => Podman.RunAsync(["exec", name, .. command]);

    /// <summary>The agent's own view (<c>fleet-agent status --json</c>) and the status command's exit code.</summary>
    public async Task<(int ExitCode, JsonElement? Status)> StatusAsync()
    {
        var result = await ExecAsync("fleet-agent", "status", "--json");
        if (result.StandardOutput.TrimStart().StartsWith('{'))
        {
            using var document = JsonDocument.Parse(result.StandardOutput);
            return (result.ExitCode, document.RootElement.Clone());
        }

        return (result.ExitCode, null);
    }

    public async Task<string> LogsAsync(string? since = null)
    {
        var result = await Podman.RunAsync(since is null ? ["logs", name] : ["logs", "--since", since, name]);
        return result.StandardOutput + result.StandardError;
    }
}
