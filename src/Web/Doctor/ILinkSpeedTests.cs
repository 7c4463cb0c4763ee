using Fleet.Contracts.Rest;

namespace Fleet.Web.Doctor;

/// <summary>
/// A striper link's path speed tests for the Doctor panel: the latest one, and starting one as the signed-in user through
/// the command REST's <c>POST /api/v1/links/{id}/speed-tests</c> runs (docs/doctor.md, "Path speed test"). Callers
/// check the operator role; implementations check it again.
/// </summary>
public interface ILinkSpeedTests
{
    /// <summary>The link's newest speed test, in whatever state; null when none ran.</summary>
    Task<SpeedTestDto?> LatestAsync(Guid linkId, CancellationToken cancellationToken);

    /// <summary>Orders a speed test with the default rate limit.</summary>
    Task<SpeedTestStart> StartAsync(Guid linkId, CancellationToken cancellationToken);
}

/// <summary>What starting a speed test gave.</summary>
/// <param name="Test">The pending test; null when refused.</param>
/// <param name="Refusal">Why it was refused (another kind, the agent offline, a test still running), a sentence; null when started.</param>
public sealed record SpeedTestStart(SpeedTestDto? Test, string? Refusal);
