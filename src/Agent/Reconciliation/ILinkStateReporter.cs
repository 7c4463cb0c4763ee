using Fleet.Contracts.Links;
using Fleet.Contracts.Agents;

namespace Fleet.Agent.Reconciliation;

/// <summary>Takes the reconciler's link state reports to the Api. Must not block: reports are queued and sent in order.</summary>
public interface ILinkStateReporter
{
    /// <summary>Queues <paramref name="state"/> for the Api (dropped while disconnected: every state is re-reported on connect).</summary>
    void Report(ObservedLinkState state);
}

/// <summary>One link in force on the host and what its backend saw.</summary>
/// <param name="LinkId">The link.</param>
/// <param name="Spec">The spec in force.</param>
/// <param name="Observation">The backend's observation.</param>
public sealed record ObservedLink(Guid LinkId, LinkSpec Spec, Backends.LinkObservation Observation);
