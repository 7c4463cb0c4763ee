using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links.Validation;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>What became of an agent's <see cref="SpeedTestReport"/>.</summary>
public enum SpeedTestReportOutcome
{
    /// <summary>Stored: the test is completed or failed.</summary>
    Recorded,

    /// <summary>The Api ordered no such test of that link from this host: refused and audited.</summary>
    Forbidden,

    /// <summary>The report is not a result (no paths list, numbers out of range): refused.</summary>
    Invalid,

    /// <summary>The test is no longer pending (timed out, or answered already): ignored.</summary>
    Late,
}

/// <summary>
/// Stores an agent's answer to a speed test order (<see cref="IAgentHub.ReportSpeedTest"/>): only for a test the Api
/// ordered from that host, of that link, still pending and within <see cref="SpeedTestCommands.Timeout"/>. Its own short
/// context per report (the agent hub holds none, issue 21).
/// </summary>
public sealed class SpeedTestReports(IDbContextFactory<FleetDbContext> contexts, TimeProvider time, HostAgentsPush push)
{
    /// <summary>Most paths a result may list (a striper link has far fewer members).</summary>
    public const int MaxPaths = 64;

    public async Task<SpeedTestReportOutcome> RecordAsync(Guid hostId, SpeedTestReport report, CancellationToken cancellationToken)
    {
        if (!IsValid(report))
        {
            return SpeedTestReportOutcome.Invalid;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var test = await db.SpeedTests.SingleOrDefaultAsync(t => t.Id == report.TestId, cancellationToken);
        var now = time.GetUtcNow();
        if (test is not null && SpeedTestPeers.IsPeerReport(test, hostId, report))
        {
            if (test.PeerState != SpeedTestState.Pending || SpeedTestPeers.IsExpired(test, now))
            {
                return SpeedTestReportOutcome.Late;
            }

            var peerResult = Bounded(report.Result);
            test.PeerState = peerResult.Error is null ? SpeedTestState.Completed : SpeedTestState.Failed;
            test.PeerError = peerResult.Error;
            test.PeerResult = peerResult;
            await db.SaveChangesAsync(cancellationToken);
            return SpeedTestReportOutcome.Recorded;
        }

        if (test is null || test.HostId != hostId || test.LinkId != report.LinkId)
        {
            return SpeedTestReportOutcome.Forbidden;
        }

        if (test.State != SpeedTestState.Pending || SpeedTestMapping.IsExpired(test, now))
        {
            return SpeedTestReportOutcome.Late;
        }

        test.Result = Bounded(report.Result);
        test.State = test.Result.Error is null ? SpeedTestState.Completed : SpeedTestState.Failed;
        test.FinishedAt = UtcDateTimeConverter.ToStore(now.UtcDateTime);
        test.Error = test.Result.Error;
        test.InterfaceSpeeds = report.InterfaceSpeeds?
            .Where(s => InterfaceName.IsValid(s.Key) && double.IsFinite(s.Value) && s.Value > 0)
            .Take(MaxPaths)
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal) ?? [];
        var peerOrder = await SpeedTestPeers.OrderAsync(db, test, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (peerOrder is not null)
        {
            // The other direction, from the pair's other end, now that this end's load is off the paths.
            await push.ToHostAsync(test.PeerHostId!.Value, agent => agent.RunSpeedTest(peerOrder));
        }

        return SpeedTestReportOutcome.Recorded;
    }

    /// <summary><paramref name="result"/> with its texts cut to what the columns hold.</summary>
    private static Contracts.Doctor.SpeedTestResult Bounded(Contracts.Doctor.SpeedTestResult result) => result with
    {
        Error = result.Error is { } error ? Bound(error) : null,
        Paths = [.. result.Paths.Select(p => p with { Problem = p.Problem is { } problem ? Bound(problem) : null })],
    };

    /// <summary>A result with a list of paths of interface names and finite, non-negative numbers.</summary>
    private static bool IsValid(SpeedTestReport? report) =>
        report is { Result: { Paths: { Count: <= MaxPaths } paths } result }
        && double.IsFinite(result.TogetherBitsPerSecond) && result.TogetherBitsPerSecond >= 0
        && paths.All(p => p is not null && InterfaceName.IsValid(p.Member)
            && new[] { p.CapacityBitsPerSecond, p.TogetherBitsPerSecond, p.OfferedBitsPerSecond, p.RttIdleMilliseconds, p.RttLoadedMilliseconds, p.LossPercent }
                .All(v => double.IsFinite(v) && v >= 0));

    private static string Bound(string text) => text.Length > SpeedTestEntity.ErrorMaxLength ? text[..SpeedTestEntity.ErrorMaxLength] : text;
}
