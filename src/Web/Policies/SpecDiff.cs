using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;

namespace Fleet.Web.Policies;

/// <summary>
/// What changes between two specs, field by field (JSON paths as the REST API and the validator name them), with
/// secrets redacted: a changed striper key reads "(changed)", never its value.
/// </summary>
public static class SpecDiff
{
    /// <summary>One changed field; <see cref="Before"/> or <see cref="After"/> is null when the field is added or removed.</summary>
    public sealed record Change(string Path, string? Before, string? After);

    /// <summary>The changes from <paramref name="before"/> to <paramref name="after"/>, in path order; empty when equivalent.</summary>
    public static IReadOnlyList<Change> Compute(LinkSpec? before, LinkSpec? after)
    {
        var left = Flatten(before);
        var right = Flatten(after);
        var changes = new List<Change>();
        foreach (var path in left.Keys.Union(right.Keys).Order(StringComparer.Ordinal))
        {
            left.TryGetValue(path, out var l);
            right.TryGetValue(path, out var r);
            if (string.Equals(l, r, StringComparison.Ordinal))
            {
                continue;
            }

            if (SpecRedaction.SecretPaths.Contains(path))
            {
                changes.Add(new Change(path, l is null ? null : SpecRedaction.Hidden, r is null ? null : "(changed)"));
                continue;
            }

            changes.Add(new Change(path, l, r));
        }

        return changes;
    }

    private static Dictionary<string, string> Flatten(LinkSpec? spec)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (spec is not null)
        {
            Walk(JsonSerializer.SerializeToNode(spec, FleetJson.Options), "", result);
        }

        return result;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, string> result)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Walk(child, path.Length == 0 ? name : $"{path}.{name}", result);
                }

                break;
            case JsonArray array when array.All(item => item is JsonValue):
                // Lists of plain values (addresses, flags, targets) read better as one line.
                if (array.Count > 0)
                {
                    result[path] = string.Join(", ", array.Select(item => item!.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : item.ToJsonString()));
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], $"{path}[{i}]", result);
                }

                break;
            case JsonValue value:
                result[path] = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                break;
        }
    }
}
