using Fleet.Agent.Storage;

namespace Fleet.Agent.Reconciliation;

/// <summary>Where the reconciler keeps its <see cref="LinkRecord"/>s between runs.</summary>
public interface ILinkStateStore
{
    /// <summary>The records saved last; empty on first start.</summary>
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
    public IReadOnlyList<LinkRecord> Load() => AtomicFile.ReadJson<LinkRecord[]>(_path) ?? [];

    /// <inheritdoc />
    public void Save(IReadOnlyList<LinkRecord> records) => AtomicFile.WriteJson(_path, records, AtomicFile.OwnerOnly);
}

/// <summary>Keeps records in memory only (simulated agents).</summary>
public sealed class InMemoryLinkStateStore : ILinkStateStore
{
    private IReadOnlyList<LinkRecord> _records = [];

    /// <inheritdoc />
    public IReadOnlyList<LinkRecord> Load() => Volatile.Read(ref _records);

    /// <inheritdoc />
    public void Save(IReadOnlyList<LinkRecord> records) => Volatile.Write(ref _records, [.. records]);
}
