using Fleet.Agent.Reconciliation;

namespace Fleet.Agent.Storage;

/// <summary>The layout of the agent's data directory (docs/architecture.md, "Agent on a host").</summary>
public static class DataDirectory
{
    /// <summary>The on-disk batch queue's directory.</summary>
    public static string Queue(string dataDirectory) => Path.Combine(dataDirectory, "queue");

    /// <summary>The daemon's status file.</summary>
    public static string StatusFile(string dataDirectory) => Path.Combine(dataDirectory, "status.json");

    /// <summary>Forgets everything that belonged to the previous identity: queue, applied specs, status.</summary>
    public static void ResetState(string dataDirectory)
    {
        var queue = Queue(dataDirectory);
        if (Directory.Exists(queue))
        {
            Directory.Delete(queue, recursive: true);
        }

        File.Delete(Path.Combine(dataDirectory, FileLinkStateStore.FileName));
        File.Delete(StatusFile(dataDirectory));
    }
}
