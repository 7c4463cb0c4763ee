using System.Text.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Fleet.Api.Data;

/// <summary>
/// A wire type stored as JSON text (<see cref="FleetJson"/>), portable across SQLite and PostgreSQL. Compared by
/// content (<see cref="LinkSpecEquality"/>), so replacing a value with an equivalent one writes nothing.
/// </summary>
internal static class JsonColumn
{
    public static ValueConverter<T, string> Converter<T>()
        where T : class? =>
        new(v => JsonSerializer.Serialize(v, FleetJson.Options), s => JsonSerializer.Deserialize<T>(s, FleetJson.Options)!);

    public static ValueComparer<T> Comparer<T>()
        where T : class? =>
        new(
            (a, b) => LinkSpecEquality.AreEquivalent<object>(a, b),
            v => v == null ? 0 : JsonSerializer.Serialize(v, FleetJson.Options).GetHashCode(StringComparison.Ordinal),
            v => v);
}
