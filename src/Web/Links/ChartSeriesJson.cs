using System.Text;
using System.Text.Json;
using Fleet.Contracts.Agents.Counters;
using Fleet.Web.Formatting;

namespace Fleet.Web.Links;

/// <summary>
/// What <c>LinkChartBoard.razor.js</c> reads from the server's first frame: every member's points as columns, and the
/// counter catalogue's chart series (how a live sample becomes a point), so a counter added to the catalogue is drawn
/// without an edit to the script.
/// </summary>
public static class ChartSeriesJson
{
    /// <summary>The series drawn as health strips rather than lines.</summary>
    public const string HealthSeries = "health";

    /// <summary>The catalogue's charted counters (<see cref="MemberCounterInfo.Chart"/>) as the script uses them.</summary>
    public static string Counters { get; } = SerializeCounters();

    /// <summary>
    /// <c>[{"member":"eth1","t":[…],"tx":[…],…,"health":[…]},…]</c>: one object per member in the order given, times in
    /// Unix seconds, a null where a value was not measured.
    /// </summary>
    public static string Members(IEnumerable<(string Member, IReadOnlyList<SeriesPoint> Points)> members)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var (member, points) in members)
            {
                json.WriteStartObject();
                json.WriteString("member", member);
                WriteArray(json, "t", points, p => p.Time.ToUnixTimeMilliseconds() / 1000.0);
                foreach (var series in MemberCounterCatalog.ChartSeries)
                {
                    if (series != HealthSeries)
                    {
                        WriteArray(json, series, points, p => p.Value(series));
                    }
                }

                json.WriteStartArray(HealthSeries);
                foreach (var point in points)
                {
                    json.WriteStringValue(WireNames.Of(point.Health));
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static string SerializeCounters()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var counter in MemberCounterCatalog.All)
            {
                if (counter.Chart is { } chart)
                {
                    json.WriteStartObject();
                    json.WriteString("name", counter.Name);
                    json.WriteString("series", chart.Series);
                    json.WriteNumber("scale", chart.Scale);
                    json.WriteBoolean("rate", counter.Kind == CounterKind.Delta);
                    json.WriteBoolean("measured", counter.Kind == CounterKind.Measured);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IReadOnlyList<SeriesPoint> points, Func<SeriesPoint, double?> value)
    {
        json.WriteStartArray(name);
        foreach (var point in points)
        {
            if (value(point) is { } v && double.IsFinite(v))
            {
                json.WriteNumberValue(Math.Round(v, 3));
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndArray();
    }
}
