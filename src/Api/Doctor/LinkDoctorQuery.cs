using Fleet.Agent.Doctor;
using Fleet.Api.Data;
using Fleet.Contracts.Doctor;
using Fleet.Web.Doctor;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>
/// A link's diagnosis (docs/doctor.md): its members' stored samples over a window become the evidence that
/// <see cref="LinkDoctor"/> judges, with the capacities the link's latest completed speed test measured. One query for
/// REST and the dashboard.
/// </summary>
public sealed class LinkDoctorQuery(FleetDbContext db, TimeProvider time) : ILinkDiagnosisQuery
{
    /// <summary>The default window.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(15);

    /// <summary>The longest window: raw samples only (one a second per member at most).</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromMinutes(60);

    /// <summary>The diagnosis of link <paramref name="linkId"/> over the last <paramref name="window"/>; null when there is no such link.</summary>
    public async Task<Diagnosis?> DiagnoseAsync(Guid linkId, TimeSpan window, CancellationToken cancellationToken)
    {
        var link = await db.Links.AsNoTracking()
            .Where(l => l.Id == linkId && l.DeletedAt == null)
            .Select(l => new { l.Id, l.Spec, l.ObservedBond })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null)
        {
            return null;
        }

        var to = time.GetUtcNow();
        var from = to - window;
        var (fromUtc, toUtc) = (from.UtcDateTime, to.UtcDateTime);
        var samples = await db.Samples.AsNoTracking()
            .Where(s => s.LinkId == linkId && s.Time >= fromUtc && s.Time < toUtc)
            .ToListAsync(cancellationToken);
        var evidence = EvidenceFromSamples.Link(link.Id, link.Spec, samples.Select(s => s.ToSample()), from, to);

        // A bond's speeds, LACP state and link monitor change rarely: the link's observed state has the latest report,
        // not the samples (docs/doctor.md, "Bond").
        evidence = EvidenceFromSamples.WithBond(evidence, link.ObservedBond);

        // The latest completed speed test measured the paths' capacities, as fleet-agent doctor --speed-test does on the
        // host: the same rule joins them to the evidence (docs/doctor.md, "Path speed test").
        var measured = await SpeedTestQueries.LatestCompleted(db)
            .Where(t => t.LinkId == linkId)
            .Select(t => new { t.Result, t.InterfaceSpeeds })
            .FirstOrDefaultAsync(cancellationToken);
        if (measured?.Result is { } result)
        {
            evidence = HostSpeedTests.WithMeasurements(evidence, result, measured.InterfaceSpeeds ?? []);
        }

        return LinkDoctor.Diagnose(evidence);
    }
}
