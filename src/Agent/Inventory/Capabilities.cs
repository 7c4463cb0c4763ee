using Fleet.Agent.Backends;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Agent.Inventory;

/// <summary>Derives the host's capabilities from the registered backends' <see cref="ILinkBackend.CheckAvailability"/>.</summary>
public static class Capabilities
{
    /// <summary>
    /// Asks the backend of every registered kind (<see cref="LinkKinds"/>); a kind without a backend is unavailable,
    /// with a note saying so. Notes are keyed by the capability the kind needs (<see cref="LinkKindDescriptor.Capability"/>).
    /// </summary>
    public static AgentCapabilities Detect(LinkBackends backends)
    {
        var kinds = new List<string>();
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var descriptor in LinkKinds.All)
        {
            var availability = Check(backends, descriptor);
            if (availability.Available)
            {
                kinds.Add(descriptor.WireName);
            }
            else
            {
                notes[descriptor.Capability] = availability.Reason ?? "not available";
            }
        }

        return new AgentCapabilities(kinds, notes.Count > 0 ? notes : null);
    }

    private static BackendAvailability Check(LinkBackends backends, LinkKindDescriptor descriptor)
    {
        if (backends.For(descriptor.Kind) is not { } backend)
        {
            return BackendAvailability.No($"this agent has no {descriptor.WireName} backend");
        }

        try
        {
            return backend.CheckAvailability();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return BackendAvailability.No(ex.Message);
        }
    }
}
