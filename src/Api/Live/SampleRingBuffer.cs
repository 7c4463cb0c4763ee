using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;

namespace Fleet.Api.Live;

/// <summary>
/// The last <see cref="LiveLimits.RingBufferMinutes"/> minutes of one link's samples, per member, so a chart that
/// subscribes draws its recent past at once. Appends in arrival order; a sample older than the newest of its member
/// (a late resend) is inserted in place; a sample already there (same member and time) is ignored.
/// </summary>
public sealed class SampleRingBuffer
{
    /// <summary>Upper bound per member whatever the interval (15 min at 4 Hz).</summary>
    public const int MaxPerMember = 3_600;

    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(LiveLimits.RingBufferMinutes);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<MemberSample>> _members = new(StringComparer.Ordinal);

    /// <summary>Adds samples (all of this buffer's link).</summary>
    public void Add(IEnumerable<MemberSample> samples)
    {
        lock (_gate)
        {
            foreach (var sample in samples)
            {
                if (!_members.TryGetValue(sample.Member, out var list))
                {
                    list = [];
                    _members[sample.Member] = list;
                }

                Insert(list, sample);
                Trim(list);
            }
        }
    }

    /// <summary>Every member's samples of the window, in time order.</summary>
    public IReadOnlyList<MemberSample> Snapshot()
    {
        lock (_gate)
        {
            var all = new List<MemberSample>(_members.Values.Sum(l => l.Count));
            foreach (var list in _members.Values)
            {
                all.AddRange(list);
            }

            all.Sort((a, b) => a.Time.CompareTo(b.Time));
            return all;
        }
    }

    /// <summary>Every member's samples stamped at one of <paramref name="times"/>: whole sampling rounds, however many batches brought them.</summary>
    public List<MemberSample> At(IReadOnlySet<DateTimeOffset> times)
    {
        var earliest = DateTimeOffset.MaxValue;
        foreach (var time in times)
        {
            earliest = time < earliest ? time : earliest;
        }

        var found = new List<MemberSample>();
        lock (_gate)
        {
            foreach (var list in _members.Values)
            {
                // Rounds just delivered sit at the end of each member's list.
                for (var i = list.Count - 1; i >= 0 && list[i].Time >= earliest; i--)
                {
                    if (times.Contains(list[i].Time))
                    {
                        found.Add(list[i]);
                    }
                }
            }
        }

        return found;
    }

    private static void Insert(List<MemberSample> list, MemberSample sample)
    {
        if (list.Count == 0 || list[^1].Time < sample.Time)
        {
            list.Add(sample);
            return;
        }

        var index = list.FindLastIndex(s => s.Time <= sample.Time);
        if (index >= 0 && list[index].Time == sample.Time)
        {
            return;
        }

        list.Insert(index + 1, sample);
    }

    private static void Trim(List<MemberSample> list)
    {
        var cutoff = list[^1].Time - s_window;
        var drop = 0;
        while (drop < list.Count && (list[drop].Time < cutoff || list.Count - drop > MaxPerMember))
        {
            drop++;
        }

        if (drop > 0)
        {
            list.RemoveRange(0, drop);
        }
    }
}
