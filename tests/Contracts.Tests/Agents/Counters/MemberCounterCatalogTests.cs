using System.Reflection;
using System.Text.Json;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Contracts.Tests.Agents.Counters;

/// <summary>
/// The counter catalogue is consistent with itself and with the contracts that carry the counters: every counter a
/// sample's property, the REST point's property, the binary form and JSON carry (docs/conventions.md, "Adding a
/// counter"). The Api's half (rows, rollups, REST, charts) is <c>Api Samples.CounterCatalogEndToEndTests</c>.
/// </summary>
public sealed class MemberCounterCatalogTests
{
    public static TheoryData<MemberCounter> Counters => [.. Enum.GetValues<MemberCounter>()];

    [Fact]
    public void All_OneDescriptorPerCounter_InEnumOrder()
    {
        Assert.Equal(Enum.GetValues<MemberCounter>(), MemberCounterCatalog.All.Select(c => c.Counter));
    }

    [Theory]
    [MemberData(nameof(Counters))]
    public void Of_EveryCounter_HasTheAccessorItsKindNeeds(MemberCounter counter)
    {
        var info = MemberCounterCatalog.Of(counter);

        Assert.Equal(info.Kind == CounterKind.Measured, info.Measure is not null);
        Assert.Equal(info.Kind != CounterKind.Measured, info.Whole is not null);
        Assert.Equal(info.Kind == CounterKind.Measured, info.CountColumn is not null);
        Assert.True(info.RateMetric is null || info.Kind == CounterKind.Delta, "only a delta has a rate");
    }

    [Theory]
    [MemberData(nameof(Counters))]
    public void Of_EveryCounter_NamesAPropertyOfTheSampleAndTheRestPoint(MemberCounter counter)
    {
        var info = MemberCounterCatalog.Of(counter);

        Assert.NotNull(Property<MemberSample>(info.Name));
        Assert.NotNull(Property<SamplePointDto>(info.Name));
        Assert.Equal(Snake(info.Name), info.Column);
    }

    [Theory]
    [MemberData(nameof(Counters))]
    public void Value_EveryCounter_ReadsItsOwnProperty(MemberCounter counter)
    {
        var sample = CounterSamples.Distinct();

        Assert.Equal(CounterSamples.Expected(counter), MemberCounterCatalog.Of(counter).Value(sample));
    }

    [Fact]
    public void BinaryRoundTrip_EveryCounter_ComesBackWithItsValue()
    {
        var sample = CounterSamples.Distinct();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            MemberSampleBinary.Write(writer, 0, sample);
        }

        stream.Position = 0;
        var read = MemberSampleBinary.Read(new BinaryReader(stream), [sample.LinkId]);

        Assert.All(MemberCounterCatalog.All, c => Assert.Equal(CounterSamples.Expected(c.Counter), c.Value(read)));
    }

    [Fact]
    public void JsonRoundTrip_EveryCounter_TravelsUnderItsName()
    {
        var sample = CounterSamples.Distinct();
        var json = JsonSerializer.Serialize(sample, FleetJson.Options);
        using var document = JsonDocument.Parse(json);
        var read = JsonSerializer.Deserialize<MemberSample>(json, FleetJson.Options)!;

        Assert.All(MemberCounterCatalog.All, c =>
        {
            Assert.True(document.RootElement.TryGetProperty(c.Name, out _), $"{c.Name} is not in {json}");
            Assert.Equal(CounterSamples.Expected(c.Counter), c.Value(read));
        });
    }

    [Fact]
    public void FromSample_EveryCounter_IsInTheRawPoint()
    {
        var point = SamplePointDto.FromSample(CounterSamples.Distinct());

        Assert.All(MemberCounterCatalog.All, c => Assert.Equal(CounterSamples.Expected(c.Counter), Number(Property<SamplePointDto>(c.Name)!.GetValue(point))));
    }

    [Fact]
    public void RollupColumns_AreDistinctAcrossTheCatalogue()
    {
        var columns = MemberCounterCatalog.All.SelectMany(c => c.RollupColumns).Select(c => c.Name).ToList();

        Assert.Equal(columns.Count, columns.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Metrics_SharingAName_ShareKindUnitAndDescriptionAndDifferInDirection()
    {
        var metrics = MemberCounterCatalog.All
            .SelectMany(c => new[] { (c.Kind, Metric: c.Metric, Rate: false), (c.Kind, Metric: c.RateMetric, Rate: true) })
            .Where(m => m.Metric is not null)
            .GroupBy(m => m.Metric!.Name, StringComparer.Ordinal);

        Assert.All(metrics, group =>
        {
            Assert.Single(group.Select(m => (m.Kind, m.Rate, m.Metric!.Unit, m.Metric.Description)).Distinct());
            var directions = group.Select(m => m.Metric!.Direction).ToList();
            Assert.Equal(directions.Count, directions.Distinct().Count());
            Assert.True(group.Count() == 1 || directions.All(d => d is "tx" or "rx"), $"{group.Key}: counters sharing an instrument need a direction each");
        });
    }

    [Theory]
    [InlineData(MemberCounter.TxBytes, -1.0, "must be a finite number ≥ 0")]
    [InlineData(MemberCounter.RttMs, double.NaN, "must be a finite number ≥ 0")]
    [InlineData(MemberCounter.LossPercent, 100.5, "must be between 0 and 100")]
    [InlineData(MemberCounter.Health, 9.0, "is not a known health")]
    public void Problem_OutOfRange_SaysWhy(MemberCounter counter, double value, string problem)
    {
        Assert.Equal(problem, MemberCounterCatalog.Of(counter).Problem(value));
    }

    [Theory]
    [InlineData(MemberCounter.TxBytes, 0.0)]
    [InlineData(MemberCounter.LossPercent, 100.0)]
    [InlineData(MemberCounter.RttMs, null)]
    [InlineData(MemberCounter.Health, 3.0)]
    public void Problem_InRangeOrNotMeasured_IsNone(MemberCounter counter, double? value)
    {
        Assert.Null(MemberCounterCatalog.Of(counter).Problem(value));
    }

    private static PropertyInfo? Property<T>(string camelName) => CounterSamples.Property<T>(camelName);

    private static double? Number(object? value) => value switch
    {
        null => null,
        Enum e => Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Snake(string camel) => string.Concat(camel.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(ch) : ch.ToString()));
}
