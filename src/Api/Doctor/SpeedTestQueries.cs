using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>Which stored speed test measures a link now: one rule for the diagnosis and the overview's aggregation column.</summary>
public static class SpeedTestQueries
{
    /// <summary>Each link's latest completed test with a result: no completed test of its link finished later.</summary>
    public static IQueryable<SpeedTestEntity> LatestCompleted(FleetDbContext db) => db.SpeedTests.AsNoTracking()
        .Where(t => t.State == SpeedTestState.Completed && t.Result != null
            && !db.SpeedTests.Any(later => later.LinkId == t.LinkId && later.State == SpeedTestState.Completed && later.FinishedAt > t.FinishedAt));
}
