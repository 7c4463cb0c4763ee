using System.Text.Json;
using Fleet.Contracts.Json;

namespace Fleet.Api.Common;

/// <summary>Parses query-string enum values in their wire form (<c>active_backup</c>, <c>rolled_back</c>).</summary>
public static class WireEnum
{
    public static T? Parse<T>(string? value, string field, Dictionary<string, string[]> errors)
        where T : struct, Enum
    {
        if (value is null)
        {
            return null;
        }

        foreach (var candidate in Enum.GetValues<T>())
        {
            if (Name(candidate) == value)
            {
                return candidate;
            }
        }

        errors[field] = [$"must be one of: {string.Join(", ", Enum.GetValues<T>().Select(Name))}"];
        return null;
    }

    public static string Name<T>(T value)
        where T : struct, Enum =>
        JsonSerializer.Serialize(value, FleetJson.Options).Trim('"');
}
