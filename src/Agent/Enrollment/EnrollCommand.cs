using System.CommandLine;
using Fleet.Agent.Cli;
using Fleet.Agent.Identity;
using Fleet.Agent.Inventory;
using Fleet.Agent.Storage;

namespace Fleet.Agent.Enrollment;

/// <summary><c>fleet-agent enroll</c>: exchanges a one-time token for this host's credential.</summary>
public static class EnrollCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var server = new Option<Uri>("--server") { Description = "The Fleet Api's base URL, e.g. https://fleet.example.net", Required = true, CustomParser = ServerUrls.ParseArgument };
        var token = new Option<string>("--token") { Description = "The enrollment token (fleet_e_…) an admin created", Required = true };
        var name = new Option<string?>("--name") { Description = "Display name for this host (default: the hostname)" };
        var dataDir = CommonOptions.DataDirectory();
        var force = new Option<bool>("--force") { Description = "Replace an existing identity (the host enrolls anew; its unsent samples are discarded)" };
        var allowInsecureHttp = InsecureHttp.Option();
        var command = new Command("enroll", "Enroll this host with the Fleet control plane and store its credential (mode 0600).")
        {
            server, token, name, dataDir, force, allowInsecureHttp,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(server),
            parse.GetRequiredValue(token),
            parse.GetValue(name),
            parse.GetRequiredValue(dataDir),
            parse.GetValue(force),
            parse.GetValue(allowInsecureHttp),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    /// <summary>Enrolls; returns an exit code from <see cref="ExitCodes"/>.</summary>
    public static async Task<int> RunAsync(Uri server, string token, string? name, string dataDirectory, bool force, bool allowInsecureHttp, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!server.IsAbsoluteUri || server.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"--server must be an absolute http(s) URL, not '{server}'");
            return ExitCodes.Usage;
        }

        if (InsecureHttp.Refusal(server, allowInsecureHttp) is { } refusal)
        {
            await error.WriteLineAsync(refusal);
            return ExitCodes.Usage;
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            await error.WriteLineAsync("--token must not be empty");
            return ExitCodes.Usage;
        }

        if (name is not null && (name.Length is 0 or > 200 || name.Any(char.IsControl)))
        {
            await error.WriteLineAsync("--name must be 1–200 printable characters");
            return ExitCodes.Usage;
        }

        var store = new IdentityStore(dataDirectory);
        if (store.Exists && !force)
        {
            await error.WriteLineAsync($"{store.Path} exists: this host is enrolled already. Pass --force to enroll it anew.");
            return ExitCodes.IdentityExists;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var client = new EnrollmentClient(http);
        var result = await client.EnrollAsync(server, new EnrollRequest(token.Trim(), HostInventory.Hostname(), name), cancellationToken);
        switch (result.Status)
        {
            case EnrollmentStatus.Enrolled:
                break;
            case EnrollmentStatus.Refused:
                await error.WriteLineAsync(result.Error);
                return ExitCodes.EnrollmentRefused;
            default:
                await error.WriteLineAsync(result.Error);
                return ExitCodes.ServerUnavailable;
        }

        var response = result.Response!;
        try
        {
            if (force)
            {
                // Unsent samples and applied specs belonged to the old identity.
                DataDirectory.ResetState(dataDirectory);
            }

            store.Save(new AgentIdentity(server, response.HostId, response.Credential, DateTimeOffset.UtcNow, name));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"cannot write {store.Path}: {ex.Message}");
            return ExitCodes.DataDirectoryError;
        }

        await output.WriteLineAsync($"Enrolled as host {response.HostId}; identity stored in {store.Path}. Start the agent with: fleet-agent run --data-dir {dataDirectory}{(server.Scheme == Uri.UriSchemeHttp ? " " + InsecureHttp.OptionName : "")}");
        return ExitCodes.Success;
    }
}
