using Fleet.Contracts.Rest;

namespace Fleet.Web.Doctor;

/// <summary>
/// A striper link's daily speed test for the Doctor panel: read it, and set or clear it as the signed-in user through the
/// command behind <c>PUT</c> and <c>DELETE /api/v1/links/{id}/speed-test-schedule</c> (docs/doctor.md, "Scheduled speed
/// tests"). Callers check the operator role; implementations check it again.
/// </summary>
public interface ILinkSpeedTestSchedule
{
    /// <summary>The link's schedule; null when it has none.</summary>
    Task<SpeedTestScheduleDto?> GetAsync(Guid linkId, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the daily time (<c>HH:mm</c>, UTC), keeping <paramref name="maxMbitPerPath"/> (the command's default when
    /// null).
    /// </summary>
    Task<ScheduleChange> SetAsync(Guid linkId, string? dailyAtUtc, int? maxMbitPerPath, CancellationToken cancellationToken);

    /// <summary>Removes the schedule.</summary>
    Task<ScheduleChange> ClearAsync(Guid linkId, CancellationToken cancellationToken);
}

/// <summary>What setting or clearing a schedule gave.</summary>
/// <param name="Schedule">The schedule now (null after a clear, or when refused).</param>
/// <param name="Error">Why it was refused or what was wrong with the time, a sentence; null when done.</param>
public sealed record ScheduleChange(SpeedTestScheduleDto? Schedule, string? Error);
