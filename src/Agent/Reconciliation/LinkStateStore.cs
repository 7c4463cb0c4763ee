using System.Globalization;
using System.Text.Json;
using Fleet.Agent.Storage;

namespace Fleet.Agent.Reconciliation;

/// <summary>Where the reconciler keeps its <see cref="LinkRecord"/>s between runs.</summary>
public interface ILinkStateStore
{
    /// <summary>The records saved last; empty on first start.</summary>
    /// <exception cref="LinkStateQuarantinedException">The saved state was unreadable; it was set aside and the store is empty.</exception>
    IReadOnlyList<LinkRecord> Load();

    /// <summary>Replaces the saved records (durably: a pending commit-confirm must survive a crash).</summary>
    void Save(IReadOnlyList<LinkRecord> records);
}

/// <summary>
/// <c>links.json</c> in the data directory, replaced atomically, mode 0600 (striper specs carry pre-shared keys).
/// </summary>
public sealed class FileLinkStateStore(string dataDirectory) : ILinkStateStore
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "links.json";

    private readonly string _path = Path.Combine(dataDirectory, FileName);

    /// <inheritdoc />
    /// <remarks>
    /// A file that is not the agent's JSON (edited by hand, from a newer agent, damaged) is renamed to
    /// <c>links.json.corrupt-TIME</c> and kept for the operator; the agent then starts without records and the Api's
    /// desired state is applied again. An I/O error is not a damaged file and propagates: the agent stops with an error
    /// and systemd restarts it.
    /// </remarks>
    public IReadOnlyList<LinkRecord> Load()
    {
        try
        {
            return AtomicFile.ReadJson<LinkRecord[]>(_path) ?? [];
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
        {
            var kept = $"{_path}.corrupt-{DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
            File.Move(_path, kept, overwrite: true);
            throw new LinkStateQuarantinedException($"{FileName} could not be read ({ex.Message}); it was kept as {Path.GetFileName(kept)} and the agent starts without link records: the control plane's desired links are applied again", ex);
        }
    }

    /// <inheritdoc />
    public void Save(IReadOnlyList<LinkRecord> records) => AtomicFile.WriteJson(_path, records, AtomicFile.OwnerOnly);
}

/// <summary>The saved link state could not be read and was set aside (the message says where).</summary>
public sealed class LinkStateQuarantinedException(string message, Exception inner) : Exception(message, inner);

/// <summary>Keeps records in memory only (simulated agents).</summary>
public sealed class InMemoryLinkStateStore : ILinkStateStore
{
    private IReadOnlyList<LinkRecord> _records = [];

    /// <inheritdoc />
    public IReadOnlyList<LinkRecord> Load() => Volatile.Read(ref _records);

    /// <inheritdoc />
    public void Save(IReadOnlyList<LinkRecord> records) => Volatile.Write(ref _records, [.. records]);
}
