namespace Fleet.Striper.SpeedTest;

/// <summary>One answer to a speed test's load as the sender saw it (<see cref="Wire.SpeedTestAckMessage"/> plus its round trip).</summary>
internal readonly record struct AckSample(
    uint Sequence,
    ulong EchoSendMicros,
    uint ElapsedMicros,
    uint LoadPackets,
    uint DataPackets,
    ulong LoadBytes,
    ulong DataBytes,
    double RttMicros);

/// <summary>What one path delivered in one step of a test, between two answers.</summary>
/// <param name="RateBitsPerSecond">Load and user data together, at the IP layer.</param>
/// <param name="LoadRateBitsPerSecond">The test's load alone.</param>
/// <param name="LossRatio">Load sent between the two answered datagrams that never arrived, 0..1.</param>
/// <param name="MedianRttMicros">Median round trip of the answers in the window.</param>
internal readonly record struct StepMeasurement(double RateBitsPerSecond, double LoadRateBitsPerSecond, double LossRatio, double MedianRttMicros);

/// <summary>
/// Turns a step's answers into a measurement (docs/striper-protocol.md, "Speed test"). Each answer carries the
/// receiver's running counts of the step, so the difference between the first answer to a datagram sent after the
/// warm-up and the last answer is what the path delivered in between, timed by the receiver's own clock: the sender's
/// pacing and the first burst a shaper lets through (its bucket was full) do not count. Lost answers cost nothing but
/// resolution: any two answers will do.
/// </summary>
internal static class SpeedTestMath
{
    /// <summary>The outer IP and UDP headers of a datagram on an IPv4 or IPv6 path: rates are given at the IP layer, like an interface's.</summary>
    public static int OuterHeaderBytes(bool ipv6) => ipv6 ? 48 : 28;

    /// <summary>
    /// Measures from <paramref name="acks"/> (in arrival order) the window that begins with the first answer to a
    /// datagram sent at or after <paramref name="measureFromMicros"/>; null when fewer than two answers fall in it or no
    /// time passed between them.
    /// </summary>
    public static StepMeasurement? Measure(IReadOnlyList<AckSample> acks, ulong measureFromMicros, int outerHeaderBytes)
    {
        AckSample? first = null;
        AckSample last = default;
        var rtts = new List<double>(acks.Count);
        foreach (var ack in acks)
        {
            if (ack.EchoSendMicros < measureFromMicros)
            {
                continue;
            }

            first ??= ack;
            // Answers may be reordered on the way back; the latest count is the highest sequence.
            if (ack.Sequence >= last.Sequence)
            {
                last = ack;
            }

            rtts.Add(ack.RttMicros);
        }

        if (first is not { } start || last.Sequence <= start.Sequence || last.ElapsedMicros <= start.ElapsedMicros)
        {
            return null;
        }

        var seconds = (last.ElapsedMicros - start.ElapsedMicros) / 1e6;
        var loadPackets = last.LoadPackets - start.LoadPackets;
        var dataPackets = last.DataPackets - start.DataPackets;
        var loadBytes = (double)(last.LoadBytes - start.LoadBytes) + ((double)outerHeaderBytes * loadPackets);
        var dataBytes = (double)(last.DataBytes - start.DataBytes) + ((double)outerHeaderBytes * dataPackets);
        var sent = last.Sequence - start.Sequence;
        var loss = Math.Clamp(1.0 - ((double)loadPackets / sent), 0, 1);
        return new StepMeasurement((loadBytes + dataBytes) * 8 / seconds, loadBytes * 8 / seconds, loss, Median(rtts));
    }

    /// <summary>The median of <paramref name="values"/> (sorted in place); 0 when empty.</summary>
    public static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
