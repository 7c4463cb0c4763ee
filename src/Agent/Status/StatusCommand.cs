using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleet.Agent.Cli;
using Fleet.Agent.Hub;
using Fleet.Agent.Identity;
using Fleet.Agent.Storage;
using Fleet.Contracts.Json;

namespace Fleet.Agent.Status;

/// <summary><c>fleet-agent status</c>: the daemon's local view from <c>status.json</c>.</summary>
public static class StatusCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var dataDir = CommonOptions.DataDirectory();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text" };
        var command = new Command("status", "Show the agent's connection, links, phases and last errors.") { dataDir, json };
        command.SetAction(parse => Run(parse.GetRequiredValue(dataDir), parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, TimeProvider.System));
        return command;
    }

    /// <summary>
    /// Prints the status (text or JSON, whatever the state); returns an exit code from <see cref="ExitCodes"/>:
    /// <see cref="ExitCodes.Success"/> only when the daemon runs and is connected to the Api,
    /// <see cref="ExitCodes.ServerUnavailable"/> when it runs but is not connected, <see cref="ExitCodes.NotRunning"/> when
    /// it does not run — so scripts and health checks can use the exit code alone.
    /// </summary>
    public static int Run(string dataDirectory, bool json, TextWriter output, TextWriter error, TimeProvider time)
    {
        AgentIdentity? identity;
        AgentStatus? status;
        try
        {
            identity = new IdentityStore(dataDirectory).Load();
            status = AtomicFile.ReadJson<AgentStatus>(DataDirectory.StatusFile(dataDirectory));
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or JsonException)
        {
            error.WriteLine(ex.Message);
            return ExitCodes.DataDirectoryError;
        }

        if (identity is null)
        {
            error.WriteLine($"not enrolled: {Path.Combine(dataDirectory, IdentityStore.FileName)} does not exist");
            return ExitCodes.NotEnrolled;
        }

        var running = status is not null && IsRunning(status, time);
        if (json)
        {
            var view = new StatusView(identity.HostId, identity.ServerUrl.ToString(), running, status);
            output.WriteLine(JsonSerializer.Serialize(view, FleetJson.Options));
        }
        else
        {
            output.Write(Format(identity, status, running));
        }

        return !running ? ExitCodes.NotRunning
            : status!.Connection.State != HubConnectionStatus.Connected ? ExitCodes.ServerUnavailable
            : ExitCodes.Success;
    }

    /// <summary>The daemon is alive: its process exists and it wrote the status within a few intervals.</summary>
    internal static bool IsRunning(AgentStatus status, TimeProvider time)
    {
        var stale = time.GetUtcNow() - status.UpdatedAt > TimeSpan.FromMilliseconds(Math.Max(5_000, status.SampleIntervalMs * 5));
        return !stale && (!OperatingSystem.IsLinux() || Directory.Exists($"/proc/{status.ProcessId}"));
    }

    internal static string Format(AgentIdentity identity, AgentStatus? status, bool running)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"host      {identity.HostId}");
        text.AppendLine(culture, $"server    {identity.ServerUrl}");
        if (status is null)
        {
            text.AppendLine("agent     not running (no status file yet)");
            return text.ToString();
        }

        text.AppendLine(culture, $"agent     {(running ? "running" : "NOT RUNNING")} (pid {status.ProcessId}, version {status.AgentVersion}, status of {status.UpdatedAt:u})");
        var connection = status.Connection;
        text.Append(culture, $"api       {connection.State.ToString().ToLowerInvariant()} since {connection.Since:u}");
        if (connection.LastError is { } lastError)
        {
            text.Append(culture, $" — last error: {lastError}");
        }

        text.AppendLine();
        var queue = status.Queue;
        text.AppendLine(culture, $"queue     {queue.PendingBatches} unacknowledged batches, {queue.StoredBytes / 1024.0:0.#} KiB of {queue.CapacityBytes / 1024.0 / 1024:0.#} MiB, {queue.DroppedBatches} dropped");
        if (status.Links.Count == 0)
        {
            text.AppendLine("links     none");
        }

        foreach (var link in status.Links)
        {
            text.Append(culture, $"link      {link.Name ?? "?"} ({link.Kind?.ToString().ToLowerInvariant() ?? "?"}, {link.LinkId}): {link.Phase.ToString().ToLowerInvariant()}, generation {link.ObservedGeneration}");
            if (link.TargetGeneration != link.ObservedGeneration)
            {
                text.Append(culture, $" (target {link.TargetGeneration})");
            }

            if (link.ConfirmDeadline is { } deadline)
            {
                text.Append(culture, $", awaiting confirmation until {deadline:u}");
            }

            text.AppendLine();
            if (link.Error is { } linkError)
            {
                text.AppendLine(culture, $"          error: {linkError}");
            }

            foreach (var member in link.Members)
            {
                text.AppendLine(culture, $"          member {member.Interface}: {member.Health.ToString().ToLowerInvariant()}");
            }
        }

        return text.ToString();
    }

    /// <summary>What <c>status --json</c> prints.</summary>
    /// <param name="HostId">The enrolled host.</param>
    /// <param name="Server">The Api.</param>
    /// <param name="Running">Whether the daemon is alive.</param>
    /// <param name="Status">Its last status, if any.</param>
    public sealed record StatusView(Guid HostId, string Server, bool Running, AgentStatus? Status);
}
