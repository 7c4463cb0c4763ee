using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Doctor;
using Fleet.Contracts.Rest;
using Fleet.Web.Doctor;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// The Doctor panel's door to speed tests: starts one through <see cref="SpeedTestCommands"/> (the command behind
/// <c>POST /api/v1/links/{id}/speed-tests</c>, which checks the operator role and audits) and reads the latest as REST
/// shows it (<see cref="SpeedTestMapping"/>).
/// </summary>
public sealed class DashboardSpeedTests(FleetDbContext db, SpeedTestCommands commands, TimeProvider time, IHttpContextAccessor http) : ILinkSpeedTests
{
    public async Task<SpeedTestDto?> LatestAsync(Guid linkId, CancellationToken cancellationToken)
    {
        var latest = await db.SpeedTests.AsNoTracking().Where(t => t.LinkId == linkId).OrderByDescending(t => t.Id).FirstOrDefaultAsync(cancellationToken);
        return latest is null ? null : SpeedTestMapping.ToDto(latest, time.GetUtcNow());
    }

    public async Task<SpeedTestStart> StartAsync(Guid linkId, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(http.HttpContext?.User ?? new ClaimsPrincipal());
        var result = await commands.StartAsync(caller, linkId, request: null, cancellationToken);
        if (result.Value is { } test)
        {
            return new SpeedTestStart(SpeedTestMapping.ToDto(test, time.GetUtcNow()), null);
        }

        // The panel sends no fields, so a refusal is the only failure it can meet.
        return new SpeedTestStart(null, result.FailureText);
    }
}
