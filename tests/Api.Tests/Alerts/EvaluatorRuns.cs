using Fleet.Api.Alerts;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Alerts;

/// <summary>Drives an <see cref="AlertEvaluator"/> step by step on a fake clock.</summary>
public static class EvaluatorRuns
{
    /// <summary>Evaluates once per step for <paramref name="steps"/> steps (the first at once); each transition with its step number.</summary>
    public static List<(int Second, AlertTransition Transition)> Run(FakeTimeProvider clock, AlertEvaluator evaluator, TimeSpan step, int steps, Func<int, FleetObservation> fleet)
    {
        var transitions = new List<(int, AlertTransition)>();
        for (var i = 0; i < steps; i++)
        {
            if (i > 0)
            {
                clock.Advance(step);
            }

            transitions.AddRange(evaluator.Evaluate(fleet(i)).Select(t => (i, t)));
        }

        return transitions;
    }
}
