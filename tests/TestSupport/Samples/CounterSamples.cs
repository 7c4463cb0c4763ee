using System.Globalization;
using System.Reflection;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links;

namespace Fleet.Testing;

/// <summary>
/// Samples for the tests that walk the counter catalogue (<see cref="MemberCounterCatalog"/>): every counter set by its
/// catalogue name, each to a value of its own, so a counter the catalogue lists but a layer drops, or two counters a
/// layer swaps, shows. Compiled into the suites that need it (Contracts has no reference to this library).
/// </summary>
public static class CounterSamples
{
    /// <summary>A sample of 2 s whose every counter has a value no other counter has (so crossed wires show).</summary>
    public static MemberSample Distinct(Guid? linkId = null, string member = "eth1", DateTimeOffset? time = null)
    {
        var sample = new MemberSample
        {
            LinkId = linkId ?? Guid.CreateVersion7(),
            Member = member,
            Time = time ?? new DateTimeOffset(2026, 12, 6, 12, 0, 1, TimeSpan.Zero),
            IntervalMs = 2_000,
        };
        foreach (var counter in MemberCounterCatalog.All)
        {
            var property = Property<MemberSample>(counter.Name)!;
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var value = Expected(counter.Counter);
            property.SetValue(sample, type.IsEnum ? Enum.ToObject(type, (long)value) : Convert.ChangeType(value, type, CultureInfo.InvariantCulture));
        }

        return sample;
    }

    /// <summary>The value <see cref="Distinct"/> gives <paramref name="counter"/>, valid for its kind and range.</summary>
    public static double Expected(MemberCounter counter)
    {
        var info = MemberCounterCatalog.Of(counter);
        var i = (int)counter;
        return info.Kind switch
        {
            CounterKind.Delta => 1_000_000 + (i * 1_000),
            CounterKind.Level => 10 + i,
            CounterKind.Peak => 100 + i,
            CounterKind.Measured => 1.5 + i,
            CounterKind.Health => (double)MemberHealth.Degraded,
            _ => throw new ArgumentOutOfRangeException(nameof(counter), counter, null),
        };
    }

    /// <summary>The public property of <typeparamref name="T"/> that carries the counter named <paramref name="camelName"/> (<c>txBytes</c> → <c>TxBytes</c>).</summary>
    public static PropertyInfo? Property<T>(string camelName) =>
        typeof(T).GetProperty(char.ToUpperInvariant(camelName[0]) + camelName[1..], BindingFlags.Public | BindingFlags.Instance);
}
