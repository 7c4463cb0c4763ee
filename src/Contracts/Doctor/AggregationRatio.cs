namespace Fleet.Contracts.Doctor;

/// <summary>
/// How well a link aggregates (docs/doctor.md, "Aggregation ratio"): what it delivered under demand against the sum of
/// its carrying members' measured capacities. Near 1 the link delivers what its paths carry; well below, something of
/// the doctor's findings (or a demand below the capacity) holds it back.
/// </summary>
/// <param name="Ratio">Delivered ÷ capacity.</param>
/// <param name="DeliveredBitsPerSecond">What the link sent towards its peer in its busiest sample interval, bit/s.</param>
/// <param name="CapacityBitsPerSecond">The carrying members' measured capacities together (the path speed test), bit/s.</param>
public sealed record AggregationRatio(double Ratio, double DeliveredBitsPerSecond, double CapacityBitsPerSecond)
{
    /// <summary>
    /// The ratio of <paramref name="deliveredBitsPerSecond"/> to <paramref name="capacities"/>' sum; null when a
    /// capacity is unknown (no speed test, or a member it did not measure), when there is none, or when the link
    /// delivered less than <see cref="DoctorThresholds.IdleBitsPerSecond"/> (no demand: nothing to judge). One rule for
    /// the diagnosis and the overview's column.
    /// </summary>
    public static AggregationRatio? Of(double deliveredBitsPerSecond, IReadOnlyCollection<double?> capacities, DoctorThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(capacities);
        var t = thresholds ?? new DoctorThresholds();
        if (capacities.Count == 0 || capacities.Any(c => c is not > 0) || deliveredBitsPerSecond < t.IdleBitsPerSecond)
        {
            return null;
        }

        var capacity = capacities.Sum(c => c!.Value);
        return new AggregationRatio(deliveredBitsPerSecond / capacity, deliveredBitsPerSecond, capacity);
    }

    /// <summary>Of a link's evidence: its busiest interval against its carrying members' measured capacities.</summary>
    public static AggregationRatio? Of(LinkEvidence evidence, DoctorThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return Of(evidence.PeakTransmitBitsPerSecond, [.. evidence.Members.Where(m => m.Carrying).Select(m => m.MeasuredCapacityBitsPerSecond)], thresholds);
    }
}
