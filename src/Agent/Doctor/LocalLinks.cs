using System.Text.Json;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Storage;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Doctor;

/// <summary>A link on this host as the doctor judges it: the spec in force on the host.</summary>
/// <param name="LinkId">The link.</param>
/// <param name="Spec">The spec in force (a pending, unconfirmed one if any, else the last confirmed one).</param>
public sealed record LocalLink(Guid LinkId, LinkSpec Spec);

/// <summary>
/// The links of this host from the agent's <c>links.json</c>, read only: unlike the daemon's store, a file that cannot
/// be parsed is reported, never set aside (the doctor must not change what the daemon owns).
/// </summary>
public static class LocalLinks
{
    /// <summary>Every link with a spec in force, by name; a link being removed or never applied has none.</summary>
    /// <exception cref="InvalidDataException"><c>links.json</c> is not the agent's JSON.</exception>
    public static IReadOnlyList<LocalLink> Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileLinkStateStore.FileName);
        LinkRecord[]? records;
        try
        {
            records = AtomicFile.ReadJson<LinkRecord[]>(path);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{path} cannot be read: {ex.Message}", ex);
        }

        return [.. (records ?? []).Where(r => r.InForce is not null).Select(r => new LocalLink(r.LinkId, r.InForce!)).OrderBy(l => l.Spec.Name, StringComparer.Ordinal)];
    }

    /// <summary>The link named <paramref name="nameOrId"/> (its device name, or its id); null when the host has none.</summary>
    public static LocalLink? Find(IReadOnlyList<LocalLink> links, string nameOrId) =>
        links.FirstOrDefault(l => string.Equals(l.Spec.Name, nameOrId, StringComparison.Ordinal))
        ?? (Guid.TryParse(nameOrId, out var id) ? links.FirstOrDefault(l => l.LinkId == id) : null);
}
