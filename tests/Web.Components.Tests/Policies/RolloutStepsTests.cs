using Bunit;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Web.Formatting;
using Fleet.Web.Policies;
using Fleet.Web.Tests.Policies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Policies;

/// <summary>
/// Issue 19, the policy editor's rollout: steps with their times, a countdown while the agent applies, and Applied,
/// Failed and Rolled back as distinct outcomes rather than one "applied, failed or rolled back" step.
/// </summary>
public sealed class RolloutStepsTests : BunitContext
{
    private static readonly DateTimeOffset s_stored = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    public RolloutStepsTests()
    {
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_stored.AddMinutes(1)));
    }

    [Theory]
    [InlineData(LinkPhase.Pending, "current", "todo", "todo", null, "Outcome")]
    [InlineData(LinkPhase.Applying, "done", "current", "todo", null, "Outcome")]
    [InlineData(LinkPhase.Applied, "done", "done", "current", "applied", "Applied")]
    [InlineData(LinkPhase.Failed, "done", "done", "current", "failed", "Failed")]
    [InlineData(LinkPhase.RolledBack, "done", "done", "current", "rolled_back", "Rolled back")]
    [InlineData(LinkPhase.Drifted, "done", "done", "current", "drifted", "Drifted")]
    public void Render_Phase_StepStatesAndTheOutcomeNamed(LinkPhase phase, string pending, string applying, string outcome, string? key, string text)
    {
        var steps = RenderSteps(phase);

        Assert.Equal([pending, applying, outcome], steps.FindAll("[data-step]").Select(s => s.GetAttribute("data-state")));
        Assert.Equal(key, steps.Find("[data-step=outcome]").GetAttribute("data-outcome"));
        Assert.Equal(text, steps.Find("[data-outcome-text]").TextContent);
    }

    [Fact]
    public void Render_Applying_CountdownFromWhenItStartedAndTheTimesOfTheSteps()
    {
        var steps = RenderSteps(LinkPhase.Applying);

        var countdown = steps.Find("[data-countdown]");
        Assert.False(countdown.HasAttribute("hidden"));
        Assert.Equal(s_stored.AddSeconds(2).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), countdown.GetAttribute("data-since"));
        Assert.Equal("30", steps.Find("[data-rollout-steps]").GetAttribute("data-confirm-timeout"));
        Assert.Equal("09:00:00", steps.Find("[data-step=pending] [data-step-time]").TextContent.Trim());
        Assert.Equal("09:00:02", steps.Find("[data-step=applying] [data-step-time]").TextContent.Trim());
    }

    [Fact]
    public void Render_RolledBack_NoCountdownAndTheOutcomesTime()
    {
        var steps = RenderSteps(LinkPhase.RolledBack, outcomeAt: s_stored.AddSeconds(33));

        Assert.True(steps.Find("[data-countdown]").HasAttribute("hidden"));
        Assert.Equal("09:00:33", steps.Find("[data-step=outcome] [data-step-time]").TextContent.Trim());
    }

    private IRenderedComponent<RolloutSteps> RenderSteps(LinkPhase phase, DateTimeOffset? outcomeAt = null) =>
        Render<RolloutSteps>(p => p
            .Add(x => x.Phase, phase)
            .Add(x => x.PhaseChangedAt, s_stored.AddSeconds(2))
            .Add(x => x.ConfirmTimeoutSeconds, 30)
            .Add(x => x.Submitted, new PolicyRevision(2, SpecSamples.Bond(), s_stored, "admin") { Outcome = PolicyOutcome.RolledBack, OutcomeAt = outcomeAt }));
}
