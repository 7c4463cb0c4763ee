using Fleet.Api.Configuration;

namespace Fleet.Api.Samples;

/// <summary>
/// The sample times the Api accepts, one rule for ingestion (which refuses samples outside it) and the rollup job
/// (which never recomputes a bucket before it): not older than raw retention, because retention would delete such a
/// sample at once and recomputing its bucket from the raw rows left would overwrite a complete rollup with a partial
/// one; and not more than <see cref="MaxAhead"/> in the future (agent clock skew), because a sample from the future
/// makes every later pass recompute up to it.
/// </summary>
/// <param name="Earliest">The oldest accepted time (inclusive).</param>
/// <param name="Latest">The newest accepted time (inclusive).</param>
public readonly record struct SampleTimeWindow(DateTimeOffset Earliest, DateTimeOffset Latest)
{
    /// <summary>How far ahead of the Api's clock a sample may lie.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromMinutes(5);

    /// <summary>The window at <paramref name="now"/> for the configured raw retention.</summary>
    public static SampleTimeWindow At(DateTimeOffset now, RetentionOptions retention) => new(now - retention.RawSamples, now + MaxAhead);

    /// <summary>Whether a sample (or batch) time lies in the window.</summary>
    public bool Contains(DateTimeOffset time) => time >= Earliest && time <= Latest;
}
