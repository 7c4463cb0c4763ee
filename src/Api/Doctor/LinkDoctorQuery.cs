using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Web.Doctor;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>
/// A link's diagnosis (docs/doctor.md): its members' stored samples over a window become the evidence that
/// <see cref="LinkDoctor"/> judges. One query for REST and the dashboard.
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
            .Select(l => new { l.Id, l.Spec })
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
        var byMember = samples.ToLookup(s => s.Member, StringComparer.Ordinal);
        var evidence = new LinkEvidence
        {
            LinkId = link.Id,
            Spec = link.Spec,
            From = from,
            To = to,
            Members = [.. link.Spec.Members.Select(m => Evidence(m, byMember[m.Interface].ToList()))],
        };
        return LinkDoctor.Diagnose(evidence);
    }

    /// <summary>What <paramref name="samples"/> say of <paramref name="member"/>.</summary>
    public static MemberEvidence Evidence(MemberSpec member, IReadOnlyList<SampleEntity> samples)
    {
        var seconds = samples.Sum(s => (double)s.IntervalMs) / 1000;
        var rtts = samples.Where(s => s.RttMs is not null).Select(s => s.RttMs!.Value).Order().ToList();
        var losses = samples.Where(s => s.LossPercent is not null).Select(s => s.LossPercent!.Value).ToList();
        return new MemberEvidence
        {
            Member = member.Interface,
            AdminState = member.AdminState,
            Tier = member.Tier,
            Weight = member.Weight,
            RateBitsPerSecond = member.RateBitsPerSecond,
            Samples = samples.Count,
            DownShare = samples.Count == 0 ? 0 : (double)samples.Count(s => s.Health == MemberHealth.Down) / samples.Count,
            BitsPerSecond = seconds <= 0 ? 0 : samples.Sum(s => (double)(s.TxBytes + s.RxBytes)) * 8 / seconds,
            RttMs = rtts.Count == 0 ? null : rtts[rtts.Count / 2],
            LossPercent = losses.Count == 0 ? null : losses.Average(),
            ReorderDepthMax = samples.Count == 0 ? 0 : samples.Max(s => s.ReorderDepthMax),
        };
    }
}
