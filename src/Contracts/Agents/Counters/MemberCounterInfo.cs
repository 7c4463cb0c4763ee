using Fleet.Contracts.Links;

namespace Fleet.Contracts.Agents.Counters;

/// <summary>
/// Everything the layers need to know about one <see cref="MemberCounter"/>: its names on the wire and in the
/// database, its <see cref="CounterKind"/> (which decides storage type, rollup and totals), its unit and valid range,
/// and how to read it from a <see cref="MemberSample"/>. Registered in <see cref="MemberCounterCatalog"/>.
/// </summary>
public sealed record MemberCounterInfo
{
    /// <summary>The counter.</summary>
    public required MemberCounter Counter { get; init; }

    /// <summary>
    /// Its name in JSON and MessagePack (camelCase): the property of <see cref="MemberSample"/> and
    /// <see cref="Rest.SamplePointDto"/> that carries it, and the key of the dashboard's live samples.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>Its column in the raw <c>samples</c> table (snake_case); the rollup tables derive theirs (<see cref="RollupColumns"/>).</summary>
    public required string Column { get; init; }

    /// <summary>How it behaves over time.</summary>
    public required CounterKind Kind { get; init; }

    /// <summary>Its unit in UCUM form, as OpenTelemetry writes units (<c>By</c>, <c>{packet}</c>, <c>ms</c>, <c>%</c>).</summary>
    public required string Unit { get; init; }

    /// <summary>What it counts, for operators (metric descriptions, docs).</summary>
    public required string Description { get; init; }

    /// <summary>Smallest valid value (ingestion refuses a batch with a smaller one).</summary>
    public double Minimum { get; init; }

    /// <summary>Largest valid value; infinity for none (a measurement must still be finite).</summary>
    public double Maximum { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// The counter's whole-number value in a sample, exactly (every kind except <see cref="CounterKind.Measured"/>;
    /// <see cref="CounterKind.Health"/> as the health's number).
    /// </summary>
    public Func<MemberSample, long>? Whole { get; init; }

    /// <summary>The measurement in a sample, null when the backend did not make it (<see cref="CounterKind.Measured"/> only).</summary>
    public Func<MemberSample, double?>? Measure { get; init; }

    /// <summary>
    /// <see cref="CounterKind.Measured"/>: the rollup column counting the samples that had the measurement (the
    /// averages' divisor).
    /// </summary>
    public string? CountColumn { get; init; }

    /// <summary>
    /// The Api's live metric of the counter itself, null when it publishes none: a <see cref="CounterKind.Delta"/>
    /// as its running total since the Api started hearing the member (an OpenTelemetry counter), any other kind as its
    /// latest value (a gauge). Counters sharing a name are one instrument told apart by
    /// <see cref="CounterMetric.Direction"/>.
    /// </summary>
    public CounterMetric? Metric { get; init; }

    /// <summary>A <see cref="CounterKind.Delta"/>'s live rate metric: its latest interval per second (a gauge), null for none.</summary>
    public CounterMetric? RateMetric { get; init; }

    /// <summary>
    /// The series of the dashboard's member charts that draws the counter, null when no chart does: a
    /// <see cref="CounterKind.Delta"/> as a rate per second (counters sharing a series add up), any other kind as its
    /// value (a rollup's average, a level's peak in the interval: see the chart's point).
    /// </summary>
    public CounterChart? Chart { get; init; }

    /// <summary>The value in <paramref name="sample"/> as a number (null: not measured), for validation, metrics and charts.</summary>
    public double? Value(MemberSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return Kind switch
        {
            CounterKind.Measured => Measure!(sample),
            CounterKind.Delta or CounterKind.Level or CounterKind.Peak or CounterKind.Health => Whole!(sample),
            _ => throw new InvalidOperationException($"counter kind {Kind} is not known"),
        };
    }

    /// <summary>
    /// The columns this counter has in the rollup tables (<c>samples_1m</c>, <c>samples_1h</c>), in order, with the
    /// aggregate that fills each from the raw samples and from the 1-minute rollups. Rollups keep sums and counts
    /// rather than averages, so 1-minute buckets re-aggregate exactly into 1-hour ones.
    /// </summary>
    public IReadOnlyList<RollupColumn> RollupColumns => Kind switch
    {
        CounterKind.Delta => [new(Column, $"SUM({Column})", $"SUM({Column})")],
        CounterKind.Level => [new($"{Column}_sum", $"SUM({Column})", $"SUM({Column}_sum)")],
        CounterKind.Peak => [new(Column, $"MAX({Column})", $"MAX({Column})")],
        CounterKind.Measured =>
        [
            new($"{Column}_sum", $"COALESCE(SUM({Column}), 0)", $"SUM({Column}_sum)"),
            new($"{Column}_max", $"MAX({Column})", $"MAX({Column}_max)"),
            new(CountColumn!, $"COUNT({Column})", $"SUM({CountColumn})"),
        ],
        CounterKind.Health => [new($"{Column}_worst", $"MAX({Column})", $"MAX({Column}_worst)")],
        _ => throw new InvalidOperationException($"counter kind {Kind} is not known"),
    };

    /// <summary>
    /// Why <paramref name="value"/> is not valid for this counter (a phrase after the counter's name), or null.
    /// </summary>
    public string? Problem(double? value) => Kind switch
    {
        CounterKind.Health => value is { } number && !Enum.IsDefined((MemberHealth)(int)number) ? "is not a known health" : null,
        CounterKind.Delta or CounterKind.Level or CounterKind.Peak or CounterKind.Measured => value switch
        {
            null => null,
            { } v when !double.IsFinite(v) || v < Minimum || v > Maximum => double.IsPositiveInfinity(Maximum)
                ? $"must be a finite number ≥ {Minimum}"
                : $"must be between {Minimum} and {Maximum}",
            _ => null,
        },
        _ => throw new InvalidOperationException($"counter kind {Kind} is not known"),
    };
}

/// <summary>One column of a rollup table.</summary>
/// <param name="Name">The column (snake_case).</param>
/// <param name="FromSamples">The SQL aggregate over <c>samples</c> that fills it in <c>samples_1m</c>.</param>
/// <param name="FromMinutes">The SQL aggregate over <c>samples_1m</c> that fills it in <c>samples_1h</c>.</param>
public readonly record struct RollupColumn(string Name, string FromSamples, string FromMinutes);

/// <summary>An OpenTelemetry instrument the Api's live metrics (meter <c>Fleet.Api.Live</c>) publish a counter as.</summary>
/// <param name="Name">The instrument's name (<c>fleet.member.traffic</c>; Prometheus writes <c>fleet_member_traffic_bytes_total</c>).</param>
/// <param name="Unit">Its unit in UCUM form, null for a plain number.</param>
/// <param name="Description">Its description.</param>
/// <param name="Direction">The <c>direction</c> attribute (<c>tx</c>, <c>rx</c>) when tx and rx counters share the instrument.</param>
/// <param name="Scale">What the counter's value is multiplied by (8: bytes to bits; 0.001: milliseconds to seconds).</param>
public sealed record CounterMetric(string Name, string? Unit, string Description, string? Direction = null, double Scale = 1);

/// <summary>A series of the dashboard's member charts.</summary>
/// <param name="Series">Its key in the chart's data (<c>tx</c>, <c>drops</c>, <c>rtt</c>, <c>health</c>).</param>
/// <param name="Scale">What the counter's value is multiplied by (8: bytes per second to bits per second).</param>
public sealed record CounterChart(string Series, double Scale = 1);
