using Fleet.Agent.Reconciliation;
using Fleet.Contracts.Agents;

namespace Fleet.Agent.Tests.Support;

/// <summary>Keeps every state the reconciler reports.</summary>
internal sealed class RecordingReporter : ILinkStateReporter
{
    private readonly List<ObservedLinkState> _states = [];

    public IReadOnlyList<ObservedLinkState> States
    {
        get
        {
            lock (_states)
            {
                return [.. _states];
            }
        }
    }

    public ObservedLinkState Last
    {
        get
        {
            lock (_states)
            {
                return _states[^1];
            }
        }
    }

    public void Report(ObservedLinkState state)
    {
        lock (_states)
        {
            _states.Add(state);
        }
    }
}
