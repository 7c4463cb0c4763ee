using System.Collections.Concurrent;
using System.Text.Json;
using Fleet.Contracts.Json;

namespace Fleet.Web.Formatting;

/// <summary>
/// Enum values as they appear on the wire (<c>FleetJson</c>: <c>rolled_back</c>, <c>balance-rr</c>, <c>802.3ad</c>),
/// so query strings, form values and the live hub's messages use the same words as the REST API.
/// </summary>
public static class WireNames
{
    private static readonly ConcurrentDictionary<Enum, string> s_names = new();

    /// <summary>The wire name of <paramref name="value"/>.</summary>
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        s_names.GetOrAdd(value, static v => JsonSerializer.Serialize(v, v.GetType(), FleetJson.Options).Trim('"'));

    /// <summary>The wire names of every value of <typeparamref name="TEnum"/>, in declaration order (a select's choices).</summary>
    public static IReadOnlyList<string> All<TEnum>()
        where TEnum : struct, Enum => Enum.GetValues<TEnum>().Select(v => Of(v)).ToList();

    /// <summary>Parses a wire name; null when it is not one of <typeparamref name="TEnum"/>'s.</summary>
    public static TEnum? Parse<TEnum>(string? name)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Of(value), name, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }
}
