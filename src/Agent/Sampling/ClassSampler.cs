using Fleet.Agent.Backends;
using Fleet.Agent.Reconciliation;
using Fleet.Contracts.Agents;

namespace Fleet.Agent.Sampling;

/// <summary>
/// Turns striper links' running class counters into one <see cref="ClassSample"/> per class per interval (issue 13),
/// as <see cref="MemberSampler"/> does for members: deltas, nothing for a class seen for the first time, and a class
/// no longer observed forgotten. A class is known by its link, position and name, so a class list changed live
/// (renamed, reordered) starts new baselines instead of subtracting another class's counters.
/// </summary>
public sealed class ClassSampler
{
    private readonly Dictionary<(Guid Link, int Position, string Name), (ClassCounters Counters, DateTimeOffset Time)> _baselines = [];

    /// <summary>Samples at <paramref name="now"/>; empty when no link has classes.</summary>
    public IReadOnlyList<ClassSample> Sample(DateTimeOffset now, IReadOnlyList<ObservedLink> links)
    {
        now = MemberSampler.WholeMilliseconds(now);
        var samples = new List<ClassSample>();
        var seen = new HashSet<(Guid, int, string)>();
        foreach (var link in links)
        {
            var classes = link.Observation.Classes;
            for (var i = 0; i < classes.Count; i++)
            {
                var observed = classes[i];
                var key = (link.LinkId, i, observed.Name);
                seen.Add(key);
                if (_baselines.TryGetValue(key, out var baseline))
                {
                    var intervalMs = (int)Math.Round((now - baseline.Time).TotalMilliseconds);
                    if (intervalMs > 0)
                    {
                        samples.Add(ToSample(link.LinkId, observed, baseline.Counters, now, intervalMs));
                    }
                }

                _baselines[key] = (observed.Counters, now);
            }
        }

        if (_baselines.Count > seen.Count)
        {
            foreach (var key in _baselines.Keys.Where(key => !seen.Contains(key)).ToList())
            {
                _baselines.Remove(key);
            }
        }

        return samples;
    }

    private static ClassSample ToSample(Guid linkId, ClassObservation observed, ClassCounters previous, DateTimeOffset now, int intervalMs)
    {
        var c = observed.Counters;
        return new ClassSample
        {
            LinkId = linkId,
            Class = observed.Name,
            Action = observed.Action,
            Time = now,
            IntervalMs = intervalMs,
            TxPackets = MemberSampler.Delta(c.TxPackets, previous.TxPackets),
            TxBytes = MemberSampler.Delta(c.TxBytes, previous.TxBytes),
            DuplicatesSent = MemberSampler.Delta(c.DuplicatesSent, previous.DuplicatesSent),
            DuplicateBytes = MemberSampler.Delta(c.DuplicateBytes, previous.DuplicateBytes),
            FecBlocks = MemberSampler.Delta(c.FecBlocks, previous.FecBlocks),
            FecParityPackets = MemberSampler.Delta(c.FecParityPackets, previous.FecParityPackets),
            FecParityBytes = MemberSampler.Delta(c.FecParityBytes, previous.FecParityBytes),
            DropNoPath = MemberSampler.Delta(c.DropNoPath, previous.DropNoPath),
            RxPackets = MemberSampler.Delta(c.RxPackets, previous.RxPackets),
            RxBytes = MemberSampler.Delta(c.RxBytes, previous.RxBytes),
            DuplicatesDropped = MemberSampler.Delta(c.DuplicatesDropped, previous.DuplicatesDropped),
            FecRecovered = MemberSampler.Delta(c.FecRecovered, previous.FecRecovered),
            FecLost = MemberSampler.Delta(c.FecLost, previous.FecLost),
            PinnedMember = observed.PinnedMember,
        };
    }
}
