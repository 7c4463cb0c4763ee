using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// The reconciler's <see cref="LinkRecord"/>s: the working set it changes under its gate, the snapshot readers see,
/// and their persistence in an <see cref="ILinkStateStore"/>. Not thread-safe except <see cref="Snapshot"/>: callers
/// hold the reconciler's gate.
/// </summary>
internal sealed partial class LinkRecords(ILinkStateStore store, ILogger logger)
{
    private readonly Dictionary<Guid, LinkRecord> _links = [];
    private LinkRecord[] _snapshot = [];

    /// <summary>Raised after every save (on the thread that saved; keep handlers short).</summary>
    public event Action? Changed;

    /// <summary>The records as of the last save.</summary>
    public IReadOnlyList<LinkRecord> Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>How many links are known.</summary>
    public int Count => _links.Count;

    /// <summary>A copy of the working set, safe to enumerate while records change.</summary>
    public List<LinkRecord> All() => [.. _links.Values];

    /// <summary>The working record of <paramref name="linkId"/>.</summary>
    public bool TryGet(Guid linkId, out LinkRecord record) => _links.TryGetValue(linkId, out record!);

    /// <summary>The working record of <paramref name="linkId"/>, or null.</summary>
    public LinkRecord? Find(Guid linkId) => _links.GetValueOrDefault(linkId);

    /// <summary>Replaces (or adds) a record in the working set; <see cref="Save"/> makes it durable.</summary>
    public void Store(LinkRecord record) => _links[record.LinkId] = record;

    /// <summary>Forgets a link.</summary>
    public void Remove(Guid linkId) => _links.Remove(linkId);

    /// <summary>Loads what the store holds into the working set; null, or why the saved state was set aside.</summary>
    public string? Load()
    {
        try
        {
            foreach (var record in store.Load())
            {
                _links[record.LinkId] = record;
            }

            return null;
        }
        catch (LinkStateQuarantinedException ex)
        {
            LogQuarantined(ex.Message);
            return ex.Message;
        }
    }

    /// <summary>
    /// Publishes the working set as <see cref="Snapshot"/> and persists it; null when it is on disk, else why not (the
    /// caller decides: before the kernel is touched a change that cannot be recorded is not made).
    /// </summary>
    public string? Save()
    {
        var records = _links.Values.OrderBy(r => r.LinkId).ToArray();
        Volatile.Write(ref _snapshot, records);
        string? error = null;
        try
        {
            store.Save(records);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            LogSaveFailed(error);
        }

        Changed?.Invoke();
        return error;
    }

    [LoggerMessage(EventId = 415, Level = LogLevel.Error, Message = "{Message}")]
    private partial void LogQuarantined(string message);

    [LoggerMessage(EventId = 413, Level = LogLevel.Error, Message = "Saving link state failed: {Error}")]
    private partial void LogSaveFailed(string error);
}
