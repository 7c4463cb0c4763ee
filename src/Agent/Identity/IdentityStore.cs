using System.Text.Json;
using Fleet.Agent.Storage;

namespace Fleet.Agent.Identity;

/// <summary>Reads and writes <c>identity.json</c> in the agent's data directory.</summary>
public sealed class IdentityStore(string dataDirectory)
{
    /// <summary>The file's name inside the data directory.</summary>
    public const string FileName = "identity.json";

    /// <summary>Full path of the identity file.</summary>
    public string Path { get; } = System.IO.Path.Combine(dataDirectory, FileName);

    /// <summary>Whether an identity has been stored.</summary>
    public bool Exists => File.Exists(Path);

    /// <summary>Loads the identity; null when the agent has not enrolled.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a valid identity.</exception>
    public AgentIdentity? Load()
    {
        try
        {
            var identity = AtomicFile.ReadJson<AgentIdentity>(Path);
            if (identity is not null && (identity.HostId == Guid.Empty || string.IsNullOrWhiteSpace(identity.Credential) || !identity.ServerUrl.IsAbsoluteUri))
            {
                throw new InvalidDataException($"{Path} is incomplete (host id, credential and absolute server URL are required)");
            }

            return identity;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{Path} is not a valid identity file: {ex.Message}", ex);
        }
    }

    /// <summary>Stores the identity with mode 0600, atomically and durably; the data directory is created with mode 0700.</summary>
    public void Save(AgentIdentity identity)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        AtomicFile.WriteJson(Path, identity, AtomicFile.OwnerOnly);
    }
}
