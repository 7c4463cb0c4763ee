using Fleet.Striper.Classes;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

/// <summary>
/// The sending thread's end of FEC blocks (docs/striper-protocol.md, "Forward error correction"): closes a class's open
/// block by placing and sending its parity, closes blocks whose delay bound came, or all of them before the classes
/// change, and abandons them when a new session starts. Each parity datagram takes the next global sequence, which
/// the transmit loop owns and passes in. Sending thread only.
/// </summary>
internal sealed class ParitySender(StriperEngine engine, PathBatches batches)
{
    /// <summary>Sends the parity of <paramref name="trafficClass"/>'s open block (if it has any) and ends the block.</summary>
    public void Close(TrafficClassRuntime trafficClass, ref ulong global)
    {
        var fec = trafficClass.Fec!;
        var parity = fec.ParityDue;
        if (parity > 0)
        {
            var eligible = trafficClass.Eligible(engine.PathSet);
            var counters = trafficClass.Counters;
            for (var j = 0; j < parity; j++)
            {
                var path = fec.PlaceParity(engine.PathSet, eligible);
                if (path < 0)
                {
                    counters.NoPath++;
                    continue;
                }

                var fields = new DataFields { TrafficClass = trafficClass.Id, Global = ++global };
                var plaintext = fec.Parity(j, ref fields);
                batches.Append(path, plaintext, fields);
                counters.FecParityPackets++;
                counters.FecParityBytes += plaintext.Length - WireFormat.DataMetaLength;
            }
        }

        fec.Close();
    }

    /// <summary>Closes the blocks of <paramref name="table"/> whose parity is due by now.</summary>
    public void CloseDue(ClassTable table, ref ulong global)
    {
        var now = MonotonicClock.Now();
        foreach (var trafficClass in table.Classes)
        {
            if (trafficClass.Fec is { } fec && fec.DueTicks <= now)
            {
                batches.SendMicros = (uint)MonotonicClock.Micros(now);
                Close(trafficClass, ref global);
            }
        }
    }

    /// <summary>Closes every open block of <paramref name="table"/>.</summary>
    public void CloseAll(ClassTable? table, ref ulong global)
    {
        if (table is null)
        {
            return;
        }

        foreach (var trafficClass in table.Classes)
        {
            if (trafficClass.Fec is { DueTicks: < long.MaxValue })
            {
                Close(trafficClass, ref global);
            }
        }
    }

    /// <summary>Drops every open block of <paramref name="table"/> unsent (a new session numbers anew).</summary>
    public static void Abandon(ClassTable? table)
    {
        if (table is null)
        {
            return;
        }

        foreach (var trafficClass in table.Classes)
        {
            trafficClass.Fec?.Abandon();
        }
    }

    /// <summary>When an open block of <paramref name="table"/> is due (monotonic ticks; long.MaxValue when none is open).</summary>
    public static long NextDue(ClassTable? table)
    {
        var due = long.MaxValue;
        if (table is not null)
        {
            foreach (var trafficClass in table.Classes)
            {
                if (trafficClass.Fec is { } fec)
                {
                    due = Math.Min(due, fec.DueTicks);
                }
            }
        }

        return due;
    }
}
