using Fleet.Agent.Backends;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Inventory;

/// <summary>Derives the host's capabilities from the registered backends' <see cref="ILinkBackend.CheckAvailability"/>.</summary>
public static class Capabilities
{
    /// <summary>Asks each backend; a kind without a backend is unavailable, with a note saying so.</summary>
    public static AgentCapabilities Detect(LinkBackends backends)
    {
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        bool Check(LinkKind kind, string name)
        {
            if (backends.For(kind) is not { } backend)
            {
                notes[name] = $"this agent has no {kind.ToString().ToLowerInvariant()} backend";
                return false;
            }

            BackendAvailability availability;
            try
            {
                availability = backend.CheckAvailability();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                availability = BackendAvailability.No(ex.Message);
            }

            if (!availability.Available)
            {
                notes[name] = availability.Reason ?? "not available";
            }

            return availability.Available;
        }

        return new AgentCapabilities(
            Bonding: Check(LinkKind.Bond, "bonding"),
            Teql: Check(LinkKind.Teql, "teql"),
            Mptcp: Check(LinkKind.Mptcp, "mptcp"),
            Tun: Check(LinkKind.Striper, "tun"),
            Notes: notes.Count > 0 ? notes : null);
    }
}
