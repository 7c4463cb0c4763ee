using System.Text.Json;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>
/// The kernel's MPTCP counters (<c>MPTcpExt*</c> in /proc/net/netstat) as <c>nstat -asz -j</c> prints them: absolute
/// values (<c>-a</c>), without touching nstat's history file (<c>-s</c>), zeros included (<c>-z</c>).
/// </summary>
public static class MptcpCounters
{
    /// <summary>The prefix of MPTCP's counters.</summary>
    public const string Prefix = "MPTcpExt";

    /// <summary>The <c>MPTcpExt*</c> counters by name, prefix removed (<c>MPJoinSynTx</c>, <c>MPPrioTx</c>…).</summary>
    public static IReadOnlyDictionary<string, long> ParseNstatJson(string json)
    {
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json.Length == 0 ? "{}" : json);
        foreach (var group in document.RootElement.EnumerateObject())
        {
            if (group.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var counter in group.Value.EnumerateObject())
            {
                if (counter.Name.StartsWith(Prefix, StringComparison.Ordinal) && counter.Value.TryGetInt64(out var value))
                {
                    counters[counter.Name[Prefix.Length..]] = value;
                }
            }
        }

        return counters;
    }
}
